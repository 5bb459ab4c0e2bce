//! `GET /jobs`: the filters of HCP's spec over the indexed columns.

use std::sync::Arc;

use fieldwork_store::docs::{DocFilter, DocKind, DocQuery, DocSort, Range, RangeField};
use fieldwork_store::reference::{self, CompanyReference, Epochs};
use fieldwork_store::{Doc, Page, Store};

use super::doc::{StoredJob, status};
use super::render::{self, Context, Expand, Job};
use crate::error::{ApiError, ApiResult};
use crate::services::line_items::Unread;

/// The `sort_by` values of `GET /jobs`.
pub const SORTABLE: &[(&str, DocSort)] = &[
    ("created_at", DocSort::CreatedAt),
    ("updated_at", DocSort::UpdatedAt),
    ("invoice_number", DocSort::Number),
    ("id", DocSort::Id),
    ("description", DocSort::SortText),
    ("work_status", DocSort::Status),
];

/// Filters of a job list, parsed.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub scheduled_start: (Option<i64>, Option<i64>),
    pub scheduled_end: (Option<i64>, Option<i64>),
    pub employee_ids: Vec<String>,
    pub customer_id: Option<String>,
    /// `work_status[]` words: unscheduled, scheduled, in_progress, completed, canceled.
    pub work_status: Vec<String>,
}

impl JobFilter {
    /// The store filter; an unknown `work_status[]` word is a 400.
    pub fn to_doc_filter(&self) -> ApiResult<DocFilter> {
        let mut statuses = Vec::new();
        for word in &self.work_status {
            let (_, list) = status::FILTERS
                .iter()
                .find(|(w, _)| w == word)
                .ok_or_else(|| {
                    ApiError::bad_field(
                        "work_status",
                        "must be one of: unscheduled, scheduled, in_progress, completed, canceled",
                    )
                })?;
            statuses.extend(list.iter().map(|s| s.to_string()));
        }
        let mut ranges = Vec::new();
        for (field, (min, max)) in [
            (RangeField::StartsAt, self.scheduled_start),
            (RangeField::EndsAt, self.scheduled_end),
        ] {
            if min.is_some() || max.is_some() {
                ranges.push(Range { field, min, max });
            }
        }
        Ok(DocFilter {
            customer_ids: self.customer_id.iter().cloned().collect(),
            statuses,
            ranges,
            key_groups: if self.employee_ids.is_empty() {
                Vec::new()
            } else {
                vec![
                    self.employee_ids
                        .iter()
                        .map(|e| format!("emp:{e}"))
                        .collect(),
                ]
            },
            ..DocFilter::default()
        })
    }
}

/// One page of jobs. `query_for` makes the store query from the company's reference data,
/// whose time zone reads the filters' local times ([`zoned_page`]).
pub async fn list(
    store: &dyn Store,
    company_id: &str,
    query_for: impl Fn(&CompanyReference) -> ApiResult<DocQuery>,
    expand: Expand,
) -> ApiResult<Page<Job>> {
    let without_detail = |reference: &CompanyReference| {
        Ok(DocQuery {
            without_detail: true,
            ..query_for(reference)?
        })
    };
    let (page, reference, epochs) =
        zoned_page(store, company_id, DocKind::Job, without_detail).await?;
    let jobs: Vec<StoredJob<Unread>> = page.items.into_iter().map(StoredJob::for_list).collect();
    let customer_ids: Vec<&str> = jobs.iter().map(|j| j.doc.customer_id.as_str()).collect();
    let ctx = Context::load_with(store, company_id, reference, epochs, &customer_ids).await?;
    Ok(Page {
        items: jobs.iter().map(|j| render::job(&ctx, j, expand)).collect(),
        total: page.total,
    })
}

/// A page of documents whose query depends on the company's time zone (local times in its
/// filters), with the reference data and epochs it was read under. The page is read with the
/// company's epochs (in the page's own round trip on PostgreSQL) under the reference data
/// cached before, which those epochs then confirm; had the time zone changed meanwhile, the
/// page is read again with the new one.
pub async fn zoned_page(
    store: &dyn Store,
    company_id: &str,
    kind: DocKind,
    query_for: impl Fn(&CompanyReference) -> ApiResult<DocQuery>,
) -> ApiResult<(Page<Doc>, Arc<CompanyReference>, Epochs)> {
    let mut assumed = match reference::cached(store, company_id) {
        Some(cached) => cached,
        None => reference::load(store, company_id).await?,
    };
    for _ in 0..3 {
        let query = query_for(&assumed)?;
        let (page, epochs) = store
            .list_docs_with_epochs(company_id, kind, &query)
            .await?;
        let reference = reference::at_epochs(store, company_id, epochs).await?;
        if reference.company.profile.time_zone == assumed.company.profile.time_zone {
            return Ok((page, reference, epochs));
        }
        assumed = reference;
    }
    // The time zone changed between every read: try again later.
    Err(ApiError::Unavailable)
}
