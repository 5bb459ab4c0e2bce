//! Job lists filtered to a span of scheduled start and sorted by creation, read per day
//! (see `DocQuery::start_span`).
//!
//! Each day of the span is read on `jobs_start_day` already in page order, and the days are
//! merged as they are read until the page is full ([`page_sql`]). The total follows
//! [`StartSpanCount`]: whole days from `job_start_days` (per-day counts kept by triggers), edge
//! days counted on `jobs_starts`.

use fieldwork_store::docs::{Doc, DocQuery, START_DAY as DAY, StartSpanCount};
use fieldwork_store::{Page, StoreResult};
use rusqlite::{Connection, params};

use crate::error::map_err;
use crate::sql::collect;

/// One page and the total of a list `DocQuery::start_span` accepted.
pub(crate) fn list(
    c: &Connection,
    company_id: &str,
    query: &DocQuery,
    (min, max): (i64, i64),
    rows: impl FnOnce(&Connection, &[i64]) -> StoreResult<Vec<Doc>>,
) -> StoreResult<Page<Doc>> {
    // Count and page from one snapshot.
    let tx = c.unchecked_transaction().map_err(map_err)?;
    let total = count(c, company_id, min, max)?;
    let seqs = collect(
        c,
        &page_sql(max / DAY - min / DAY + 1, query.descending),
        params![
            company_id,
            min,
            max,
            i64::from(query.page_size),
            query.offset()
        ],
        |r| r.get(0),
    )?;
    let items = rows(c, &seqs)?;
    tx.finish().map_err(map_err)?;
    Ok(Page { items, total })
}

/// The `seq`s of a page of the jobs starting in `[?2, ?3]` over `days` days (`?1` the company,
/// `?4` the page size, `?5` the offset): one arm per day on `jobs_start_day`, each already in
/// page order, which SQLite merges as it reads them (`MERGE (UNION ALL)` in its plan) and stops
/// at the page's end: about a page of entries read, where a query per day read up to a page
/// from every day and sorted them. The text depends only on the number of days and the order,
/// so each shape is prepared once.
fn page_sql(days: i64, descending: bool) -> String {
    let dir = if descending { "desc" } else { "asc" };
    let arms: Vec<String> = (0..days)
        .map(|k| {
            format!(
                "select created_at, seq from jobs indexed by jobs_start_day
                 where company_id = ?1 and starts_at / {DAY} = ?2 / {DAY} + {k}
                   and starts_at between ?2 and ?3"
            )
        })
        .collect();
    format!(
        "select seq from ({} order by 1 {dir}, 2 {dir} limit ?4 offset ?5)",
        arms.join(" union all ")
    )
}

/// Jobs starting in `[min, max]` ([`StartSpanCount`]): whole days from `job_start_days`,
/// edge days on `jobs_starts`.
fn count(c: &Connection, company_id: &str, min: i64, max: i64) -> StoreResult<u64> {
    let plan = StartSpanCount::new(min, max);
    let mut total: i64 = if plan.days.0 <= plan.days.1 {
        c.prepare_cached(
            "select coalesce(sum(n), 0) from job_start_days
             where company_id = ?1 and day between ?2 and ?3",
        )
        .and_then(|mut s| s.query_row(params![company_id, plan.days.0, plan.days.1], |r| r.get(0)))
        .map_err(map_err)?
    } else {
        0
    };
    for (sign, from, to) in plan.spans {
        total += sign * in_span(c, company_id, from, to)?;
    }
    Ok(u64::try_from(total).unwrap_or(0))
}

fn in_span(c: &Connection, company_id: &str, from: i64, to: i64) -> StoreResult<i64> {
    if from > to {
        return Ok(0);
    }
    c.prepare_cached(
        "select count(*) from jobs where company_id = ?1 and starts_at between ?2 and ?3",
    )
    .and_then(|mut s| s.query_row(params![company_id, from, to], |r| r.get(0)))
    .map_err(map_err)
}
