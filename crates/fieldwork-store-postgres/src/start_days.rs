//! Job lists filtered to a span of scheduled start and sorted by creation, read per day
//! (see `DocQuery::start_span`): one query takes each day's first entries on
//! `jobs_start_day`, already in page order, and merges the days. Their totals follow
//! [`StartSpanCount`]: whole days from `job_start_days` (per-day counts kept by triggers), edge
//! days counted on `jobs_starts`.

use fieldwork_store::docs::{DocQuery, START_DAY, StartSpanCount};

use crate::docs::Arg;

/// The query counting the jobs starting in `[min, max]` ([`StartSpanCount`]), and its
/// arguments (`$1` the company).
pub(crate) fn count(company_id: &str, min: i64, max: i64) -> (String, Vec<Arg>) {
    let plan = StartSpanCount::new(min, max);
    let mut args: Vec<Arg> = vec![Box::new(company_id.to_owned())];
    let mut sql = String::from("select 0::bigint");
    if plan.days.0 <= plan.days.1 {
        args.push(Box::new(plan.days.0));
        args.push(Box::new(plan.days.1));
        sql.push_str(
            " + (select coalesce(sum(n), 0) from job_start_days
                 where company_id = $1 and day between $2 and $3)::bigint",
        );
    }
    for (sign, from, to) in plan.spans {
        args.push(Box::new(from));
        args.push(Box::new(to));
        sql.push_str(&format!(
            " {} (select count(*) from jobs
                      where company_id = $1 and starts_at between ${} and ${})",
            if sign > 0 { "+" } else { "-" },
            args.len() - 1,
            args.len()
        ));
    }
    (sql, args)
}

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
