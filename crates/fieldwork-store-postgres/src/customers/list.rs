//! Pages of customers: all of a company's, or those matching a `q=` search, with their total,
//! as whole customers or as their stored JSON.
//!
//! Unfiltered pages take the total from the per-company count in `row_counts` that
//! `write::create` keeps; searches count their matches.

use fieldwork_store::rules::customer_json;
use fieldwork_store::{ListParams, Page, SortDirection, SortField, StoreError, StoreResult};
use fieldwork_types::Customer;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{COLS, JOINS, customers_from_rows, from_columns, words};
use crate::db::Db;
use crate::sql::{SearchTerm, limit_offset, order_by, order_by_dir, search_terms, to_total};

pub(crate) async fn list(
    db: &Db,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<Customer>> {
    shaped(db, company_id, q, list).await
}

/// [`list`] as each customer's JSON (`rules::customer_json`), stored or, for customers written
/// before it was stored, rendered.
pub(crate) async fn list_json(
    db: &Db,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<String>> {
    shaped(db, company_id, q, list).await
}

async fn shaped<T: FromPage>(
    db: &Db,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<T>> {
    let terms = q.map(search_terms).unwrap_or_default();
    if terms.is_empty() {
        list_all(db, company_id, list).await
    } else {
        search(db, company_id, &terms, list).await
    }
}

/// An item of a page, read from the rows of [`read_page`] in its shape.
trait FromPage: Sized {
    const SHAPE: Shape;
    async fn from_rows(db: &Db, company_id: &str, rows: &[Row]) -> StoreResult<Page<Self>>;
}

impl FromPage for Customer {
    const SHAPE: Shape = Shape::Full;
    async fn from_rows(_: &Db, _: &str, rows: &[Row]) -> StoreResult<Page<Self>> {
        Ok(Page {
            items: customers_from_rows(rows),
            total: rows.first().map_or(0, |r| to_total(r.get(25))),
        })
    }
}

impl FromPage for String {
    const SHAPE: Shape = Shape::Json;
    async fn from_rows(db: &Db, company_id: &str, rows: &[Row]) -> StoreResult<Page<Self>> {
        let total = rows.first().map_or(0, |r| to_total(r.get(2)));
        let page: Vec<(String, Option<String>)> = rows
            .iter()
            .filter_map(|r| Some((r.get::<_, Option<String>>(0)?, r.get(1))))
            .collect();
        let unstored: Vec<String> = page
            .iter()
            .filter(|(_, doc)| doc.is_none())
            .map(|(id, _)| id.clone())
            .collect();
        let rendered = if unstored.is_empty() {
            Vec::new()
        } else {
            from_columns(db, company_id, &unstored).await?
        };
        let items = page
            .into_iter()
            .map(|(id, doc)| {
                doc.or_else(|| {
                    let c = rendered.iter().find(|c| c.id == id)?;
                    Some(customer_json(c))
                })
            })
            .collect::<Option<Vec<String>>>()
            .ok_or(StoreError::NotFound("customer"))?;
        Ok(Page { items, total })
    }
}

/// How a page's customers are read: whole, or as their stored JSON.
#[derive(Clone, Copy)]
enum Shape {
    Full,
    Json,
}

/// The statement tail that reads a page: `page` is one row of `total` and `ids` (in any order);
/// the result has, for [`Shape::Full`], one row per customer and address ([`COLS`], then
/// `total` as column 25), for [`Shape::Json`] one row per customer (id, stored JSON, `total`),
/// or a single row of nulls and `total` for an empty page.
///
/// Fetching by `id = any(ids)` keeps the plan a nested loop over the primary key whatever the
/// planner believes about the page size (the statements run with generic plans).
fn read_page(list: &ListParams, shape: Shape) -> String {
    match shape {
        Shape::Full => format!(
            "select {COLS}, page.total
             from page left join (customers c {JOINS})
                  on c.company_id = $1 and c.id = any(page.ids)
             order by {}, a.created_at, a.seq",
            order_by(list, "c")
        ),
        Shape::Json => format!(
            "select c.id, c.doc, page.total
             from page left join customers c on c.company_id = $1 and c.id = any(page.ids)
             order by {}",
            order_by(list, "c")
        ),
    }
}

/// A page of all customers, in one statement. The total is the company's count. In the
/// default order the page is found by position ([`SPAN`]); in the other indexed order its ids
/// come from an index-only scan that skips `offset` entries, from the nearer end of the list
/// (so at most half the list is skipped).
async fn list_all<T: FromPage>(
    db: &Db,
    company_id: &str,
    list: &ListParams,
) -> StoreResult<Page<T>> {
    if list.sort.field == SortField::CreatedAt {
        return list_created(db, company_id, list).await;
    }
    let (limit, offset) = limit_offset(list);
    let reversed = match list.sort.direction {
        SortDirection::Asc => SortDirection::Desc,
        SortDirection::Desc => SortDirection::Asc,
    };
    let page = format!(
        "page as materialized (
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
             )",
        order_by_dir(list, "p", reversed),
        order_by(list, "p"),
    );
    let sql = format!(
        "with {TOTAL}, {page}
         {}",
        read_page(list, T::SHAPE)
    );
    let rows = db.query(&sql, &[&company_id, &limit, &offset]).await?;
    T::from_rows(db, company_id, &rows).await
}

/// `t`: the company's count of customers.
const TOTAL: &str = "t as materialized (
        select coalesce(sum(n), 0)::bigint as total from row_counts
        where company_id = $1 and kind = 'customers'
    )";

/// A page in `(created_at, seq)` order: [`SPAN`] finds its first row, and the page is the
/// rows from there along the key index (one descent, then neighbouring rows).
async fn list_created<T: FromPage>(
    db: &Db,
    company_id: &str,
    list: &ListParams,
) -> StoreResult<Page<T>> {
    let (limit, offset) = limit_offset(list);
    let (lo, hi) = match list.sort.direction {
        SortDirection::Asc => ("least($3, t.total)", "least($3 + $2, t.total)"),
        SortDirection::Desc => (
            "greatest(t.total - $3 - $2, 0)",
            "greatest(t.total - $3, 0)",
        ),
    };
    let span = SPAN.replace("{lo}", lo).replace("{hi}", hi);
    let rows_of_span = "select c.id, c.doc, c.created_at, c.seq from customers c
        where c.company_id = $1 and (c.created_at, c.seq) >= (span.ac, span.aseq)
        order by c.created_at, c.seq limit span.n";
    let read = match T::SHAPE {
        Shape::Json => format!(
            "select c.id, c.doc, span.total
             from span left join lateral ({rows_of_span}) c on true
             order by {}",
            order_by(list, "c")
        ),
        Shape::Full => format!(
            ", page as materialized (
                select span.total, array(select c.id from ({rows_of_span}) c) as ids from span
             )
             {}",
            read_page(list, Shape::Full)
        ),
    };
    let sql = format!("with {TOTAL}, {span} {read}");
    let rows = db.query(&sql, &[&company_id, &limit, &offset]).await?;
    T::from_rows(db, company_id, &rows).await
}

/// After `t` (the total): `span`, the ranks `lo + 1 ..= hi` of the company's customers in
/// ascending key order (`{lo}` and `{hi}` are filled in by direction) as the key of the first
/// (`ac`, `aseq`; null for an empty page) and their number `n`.
///
/// Positions are trusted up to `v`, the last one before the first queued key (all of them
/// without a queue). The first row's key is read by position when its rank is up to `v`, and
/// otherwise found in the key index after `v`'s key (normally only customers created in the
/// last moments follow it), from the nearer end. Positions beyond the total (customers deleted
/// by hand) are not trusted at all: the first row is then found in the key index. (Offsets are
/// kept from going negative in every branch: a branch whose condition is false still
/// evaluates its `offset`.)
const SPAN: &str = "u as materialized (
        select created_at, seq from (
            (select created_at, seq from customers_unpositioned
             where company_id = $1 order by created_at, seq limit 1)
            union all select 9223372036854775807, 9223372036854775807
        ) k order by created_at, seq limit 1
    ), v as materialized (
        select position, created_at, seq from (
            (select p.position, p.created_at, p.seq from customer_positions p, u
             where p.company_id = $1 and (p.created_at, p.seq) < (u.created_at, u.seq)
             order by p.position desc limit 1)
            union all select 0, -1, -1
        ) k order by position desc limit 1
    ), r as materialized (
        select t.total, {lo} as lo, {hi} as hi,
            case when v.position <= t.total then v.position else 0 end as vn,
            case when v.position <= t.total then v.created_at else -1 end as vc,
            case when v.position <= t.total then v.seq else -1 end as vs
        from t, v
    ), span as materialized (
        select r.total, r.hi - r.lo as n, k.created_at as ac, k.seq as aseq
        from r left join lateral (
            select p.created_at, p.seq from customer_positions p
            where r.lo < r.hi and r.lo < r.vn and p.company_id = $1 and p.position = r.lo + 1
            union all (
                select c.created_at, c.seq from customers c
                where r.lo < r.hi and r.lo >= r.vn and r.lo - r.vn <= (r.total - r.vn) / 2
                    and c.company_id = $1 and (c.created_at, c.seq) > (r.vc, r.vs)
                order by c.created_at, c.seq offset greatest(r.lo - r.vn, 0) limit 1
            ) union all (
                select c.created_at, c.seq from customers c
                where r.lo < r.hi and r.lo >= r.vn and r.lo - r.vn > (r.total - r.vn) / 2
                    and c.company_id = $1 and (c.created_at, c.seq) > (r.vc, r.vs)
                order by c.created_at desc, c.seq desc offset greatest(r.total - r.lo - 1, 0) limit 1
            )
        ) k on true
    )";

/// A page of the customers whose search text contains every pattern, and their count, in one
/// statement: through the words when every term allows it (see `words`), otherwise through
/// the trigram index.
async fn search<T: FromPage>(
    db: &Db,
    company_id: &str,
    terms: &[SearchTerm],
    list: &ListParams,
) -> StoreResult<Page<T>> {
    if words::by_words(terms) {
        return search_by_words(db, company_id, terms, list).await;
    }
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
        read = read_page(list, T::SHAPE)
    );
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&company_id, &limit, &offset];
    for term in terms {
        params.push(&term.lookup);
        params.push(&term.pattern);
    }
    let rows = db.query(&sql, &params).await?;
    T::from_rows(db, company_id, &rows).await
}

/// [`search`] through the words: the matches' keys come from `customer_words` alone; only the
/// page's customers are then read (in the default order; another order reads every match's
/// sort column).
async fn search_by_words<T: FromPage>(
    db: &Db,
    company_id: &str,
    terms: &[SearchTerm],
    list: &ListParams,
) -> StoreResult<Page<T>> {
    let (limit, offset) = limit_offset(list);
    let join = "join customers c on c.company_id = $1 and c.created_at = m.created_at
        and c.seq = m.seq";
    let ids = if list.sort.field == SortField::CreatedAt {
        format!(
            "select c.id from (select m.created_at, m.seq from m order by {}
                               limit $2 offset $3) m {join}",
            order_by(list, "m")
        )
    } else {
        format!(
            "select c.id from m {join} order by {} limit $2 offset $3",
            order_by(list, "c")
        )
    };
    let sql = format!(
        "with {matches}, page as materialized (
            select (select count(*) from m) as total, array({ids}) as ids
         )
         {read}",
        matches = words::matches_cte(terms.len(), 4),
        read = read_page(list, T::SHAPE)
    );
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&company_id, &limit, &offset];
    for term in terms {
        params.push(&term.pattern);
    }
    let rows = db.query(&sql, &params).await?;
    T::from_rows(db, company_id, &rows).await
}
