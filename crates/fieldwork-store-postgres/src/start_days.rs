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
/// the general plan's subquery ([`merged_days`]): for later pages, whose skipped entries are
/// read from the index alone.
pub(crate) fn page_ids(q: &DocQuery, span: (i64, i64)) -> String {
    merged_days(q, span, "id, created_at, seq", "u.id")
}

/// A first page (no offset) of such a list, its rows read straight from the table with the
/// columns `cols` (named `names` outside): the merge reads about a page of entries and a row
/// for each, where finding the ids first then looks each one up again by its key (five pages
/// a row) and sorts the rows.
pub(crate) fn first_page(q: &DocQuery, span: (i64, i64), cols: &str, names: &str) -> String {
    merged_days(q, span, &format!("{cols}, seq"), names)
}

/// `$1` is the company, `$2`/`$3` the span (the only filter), `$4` the page size and `$5` the
/// offset. One arm per day on `jobs_start_day` selecting `arm_cols` (which must name
/// `created_at` and `seq`), each already in page order, which PostgreSQL merges as it reads
/// them (a Merge Append of index scans) until the page is full: about a page of entries read,
/// where reading each day up to the page's end and sorting them read up to a page per day.
/// The first and last days' arms are bounded by the span: `starts_at` is the index's last key
/// column, so the bound is checked on the entry and an entry it drops (an edge day's other
/// hours, in a week of a company's own zone) costs no row read. The text depends only on the
/// number of days, the order and the columns, so each shape is prepared once (its generic plan
/// keeps these index scans: the bound is an index condition of the index that has the order).
fn merged_days(q: &DocQuery, (min, max): (i64, i64), arm_cols: &str, select: &str) -> String {
    let dir = if q.descending { "desc" } else { "asc" };
    let order = format!("order by created_at {dir}, seq {dir}");
    let days = max / START_DAY - min / START_DAY + 1;
    // Only the arms of a union may each have an order (one select may not have two).
    let arm_order = if days > 1 { order.as_str() } else { "" };
    let arms: Vec<String> = (0..days)
        .map(|k| {
            let from = if k == 0 { " and starts_at >= $2" } else { "" };
            let to = if k == days - 1 {
                " and starts_at <= $3"
            } else {
                ""
            };
            format!(
                "(select {arm_cols} from jobs
                  where company_id = $1 and starts_at / {START_DAY} = $2::bigint / {START_DAY} + {k}
                  {from}{to} {arm_order})"
            )
        })
        .collect();
    format!(
        "select {select} from ({} {order} offset 0) as u {order} limit $4 offset $5",
        arms.join(" union all ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_edge_days_are_bounded() {
        let q = DocQuery::default();
        let day = 20_000 * START_DAY;
        let week = merged_days(
            &q,
            (day + 8 * 3_600_000_000, day + 7 * START_DAY),
            "id",
            "u.id",
        );
        assert_eq!(week.matches("union all").count(), 7, "eight days: {week}");
        assert_eq!(week.matches("starts_at >= $2").count(), 1, "{week}");
        assert_eq!(week.matches("starts_at <= $3").count(), 1, "{week}");
        let first = week.find("starts_at >= $2").unwrap();
        let last = week.find("starts_at <= $3").unwrap();
        assert!(first < week.find("union all").unwrap(), "{week}");
        assert!(last > week.rfind("union all").unwrap(), "{week}");
        let hour = merged_days(&q, (day, day + 3_600_000_000), "id", "u.id");
        assert!(!hour.contains("union all"), "{hour}");
        assert!(
            hour.contains("starts_at >= $2 and starts_at <= $3"),
            "{hour}"
        );
    }
}
