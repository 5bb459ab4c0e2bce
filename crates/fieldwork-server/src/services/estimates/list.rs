//! `GET /estimates`: the job filters of HCP's spec over the indexed columns.

use super::render::Estimate;
use fieldwork_store::docs::{DocKind, DocQuery, DocSort};
use fieldwork_store::{Page, Store};

use super::doc::StoredEstimate;
use super::render;
use crate::error::ApiResult;
use crate::services::jobs::Context;

/// The `sort_by` values of `GET /estimates` (the spec's list).
pub const SORTABLE: &[(&str, DocSort)] = &[
    ("created_at", DocSort::CreatedAt),
    ("updated_at", DocSort::UpdatedAt),
    ("id", DocSort::Id),
];

/// One page of estimates, rendered.
pub async fn list(
    store: &dyn Store,
    company_id: &str,
    query: &DocQuery,
    attachments: bool,
) -> ApiResult<Page<Estimate>> {
    let (page, epochs) = store
        .list_docs_with_epochs(company_id, DocKind::Estimate, query)
        .await?;
    let estimates: Vec<StoredEstimate> = page
        .items
        .into_iter()
        .map(StoredEstimate::from_doc)
        .collect();
    let customer_ids: Vec<&str> = estimates
        .iter()
        .map(|e| e.doc.customer_id.as_str())
        .collect();
    let ctx = Context::load_at(store, company_id, epochs, &customer_ids).await?;
    Ok(Page {
        items: estimates
            .iter()
            .map(|e| render::estimate(&ctx, e, attachments))
            .collect(),
        total: page.total,
    })
}
