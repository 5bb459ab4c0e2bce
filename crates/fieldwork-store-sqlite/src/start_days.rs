//! Job lists filtered to a span of scheduled start and sorted by creation, read per day
//! (see `DocQuery::start_span`).
//!
//! Each day of the span is read on `jobs_start_day` already in page order, at most
//! `offset + page_size` entries per day, and the days are merged. The total follows
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
    let end = query.offset() + i64::from(query.page_size);
    let dir = if query.descending { "desc" } else { "asc" };
    let sql = format!(
        "select created_at, seq from jobs indexed by jobs_start_day
         where company_id = ?1 and starts_at / {DAY} = ?2 and starts_at between ?3 and ?4
         order by created_at {dir}, seq {dir} limit ?5"
    );
    let mut keys: Vec<(i64, i64)> = Vec::new();
    for day in min / DAY..=max / DAY {
        keys.extend(collect(
            c,
            &sql,
            params![company_id, day, min, max, end],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?);
    }
    keys.sort_unstable();
    if query.descending {
        keys.reverse();
    }
    let seqs: Vec<i64> = keys
        .iter()
        .skip(usize::try_from(query.offset()).unwrap_or(usize::MAX))
        .take(query.page_size as usize)
        .map(|k| k.1)
        .collect();
    let items = rows(c, &seqs)?;
    tx.finish().map_err(map_err)?;
    Ok(Page { items, total })
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
