//! `GET /estimates`: the job filters of HCP's spec over the indexed columns.

use super::render::Estimate;
use fieldwork_store::docs::{DocKind, DocQuery, DocSort};
use fieldwork_store::reference::CompanyReference;
use fieldwork_store::{Page, Store};

use super::doc::StoredEstimate;
use super::render;
use crate::error::ApiResult;
use crate::services::jobs::{self, Context};

/// The `sort_by` values of `GET /estimates` (the spec's list).
pub const SORTABLE: &[(&str, DocSort)] = &[
    ("created_at", DocSort::CreatedAt),
    ("updated_at", DocSort::UpdatedAt),
    ("id", DocSort::Id),
];

/// One page of estimates, rendered. `query_for` makes the store query from the company's
/// reference data, whose time zone reads the schedule filters' local times
/// ([`jobs::list::zoned_page`]).
pub async fn list(
    store: &dyn Store,
    company_id: &str,
    query_for: impl Fn(&CompanyReference) -> ApiResult<DocQuery>,
    attachments: bool,
) -> ApiResult<Page<Estimate>> {
    let (page, reference, epochs) =
        jobs::list::zoned_page(store, company_id, DocKind::Estimate, query_for).await?;
    let estimates: Vec<StoredEstimate> = page
        .items
        .into_iter()
        .map(StoredEstimate::from_doc)
        .collect();
    let customer_ids: Vec<&str> = estimates
        .iter()
        .map(|e| e.doc.customer_id.as_str())
        .collect();
    let ctx = Context::load_with(store, company_id, reference, epochs, &customer_ids).await?;
    Ok(Page {
        items: estimates
            .iter()
            .map(|e| render::estimate(&ctx, e, attachments))
            .collect(),
        total: page.total,
    })
}
