//! Pages of customers: all of a company's, or those matching a `q=` search, with their total.
//!
//! Unfiltered pages take the total from the per-company count in `row_counts` that
//! `write::create` keeps; searches count their matches.

use fieldwork_store::{ListParams, Page, SortDirection, StoreResult};
use fieldwork_types::Customer;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{COLS, JOINS, customers_from_rows};
use crate::db::Db;
use crate::sql::{SearchTerm, limit_offset, order_by, order_by_dir, search_terms, to_total};

pub(crate) async fn list(
    db: &Db,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<Customer>> {
    let terms = q.map(search_terms).unwrap_or_default();
    if terms.is_empty() {
        list_all(db, company_id, list).await
    } else {
        search(db, company_id, &terms, list).await
    }
}

/// The statement tail that reads a page: `page` is one row of `total` and `ids` (in any order);
/// the result has one row per customer and address ([`COLS`], then `total` as column 25), or a
/// single row of nulls and `total` for an empty page.
///
/// Fetching by `id = any(ids)` keeps the plan a nested loop over the primary key whatever the
/// planner believes about the page size (the statements run with generic plans).
fn read_page(list: &ListParams) -> String {
    format!(
        "select {COLS}, page.total
         from page left join (customers c {JOINS})
              on c.company_id = $1 and c.id = any(page.ids)
         order by {}, a.created_at, a.seq",
        order_by(list, "c")
    )
}

/// A page of all customers, in one statement. The total is the company's count; the page's ids
/// come from an index-only scan that skips `offset` entries, from the nearer end of the list
/// (so at most half the list is skipped).
async fn list_all(db: &Db, company_id: &str, list: &ListParams) -> StoreResult<Page<Customer>> {
    let (limit, offset) = limit_offset(list);
    let reversed = match list.sort.direction {
        SortDirection::Asc => SortDirection::Desc,
        SortDirection::Desc => SortDirection::Asc,
    };
    let sql = format!(
        "with t as materialized (
            select coalesce(sum(n), 0)::bigint as total from row_counts
            where company_id = $1 and kind = 'customers'
         ), page as materialized (
            select t.total, case
                when $3 > t.total / 2 and $3 < t.total then array(
                    select p.id from customers p where p.company_id = $1
                    order by {}
                    limit least($2, t.total - $3) offset greatest(0, t.total - $3 - $2))
                else array(
                    select p.id from customers p where p.company_id = $1
                    order by {} limit $2 offset $3)
                end as ids
            from t
         )
         {}",
        order_by_dir(list, "p", reversed),
        order_by(list, "p"),
        read_page(list)
    );
    let rows = db.query(&sql, &[&company_id, &limit, &offset]).await?;
    Ok(page_from_rows(&rows))
}

/// A page of the customers whose search text contains every pattern, and their count, in one
/// statement.
async fn search(
    db: &Db,
    company_id: &str,
    terms: &[SearchTerm],
    list: &ListParams,
) -> StoreResult<Page<Customer>> {
    let (limit, offset) = limit_offset(list);
    // Per term: its lookup through the trigram index, and its whole pattern as a filter on the
    // rows found (`|| ''` keeps it away from the index). The company test is kept from the
    // primary key the same way: intersecting with all of a large company's rows costs more
    // than dropping the few other companies' matches.
    let filter: String = (0..terms.len())
        .map(|i| {
            format!(
                " and m.search_doc like ${} and m.search_doc || '' like ${}",
                4 + 2 * i,
                5 + 2 * i
            )
        })
        .collect();
    let sql = format!(
        "with m as materialized (
            select m.id, m.{col}, m.seq from customers m
            where m.company_id || '' = $1{filter}
         ), page as materialized (
            select (select count(*) from m) as total, array(
                select m.id from m order by {order} limit $2 offset $3) as ids
         )
         {read}",
        col = list.sort.field.column(),
        order = order_by(list, "m"),
        read = read_page(list)
    );
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&company_id, &limit, &offset];
    for term in terms {
        params.push(&term.lookup);
        params.push(&term.pattern);
    }
    let rows = db.query(&sql, &params).await?;
    Ok(page_from_rows(&rows))
}

fn page_from_rows(rows: &[Row]) -> Page<Customer> {
    Page {
        items: customers_from_rows(rows),
        total: rows.first().map_or(0, |r| to_total(r.get(25))),
    }
}
