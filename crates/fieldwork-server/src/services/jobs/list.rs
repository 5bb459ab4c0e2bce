//! `GET /jobs`: the filters of HCP's spec over the indexed columns.

use std::sync::Arc;

use fieldwork_store::docs::{DocFilter, DocKind, DocQuery, DocSort, Range, RangeField};
use fieldwork_store::reference::{CompanyReference, Epochs};
use fieldwork_store::{Page, Store};

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

/// One page of jobs, rendered with the company's `reference` data.
pub async fn list(
    store: &dyn Store,
    company_id: &str,
    loaded: (Arc<CompanyReference>, Epochs),
    query: &DocQuery,
    expand: Expand,
) -> ApiResult<Page<Job>> {
    let query = DocQuery {
        without_detail: true,
        ..query.clone()
    };
    let page = store.list_docs(company_id, DocKind::Job, &query).await?;
    let jobs: Vec<StoredJob<Unread>> = page.items.into_iter().map(StoredJob::for_list).collect();
    let customer_ids: Vec<&str> = jobs.iter().map(|j| j.doc.customer_id.as_str()).collect();
    let ctx = Context::load_with(store, company_id, loaded, &customer_ids).await?;
    Ok(Page {
        items: jobs.iter().map(|j| render::job(&ctx, j, expand)).collect(),
        total: page.total,
    })
}
