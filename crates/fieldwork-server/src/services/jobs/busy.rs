//! Booked time: the appointments of open jobs, per bookable employee (for booking windows).

use chrono::{DateTime, Utc};
use fieldwork_store::docs::{DocFilter, DocKind, DocQuery, DocSort, Range, RangeField};
use fieldwork_store::{ListParams, Store};

use super::doc::{StoredJob, status};
use crate::error::ApiResult;
use crate::services::booking::BusyTimes;
use crate::services::line_items::Unread;

/// Jobs read per store call, and the most read for one request.
const PAGE: u32 = 1000;
const MAX_PAGES: u32 = 20;

/// The booked intervals within `[from, to]` (unix micros) of each employee that counts: the
/// ones named in `only`, or else every employee bookable online. A company without such
/// employees gets one list holding every appointment.
pub async fn busy_times(
    store: &dyn Store,
    company_id: &str,
    from: i64,
    to: i64,
    only: &[String],
) -> ApiResult<Vec<BusyTimes>> {
    let all = ListParams::all();
    let employees = store.list_employees(company_id, &all).await?.items;
    let counted: Vec<String> = employees
        .into_iter()
        .filter(|e| {
            if only.is_empty() {
                e.permissions.can_be_booked_online
            } else {
                only.contains(&e.id)
            }
        })
        .map(|e| e.id)
        .collect();
    let mut intervals: Vec<(i64, i64, Vec<String>)> = Vec::new();
    for page in 1..=MAX_PAGES {
        let query = DocQuery {
            filter: DocFilter {
                statuses: [
                    status::NEEDS_SCHEDULING,
                    status::SCHEDULED,
                    status::IN_PROGRESS,
                ]
                .map(String::from)
                .to_vec(),
                ranges: vec![
                    Range {
                        field: RangeField::StartsAt,
                        min: None,
                        max: Some(to),
                    },
                    Range {
                        field: RangeField::EndsAt,
                        min: Some(from),
                        max: None,
                    },
                ],
                ..DocFilter::default()
            },
            sort: DocSort::CreatedAt,
            descending: false,
            page,
            page_size: PAGE,
            without_detail: true,
        };
        let docs = store.list_docs(company_id, DocKind::Job, &query).await?;
        let n = docs.items.len();
        for doc in docs.items {
            let job = StoredJob::<Unread>::from_doc(doc);
            for a in &job.doc.appointments {
                if a.start < to && a.end > from {
                    intervals.push((a.start, a.end, a.employee_ids.clone()));
                }
            }
        }
        if n < PAGE as usize {
            break;
        }
    }
    let utc = |m: i64| DateTime::<Utc>::from_timestamp_micros(m).unwrap_or_default();
    if counted.is_empty() {
        return Ok(vec![
            intervals
                .iter()
                .map(|(s, e, _)| (utc(*s), utc(*e)))
                .collect(),
        ]);
    }
    Ok(counted
        .iter()
        .map(|emp| {
            intervals
                .iter()
                .filter(|(_, _, ids)| ids.contains(emp))
                .map(|(s, e, _)| (utc(*s), utc(*e)))
                .collect()
        })
        .collect())
}
