//! Job lists filtered to a span of scheduled start and sorted by creation, read per day
//! (see `DocQuery::start_span`): one query reads the days on `jobs_start_day`, each already in
//! page order, merging them until the page is full. Their totals follow
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

/// The page's ids for a list `DocQuery::start_span` accepted (`(min, max)`), in the shape of
/// the general plan's subquery ([`merged_days`]).
pub(crate) fn page_ids(q: &DocQuery, span: (i64, i64)) -> String {
    merged_days(q, span, "id, created_at, seq, starts_at", "u.id")
}

/// A first page (no offset) of such a list, its rows read straight from the table with the
/// columns `cols` (named `names` outside): the merge reads about a page of entries and a row
/// for each, where finding the ids first then looks each one up again by its key (five pages
/// a row) and sorts the rows. Only for a span of [whole days](whole_days); later pages and
/// other spans find their ids first ([`page_ids`]): entries a page skips, or that the span's
/// bounds drop, are read from the index alone, without their rows.
pub(crate) fn first_page(q: &DocQuery, span: (i64, i64), cols: &str, names: &str) -> String {
    merged_days(q, span, &format!("{cols}, seq"), names)
}

/// Whether the span `[min, max]` is whole (UTC) days, to within a second at either end (a
/// client's `…T23:59:59Z`): then its bounds drop no entry the merge reads. A span with part of
/// an edge day, such as a week in another time zone, would read that day's other entries and
/// drop them, each a row read; when they were made after the span's (jobs booked in order),
/// the merge meets all of them first.
pub(crate) fn whole_days((min, max): (i64, i64)) -> bool {
    const SECOND: i64 = 1_000_000;
    min.rem_euclid(START_DAY) < SECOND && max.rem_euclid(START_DAY) >= START_DAY - SECOND - 1
}

/// `$1` is the company, `$2`/`$3` the span (the only filter), `$4` the page size and `$5` the
/// offset. One arm per day on `jobs_start_day` selecting `arm_cols` (which must name
/// `created_at`, `seq` and `starts_at`), each already in page order, which PostgreSQL merges
/// as it reads them (a Merge Append of index scans) until the page is full: about a page of
/// entries read, where reading each day up to the page's end and sorting them read up to a
/// page per day. The span's bounds filter the merged entries rather than the edge days' arms
/// (`offset 0` keeps them out): in a generic plan a bound's unknown selectivity made those
/// arms read their day's rows from the table and sort them. The text depends only on the
/// number of days, the order and the columns, so each shape is prepared once.
fn merged_days(q: &DocQuery, (min, max): (i64, i64), arm_cols: &str, select: &str) -> String {
    let dir = if q.descending { "desc" } else { "asc" };
    let order = format!("order by created_at {dir}, seq {dir}");
    let days = max / START_DAY - min / START_DAY + 1;
    // Only the arms of a union may each have an order (one select may not have two).
    let arm_order = if days > 1 { order.as_str() } else { "" };
    let arms: Vec<String> = (0..days)
        .map(|k| {
            format!(
                "(select {arm_cols} from jobs
                  where company_id = $1 and starts_at / {START_DAY} = $2::bigint / {START_DAY} + {k}
                  {arm_order})"
            )
        })
        .collect();
    format!(
        "select {select} from ({} {order} offset 0) as u
         where u.starts_at >= $2 and u.starts_at <= $3
         {order} limit $4 offset $5",
        arms.join(" union all ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = START_DAY / 24;

    #[test]
    fn only_spans_of_whole_days_read_their_rows_directly() {
        let day = 20_000 * START_DAY;
        let span = |from: i64, to: i64| whole_days((from, to - 1));
        assert!(span(day, day + 7 * START_DAY));
        assert!(span(day, day + START_DAY));
        // To 23:59:59 (a second's worth dropped at most).
        assert!(span(day, day + 7 * START_DAY - 999_999));
        // A week and a day in New York; an hour.
        assert!(!span(day + 5 * HOUR, day + 7 * START_DAY + 5 * HOUR));
        assert!(!span(day + 5 * HOUR, day + START_DAY + 5 * HOUR));
        assert!(!span(day + 14 * HOUR, day + 15 * HOUR));
        assert!(!span(day, day + 7 * START_DAY - 2_000_000));
    }
}
