//! Pages of customers: all of a company's, or those matching a `q=` search, with their total.
//!
//! Each call runs in one read transaction, so the total and the page agree. A page is read as
//! whole customers or as their stored JSON ([`Shape`]).

use fieldwork_store::rules::{customer_json, search_patterns};
use fieldwork_store::{ListParams, Page, SortDirection, SortField, StoreError, StoreResult};
use fieldwork_types::Customer;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};

use super::search::Filter;
use super::shape::{Full, Json, Shape};
use crate::error::map_err;
use crate::sql::{collect, limit_offset, order_by};

pub(crate) fn list(
    c: &Connection,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<Customer>> {
    // Rolled back on drop: a read transaction only pins one snapshot for the statements below.
    let tx = c.unchecked_transaction().map_err(map_err)?;
    shaped::<Full>(&tx, company_id, q, list)
}

/// [`list`] as each customer's stored JSON; customers written before `customer_docs` existed
/// are rendered from their columns.
pub(crate) fn list_json(
    c: &Connection,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<String>> {
    let tx = c.unchecked_transaction().map_err(map_err)?;
    let page = shaped::<Json>(&tx, company_id, q, list)?;
    let unstored: Vec<i64> = page
        .items
        .iter()
        .filter(|(_, doc)| doc.is_none())
        .map(|(seq, _)| *seq)
        .collect();
    let mut rendered = in_order::<Full>(&tx, &unstored)?
        .into_iter()
        .map(|customer| customer_json(&customer));
    let items = page
        .items
        .into_iter()
        .map(|(_, doc)| doc.or_else(|| rendered.next()))
        .collect::<Option<Vec<String>>>()
        .ok_or(StoreError::NotFound("customer"))?;
    Ok(Page {
        items,
        total: page.total,
    })
}

/// A page of all customers or of a search's matches, read in shape `S`.
fn shaped<S: Shape>(
    c: &Connection,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<S::Item>> {
    let patterns = q.map(search_patterns).unwrap_or_default();
    if patterns.is_empty() {
        list_all::<S>(c, company_id, list)
    } else {
        search::<S>(c, company_id, &Filter::new(&patterns), list)
    }
}

/// A page of all customers. The total is the company's row in `customer_counts`. In the
/// default order the page is found by position ([`page_by_position`]). For the other
/// indexed sorts the page's rows are found by skipping entries of the `(company_id, sort
/// column)` index, which holds `seq` too, so the skip never reads a table row; and from the
/// nearer end of the list, so at most half of it is skipped.
fn list_all<S: Shape>(
    c: &Connection,
    company_id: &str,
    list: &ListParams,
) -> StoreResult<Page<S::Item>> {
    let total: i64 = c
        .prepare_cached("select n from customer_counts where company_id = ?1")
        .and_then(|mut s| s.query_row([company_id], |r| r.get(0)).optional())
        .map_err(map_err)?
        .unwrap_or(0);
    let (limit, offset) = limit_offset(list);
    if offset >= total {
        return Ok(Page {
            items: Vec::new(),
            total: u64::try_from(total).unwrap_or(0),
        });
    }
    if list.sort.field == SortField::CreatedAt && positions_dense(c, company_id, total)? {
        let items = page_by_position::<S>(c, company_id, list, total, limit, offset)?;
        return Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
        });
    }
    let indexed = matches!(list.sort.field, SortField::CreatedAt | SortField::UpdatedAt);
    // From the far end: the last `total - offset` rows reversed, of which the page is the last
    // `limit` (fewer on the last page).
    let (direction, limit, offset) = if indexed && offset > total / 2 {
        let reversed = match list.sort.direction {
            SortDirection::Asc => SortDirection::Desc,
            SortDirection::Desc => SortDirection::Asc,
        };
        let take = limit.min(total - offset);
        (reversed, take, total - offset - take)
    } else {
        (list.sort.direction, limit, offset)
    };
    let mut seek = *list;
    seek.sort.direction = direction;
    let sql = format!(
        "with page as (
            select seq from customers p where p.company_id = ?1
            order by {} limit ?2 offset ?3
         )
         select {} from page join customers c on c.seq = page.seq {}
         order by {}",
        order_by(&seek, "p"),
        S::COLS,
        S::JOINS,
        order_by(list, "c"),
    );
    let items = c
        .prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_map(rusqlite::params![company_id, limit, offset], S::item)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(map_err)?;
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// Whether the company's customers hold the positions 1 … `total` (unique by index, so the
/// highest being `total` means none is missing).
fn positions_dense(c: &Connection, company_id: &str, total: i64) -> StoreResult<bool> {
    let highest: Option<i64> = c
        .prepare_cached("select max(position) from customers where company_id = ?1")
        .and_then(|mut s| s.query_row([company_id], |r| r.get(0)))
        .map_err(map_err)?;
    Ok(highest == Some(total))
}

/// A page in `created_at` order found by position: a seek, whatever the page's depth.
fn page_by_position<S: Shape>(
    c: &Connection,
    company_id: &str,
    list: &ListParams,
    total: i64,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<S::Item>> {
    // The positions after `after`, up to `last`.
    let (after, last) = match list.sort.direction {
        SortDirection::Asc => (offset, offset + limit),
        SortDirection::Desc => (total - offset - limit, total - offset),
    };
    let sql = format!(
        // `indexed by`: the order-by would otherwise tempt the planner onto the created index.
        "select {} from customers c indexed by customers_company_position {}
         where c.company_id = ?1 and c.position > ?2 and c.position <= ?3
         order by {}",
        S::COLS,
        S::JOINS,
        order_by(list, "c"),
    );
    c.prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_map(rusqlite::params![company_id, after, last], S::item)?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(map_err)
}

/// A page of the customers whose search text contains every term. One pass over the company's
/// matches finds their number (a window count) and the page's `seq`s; only the page's rows are
/// then read in full.
fn search<S: Shape>(
    c: &Connection,
    company_id: &str,
    filter: &Filter,
    list: &ListParams,
) -> StoreResult<Page<S::Item>> {
    let Some(search_key) = company_search_key(c, company_id)? else {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
        });
    };
    if list.sort.field == SortField::CreatedAt {
        return search_by_created::<S>(c, search_key, filter, list);
    }
    let (limit, offset) = limit_offset(list);
    let n = filter.params(search_key).len();
    // The customer is found from the document's rowid (`seq` is its low bits); the company
    // test is redundant with the rowid range but keeps the query honest if the two disagree.
    let matches = format!(
        "select m.seq, m.{col} from customer_search s
         join customers m on m.seq = s.rowid - ?1
         where {where_} and m.company_id = ?2",
        col = list.sort.field.column(),
        where_ = filter.sql(3),
    );
    let sql = format!(
        "with page as (
            select m.seq, count(*) over () as total from ({matches}) m
            order by {} limit ?{} offset ?{}
         )
         select {}, page.total from page join customers c on c.seq = page.seq {}
         order by {}",
        order_by(list, "m"),
        n + 3,
        n + 4,
        S::COLS,
        S::JOINS,
        order_by(list, "c"),
    );
    let (first, _) = super::search::company_range(search_key);
    let mut values: Vec<Value> = vec![first.into(), company_id.to_owned().into()];
    values.extend(filter.params(search_key));
    values.extend([Value::from(limit), Value::from(offset)]);
    let mut total = None;
    let items = c
        .prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_map(params_from_iter(values.iter()), |r| {
                total = Some(r.get::<_, i64>(S::WIDTH)?);
                S::item(r)
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(map_err)?;
    // A page past the end has no row to carry the total: count on its own.
    let total = match total {
        Some(t) => t,
        None if offset == 0 => 0,
        None => c
            .prepare_cached(&format!("select count(*) from ({matches})"))
            .and_then(|mut s| s.query_row(params_from_iter(values[..n + 2].iter()), |r| r.get(0)))
            .map_err(map_err)?,
    };
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// [`search`] in `created_at` order (the default), from the search index alone: a company's
/// customers have non-decreasing `created_at`s in `seq` order (`write::create`), so their
/// `(created_at, seq)` order is their documents' rowid order. One pass over the index reads
/// every match's rowid, in order; their number is the total and the page is a slice of them,
/// so only the page's customers are read. (Reading every match's row to sort it was most of
/// the cost of a search for a common street name or first name; a window count over the
/// matches, which made SQLite buffer and sort them, took twice as long as this pass.)
/// Rare terms (an e-mail address) are first looked for by a few of their trigrams
/// ([`super::rare`]), and letter-only terms (a name) through the word index
/// ([`super::words`]); both find the same matches without walking every trigram's doclist.
fn search_by_created<S: Shape>(
    c: &Connection,
    search_key: i64,
    filter: &Filter,
    list: &ListParams,
) -> StoreResult<Page<S::Item>> {
    let (limit, offset) = limit_offset(list);
    let matches = if let Some(matches) = super::rare::matches(c, search_key, filter)? {
        matches
    } else if let Some(matches) = super::words::matches(c, search_key, filter)? {
        matches
    } else {
        filter.rowids(c, search_key, None)?
    };
    let (first, _) = super::search::company_range(search_key);
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(0);
    let ordered: Box<dyn Iterator<Item = &i64>> = match list.sort.direction {
        SortDirection::Asc => Box::new(matches.iter()),
        SortDirection::Desc => Box::new(matches.iter().rev()),
    };
    let seqs: Vec<i64> = ordered.skip(skip).take(take).map(|r| r - first).collect();
    Ok(Page {
        items: in_order::<S>(c, &seqs)?,
        total: matches.len() as u64,
    })
}

/// The customers of these rows, in the order given.
fn in_order<S: Shape>(c: &Connection, seqs: &[i64]) -> StoreResult<Vec<S::Item>> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = collect(
        c,
        &format!(
            "select {} from customers c {} where c.seq in (select value from json_each(?1))",
            S::COLS,
            S::JOINS
        ),
        [serde_json::to_string(seqs).expect("numbers serialize")],
        |r| Ok((r.get::<_, i64>(0)?, S::item(r)?)),
    )?;
    found.sort_by_key(|(seq, _)| seqs.iter().position(|s| s == seq));
    Ok(found.into_iter().map(|(_, item)| item).collect())
}

/// The company's key in the search index; `None` for an unknown company.
fn company_search_key(c: &Connection, company_id: &str) -> StoreResult<Option<i64>> {
    c.prepare_cached("select search_key from companies where id = ?1")
        .and_then(|mut s| s.query_row([company_id], |r| r.get(0)).optional())
        .map_err(map_err)
}

#[cfg(test)]
mod tests {
    use fieldwork_store::{ListParams, Sort, SortDirection, SortField, Store};
    use fieldwork_types::CustomerIn;

    use crate::SqliteStore;
    use crate::customers::tests::store_with_company;

    /// Every page of `size` in both directions, as ids.
    async fn pages(store: &SqliteStore, company: &str, size: u32) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for direction in [SortDirection::Asc, SortDirection::Desc] {
            for page in 1..=4 {
                let list = ListParams {
                    page,
                    page_size: size,
                    sort: Sort {
                        field: SortField::CreatedAt,
                        direction,
                    },
                };
                let found = store.list_customers(company, None, &list).await.unwrap();
                out.push(found.items.into_iter().map(|c| c.id).collect());
            }
        }
        out
    }

    /// The pages expected of customers `ids` (in creation order).
    fn expected(ids: &[String], size: usize) -> Vec<Vec<String>> {
        let reversed: Vec<String> = ids.iter().rev().cloned().collect();
        [ids.to_vec(), reversed]
            .iter()
            .flat_map(|all| {
                (0..4).map(move |p| all.iter().skip(p * size).take(size).cloned().collect())
            })
            .collect()
    }

    #[tokio::test]
    async fn pages_by_position_and_after_a_gap() {
        let (_dir, path, store, company) = store_with_company("Positions").await;
        let mut ids = Vec::new();
        for i in 0..7 {
            let new = CustomerIn {
                first_name: Some(format!("C{i}")),
                ..CustomerIn::default()
            };
            ids.push(store.create_customer(&company, new, &[]).await.unwrap().id);
        }
        // Dense positions: found by seek.
        assert_eq!(pages(&store, &company, 3).await, expected(&ids, 3));

        // A gap (no API deletes customers; a manual repair might): the list falls back to
        // skipping index entries and stays right.
        let removed = ids.remove(2);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute("delete from customers where id = ?1", [&removed])
            .unwrap();
        assert_eq!(pages(&store, &company, 3).await, expected(&ids, 3));
    }
}
