//! Demo invoices: every completed demo job is invoiced when it was finished; a third of the
//! invoices are paid in full, a third in part, the rest are open.

use chrono::DateTime;
use fieldwork_store::docs::{DocFilter, DocKind, DocQuery};
use fieldwork_store::time::now_micros;
use fieldwork_store::{CompanyRecord, Store};

use crate::error::ApiError;
use crate::services::invoices::pay::{self, NewPayment};
use crate::services::invoices::{Terms, create, doc::PAYMENT_METHODS};
use crate::services::jobs::{StoredJob, status};

const DAY: i64 = 86_400_000_000;

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("demo invoices: {:?}", e.body())
}

/// Invoices the completed demo jobs (seeded before) and records some payments.
pub async fn seed(store: &dyn Store, company: &CompanyRecord) -> anyhow::Result<()> {
    let id = company.id.as_str();
    let now = now_micros();
    for (i, job) in completed_jobs(store, id).await?.iter().enumerate() {
        let finished = job
            .doc
            .work_timestamps
            .completed_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(now, |t| t.timestamp_micros().min(now));
        let terms = Terms {
            due_days: [0, 14, 30][i % 3],
        };
        let invoice = create::create_for_job(store, id, &job.id, terms, finished)
            .await
            .map_err(api)?;
        let due = invoice.doc.due_amount();
        let amount = match i % 3 {
            0 => due,
            1 => due / 2,
            _ => 0,
        };
        if amount > 0 {
            let payment = NewPayment {
                amount,
                payment_method: PAYMENT_METHODS[i % PAYMENT_METHODS.len()].into(),
                note: i.is_multiple_of(2).then(|| "Paid on site".to_owned()),
                // Paid on the day or within a week, never in the future.
                paid_at: Some((finished + (i as i64 % 8) * DAY).min(now)),
            };
            pay::pay(store, id, &invoice.id, payment)
                .await
                .map_err(api)?;
        }
    }
    Ok(())
}

/// The company's completed jobs, oldest first (the demo has about a hundred).
async fn completed_jobs(store: &dyn Store, company_id: &str) -> anyhow::Result<Vec<StoredJob>> {
    let query = DocQuery {
        filter: DocFilter {
            statuses: vec![
                status::COMPLETE_UNRATED.into(),
                status::COMPLETE_RATED.into(),
            ],
            ..DocFilter::default()
        },
        descending: false,
        page_size: 1_000,
        ..DocQuery::default()
    };
    let page = store.list_docs(company_id, DocKind::Job, &query).await?;
    Ok(page.items.into_iter().map(StoredJob::from_doc).collect())
}
