//! `GET /leads`: the filters of HCP's spec over the indexed columns and filter keys.

use super::render::Lead;
use fieldwork_store::docs::{DocFilter, DocKind, DocQuery, DocSort};
use fieldwork_store::{Page, Store};

use super::doc::{StoredLead, source_key, status};
use super::render;
use crate::error::{ApiError, ApiResult};
use crate::services::jobs::Context;

/// The `sort_by` values of `GET /leads` (the spec's list).
pub const SORTABLE: &[(&str, DocSort)] = &[
    ("created_at", DocSort::CreatedAt),
    ("updated_at", DocSort::UpdatedAt),
    ("id", DocSort::Id),
    ("status", DocSort::Status),
];

/// Filters of a lead list, as sent.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub employee_ids: Vec<String>,
    pub customer_id: Option<String>,
    pub status: Option<String>,
    pub tag_ids: Vec<String>,
    pub lead_sources: Vec<String>,
}

impl LeadFilter {
    /// The store filter; an unknown `status` is a 400.
    pub fn to_doc_filter(&self) -> ApiResult<DocFilter> {
        if let Some(s) = &self.status
            && !status::ALL.contains(&s.as_str())
        {
            return Err(ApiError::bad_field(
                "status",
                "must be one of: lost, open, won",
            ));
        }
        let group = |prefix: &str, values: &[String]| -> Vec<String> {
            values.iter().map(|v| format!("{prefix}{v}")).collect()
        };
        let mut key_groups = Vec::new();
        if !self.employee_ids.is_empty() {
            key_groups.push(group("emp:", &self.employee_ids));
        }
        if !self.tag_ids.is_empty() {
            key_groups.push(group("tag:", &self.tag_ids));
        }
        if !self.lead_sources.is_empty() {
            key_groups.push(self.lead_sources.iter().map(|s| source_key(s)).collect());
        }
        Ok(DocFilter {
            customer_ids: self.customer_id.iter().cloned().collect(),
            statuses: self.status.iter().cloned().collect(),
            key_groups,
            ..DocFilter::default()
        })
    }
}

/// One page of leads, rendered.
pub async fn list(store: &dyn Store, company_id: &str, query: &DocQuery) -> ApiResult<Page<Lead>> {
    let (page, epochs) = store
        .list_docs_with_epochs(company_id, DocKind::Lead, query)
        .await?;
    let leads: Vec<StoredLead> = page.items.into_iter().map(StoredLead::from_doc).collect();
    let customer_ids: Vec<&str> = leads.iter().map(|l| l.doc.customer_id.as_str()).collect();
    let ctx = Context::load_at(store, company_id, epochs, &customer_ids).await?;
    Ok(Page {
        items: leads.iter().map(|l| render::lead(&ctx, l)).collect(),
        total: page.total,
    })
}
