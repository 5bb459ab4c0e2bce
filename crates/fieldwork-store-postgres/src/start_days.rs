//! Job lists filtered to a span of scheduled start and sorted by creation, read per day
//! (see `DocQuery::start_span`): one query takes each day's first entries on
//! `jobs_start_day`, already in page order, and merges the days.

use fieldwork_store::docs::{DocQuery, START_DAY};

/// The page's ids for a list `DocQuery::start_span` accepted, in the shape of the general
/// plan's subquery: `$1` is the company, `$2`/`$3` the span (the only filter), `$4` the page
/// size and `$5` the offset.
pub(crate) fn page_ids(q: &DocQuery) -> String {
    let dir = if q.descending { "desc" } else { "asc" };
    format!(
        "select d.id from generate_series($2::bigint / {START_DAY}, $3::bigint / {START_DAY}) as day,
            lateral (select id, created_at, seq from jobs
                     where company_id = $1 and starts_at / {START_DAY} = day
                       and starts_at >= $2 and starts_at <= $3
                     order by created_at {dir}, seq {dir} limit $4::bigint + $5::bigint) as d
         order by d.created_at {dir}, d.seq {dir} limit $4 offset $5"
    )
}
