//! Making invoices: when a job is finished (in the same write as the job), and on request
//! (`fieldwork invoices create`), with its `invoice.created`. A job may have several invoices.

use fieldwork_store::docs::{DocFilter, DocKind, DocQuery, DocWrite};
use fieldwork_store::time::now_micros;
use fieldwork_store::{Store, StoreError};

use super::MAX_ATTEMPTS;
use super::build::{self, Terms};
use super::doc::{MAX_PER_JOB, StoredInvoice};
use crate::error::{ApiError, ApiResult};
use crate::services::jobs::{self, StoredJob, lifecycle, status};
use crate::services::times;
use crate::webhooks::events;

/// Finishes a job and makes its invoice, in one atomic write: either the job is complete and
/// invoiced, or neither. Retries when another change of the job got in between.
pub async fn finish_job(
    store: &dyn Store,
    company_id: &str,
    job_id: &str,
    terms: Terms,
) -> ApiResult<(StoredJob, StoredInvoice)> {
    let tz = times::company_zone(store, company_id).await?;
    for _ in 0..MAX_ATTEMPTS {
        let (mut job, epochs) = jobs::load_with_epochs(store, company_id, job_id).await?;
        jobs::refuse_locked(&job.doc)?;
        let before = job.doc.clone();
        lifecycle::finish(&mut job.doc)?;
        let now = now_micros();
        let sequence = next_sequence(store, company_id, job_id).await?;
        let invoice = build::from_job(&job, sequence, terms, now);
        let mut writes = vec![
            DocWrite::Update(job.to_doc(now)),
            DocWrite::Insert(invoice.to_doc(now)),
        ];
        let after = StoredJob {
            version: job.version + 1,
            updated_at: now,
            ..job.clone()
        };
        let (emits, _) =
            events::job_changed_writes(store, company_id, &before, &after, epochs).await?;
        writes.extend(emits);
        writes.extend(events::invoice_changed_writes(
            company_id, None, &invoice, tz,
        ));
        match store.write_docs(company_id, writes).await {
            Ok(stored) => {
                job.version = stored[0].version;
                job.updated_at = now;
                return Ok((job, invoice));
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable)
}

/// Makes another invoice of a job from its current line items, dated `at` (unix
/// microseconds; the demo backdates). Canceled jobs are not billed.
pub async fn create_for_job(
    store: &dyn Store,
    company_id: &str,
    job_id: &str,
    terms: Terms,
    at: i64,
) -> ApiResult<StoredInvoice> {
    let tz = times::company_zone(store, company_id).await?;
    for _ in 0..MAX_ATTEMPTS {
        let job = jobs::load(store, company_id, job_id).await?;
        if matches!(
            job.doc.work_status.as_str(),
            status::USER_CANCELED | status::PRO_CANCELED
        ) {
            return Err(ApiError::invalid(
                "job",
                format!("cannot be invoiced: it is {}", job.doc.work_status),
            ));
        }
        let sequence = next_sequence(store, company_id, job_id).await?;
        let invoice = build::from_job(&job, sequence, terms, at);
        let mut writes = vec![DocWrite::Insert(invoice.to_doc(invoice.created_at))];
        writes.extend(events::invoice_changed_writes(
            company_id, None, &invoice, tz,
        ));
        match store.write_docs(company_id, writes).await {
            Ok(_) => return Ok(invoice),
            // Another invoice of the job took this number meanwhile: count again.
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable)
}

/// The sequence number of a job's next invoice. Two writers counting at once pick the same
/// one; the unique invoice number makes the second write fail, and it counts again.
async fn next_sequence(store: &dyn Store, company_id: &str, job_id: &str) -> ApiResult<i64> {
    let query = DocQuery {
        filter: DocFilter {
            parent_id: Some(job_id.to_owned()),
            ..DocFilter::default()
        },
        page_size: 1,
        ..DocQuery::default()
    };
    let existing = store
        .list_docs(company_id, DocKind::Invoice, &query)
        .await?
        .total;
    let next = i64::try_from(existing)
        .unwrap_or(i64::MAX)
        .saturating_add(1);
    if next > MAX_PER_JOB {
        return Err(ApiError::invalid(
            "job",
            format!("already has {MAX_PER_JOB} invoices"),
        ));
    }
    Ok(next)
}
