//! `GET /invoices` with HCP's filters, and `GET /jobs/{job_id}/invoices`.

use fieldwork_store::docs::{DocFilter, DocKind, DocQuery, DocSort, Range, RangeField};
use fieldwork_store::{Page, Store};
use fieldwork_types::Invoice;

use super::doc::{PAYMENT_METHODS, StoredInvoice, method_key, status};
use super::render;
use crate::error::{ApiError, ApiResult};
use crate::services::{jobs, times};

/// The `sort_by` values of `GET /invoices`. Fieldwork never sends invoices, so every `sent_at`
/// is null and `sent_at` orders by creation, as ties do.
pub const SORTABLE: &[(&str, DocSort)] = &[
    ("created_at", DocSort::CreatedAt),
    ("updated_at", DocSort::UpdatedAt),
    ("amount", DocSort::SortText),
    ("due_amount", DocSort::Amount),
    ("due_at", DocSort::DueAt),
    ("paid_at", DocSort::PaidAt),
    ("invoice_number", DocSort::Number),
    ("status", DocSort::Status),
    ("sent_at", DocSort::CreatedAt),
];

/// Most invoices `GET /jobs/{job_id}/invoices` lists (a job has at most 999).
const MAX_JOB_INVOICES: u32 = 1_000;

/// Filters of an invoice list, parsed (times in unix microseconds, amounts in cents).
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub statuses: Vec<String>,
    pub customer_ids: Vec<String>,
    pub created_at: (Option<i64>, Option<i64>),
    pub due_at: (Option<i64>, Option<i64>),
    pub paid_at: (Option<i64>, Option<i64>),
    pub amount_due: (Option<i64>, Option<i64>),
    pub payment_methods: Vec<String>,
}

impl InvoiceFilter {
    /// The store filter; an unknown status or payment method is a 400.
    pub fn to_doc_filter(&self) -> ApiResult<DocFilter> {
        let unknown = |field: &str, allowed: &[&str]| {
            ApiError::bad_field(field, format!("must be one of: {}", allowed.join(", ")))
        };
        if self
            .statuses
            .iter()
            .any(|s| !status::ALL.contains(&s.as_str()))
        {
            return Err(unknown("status", status::ALL));
        }
        if self
            .payment_methods
            .iter()
            .any(|m| !PAYMENT_METHODS.contains(&m.as_str()))
        {
            return Err(unknown("payment_method", PAYMENT_METHODS));
        }
        let ranges = [
            (RangeField::CreatedAt, self.created_at),
            (RangeField::DueAt, self.due_at),
            (RangeField::PaidAt, self.paid_at),
            (RangeField::Amount, self.amount_due),
        ]
        .into_iter()
        .filter(|(_, (min, max))| min.is_some() || max.is_some())
        .map(|(field, (min, max))| Range { field, min, max })
        .collect();
        Ok(DocFilter {
            customer_ids: self.customer_ids.clone(),
            statuses: self.statuses.clone(),
            ranges,
            key_groups: if self.payment_methods.is_empty() {
                Vec::new()
            } else {
                vec![self.payment_methods.iter().map(|m| method_key(m)).collect()]
            },
            ..DocFilter::default()
        })
    }
}

/// One page of the company's invoices, rendered.
pub async fn list(
    store: &dyn Store,
    company_id: &str,
    query: &DocQuery,
) -> ApiResult<Page<Invoice>> {
    let tz = times::company_zone(store, company_id).await?;
    let page = store.list_docs(company_id, DocKind::Invoice, query).await?;
    Ok(page.map(|doc| render::invoice(&StoredInvoice::from_doc(doc), tz)))
}

/// Every invoice of a job, oldest first; an unknown job is a 404.
pub async fn of_job(store: &dyn Store, company_id: &str, job_id: &str) -> ApiResult<Vec<Invoice>> {
    jobs::load(store, company_id, job_id).await?;
    let tz = times::company_zone(store, company_id).await?;
    let query = DocQuery {
        filter: DocFilter {
            parent_id: Some(job_id.to_owned()),
            ..DocFilter::default()
        },
        sort: DocSort::Number,
        descending: false,
        page: 1,
        page_size: MAX_JOB_INVOICES,
        without_detail: false,
    };
    let page = store
        .list_docs(company_id, DocKind::Invoice, &query)
        .await?;
    Ok(page
        .items
        .into_iter()
        .map(|doc| render::invoice(&StoredInvoice::from_doc(doc), tz))
        .collect())
}
