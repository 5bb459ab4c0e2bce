//! Demo invoices: every completed demo job is invoiced; some invoices are paid in full, some in
//! part, the rest are open. Until the demo has completed jobs of its own, a few are made here.

use fieldwork_store::docs::{DocFilter, DocKind, DocQuery};
use fieldwork_store::{CompanyRecord, ListParams, Store};
use fieldwork_types::LineItemIn;

use crate::error::ApiError;
use crate::services::invoices::pay::{self, NewPayment};
use crate::services::invoices::{Terms, create, doc::PAYMENT_METHODS};
use crate::services::jobs::create::{NewJob, insert};
use crate::services::jobs::{JobDoc, StoredJob, status};
use crate::services::line_items;

/// Jobs made here when the demo has no completed job: description and lines
/// (name, kind, cents, quantity).
const JOBS: &[(&str, &[(&str, &str, i64, f64)])] = &[
    (
        "Clear kitchen drain",
        &[("Drain cleaning", "labor", 18_900, 1.0)],
    ),
    (
        "Replace 50-gal water heater",
        &[
            ("Install labor", "labor", 15_000, 3.0),
            ("50-gal gas water heater", "materials", 129_900, 1.0),
            ("Haul-away of old tank", "labor", 7_500, 1.0),
        ],
    ),
    (
        "Fix leaking shutoff valve",
        &[
            ("Leak repair", "labor", 12_500, 1.5),
            ("1/2\" quarter-turn valve", "materials", 2_450, 2.0),
        ],
    ),
    (
        "Annual furnace tune-up",
        &[
            ("Furnace tune-up", "labor", 14_900, 1.0),
            ("Maintenance-plan discount", "percent discount", 15, 1.0),
        ],
    ),
    (
        "Install bathroom faucet",
        &[
            ("Fixture install", "labor", 11_000, 1.0),
            ("Customer-supplied faucet", "materials", 0, 1.0),
        ],
    ),
    (
        "Sewer line camera inspection",
        &[
            ("Camera inspection", "labor", 29_500, 1.0),
            ("Repeat-customer credit", "fixed discount", 2_500, 1.0),
        ],
    ),
    (
        "Repair furnace igniter",
        &[
            ("Diagnostic", "labor", 9_900, 1.0),
            ("Hot-surface igniter", "materials", 6_800, 1.0),
            ("Repair labor", "labor", 15_000, 1.0),
        ],
    ),
    (
        "Unclog main line",
        &[
            ("Main line rooter", "labor", 34_500, 1.0),
            ("After-hours fee", "fixed gratuity", 7_500, 1.0),
        ],
    ),
];

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{:?}", e.body())
}

/// Invoices the completed demo jobs and records some payments.
pub async fn seed(store: &dyn Store, company: &CompanyRecord) -> anyhow::Result<()> {
    let id = company.id.as_str();
    let mut completed = completed_jobs(store, id).await?;
    if completed.is_empty() {
        make_jobs(store, id).await?;
        completed = completed_jobs(store, id).await?;
    }
    for (i, job) in completed.iter().enumerate() {
        let terms = Terms {
            due_days: [0, 14, 30][i % 3],
        };
        let invoice = match latest_invoice(store, id, &job.id).await? {
            Some(invoice_id) => invoice_id,
            None => {
                create::create_for_job(store, id, &job.id, terms)
                    .await
                    .map_err(api)?
                    .id
            }
        };
        let invoice = crate::services::invoices::load(store, id, &invoice)
            .await
            .map_err(api)?;
        let due = invoice.doc.due_amount();
        // A third paid in full, a third in part, a third still open.
        let amount = match i % 3 {
            0 => due,
            1 => due / 2,
            _ => 0,
        };
        if amount > 0 {
            let payment = NewPayment {
                amount,
                payment_method: PAYMENT_METHODS[i % PAYMENT_METHODS.len()].into(),
                note: (i % 2 == 0).then(|| "Paid on site".to_owned()),
                paid_at: None,
            };
            pay::pay(store, id, &invoice.id, payment)
                .await
                .map_err(api)?;
        }
    }
    Ok(())
}

/// The company's completed jobs (up to 200).
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
        page_size: 200,
        ..DocQuery::default()
    };
    let page = store.list_docs(company_id, DocKind::Job, &query).await?;
    Ok(page.items.into_iter().map(StoredJob::from_doc).collect())
}

/// The id of a job's latest invoice, if it has one.
async fn latest_invoice(
    store: &dyn Store,
    company_id: &str,
    job_id: &str,
) -> anyhow::Result<Option<String>> {
    let query = DocQuery {
        filter: DocFilter {
            parent_id: Some(job_id.to_owned()),
            ..DocFilter::default()
        },
        page_size: 1,
        ..DocQuery::default()
    };
    let page = store
        .list_docs(company_id, DocKind::Invoice, &query)
        .await?;
    Ok(page.items.into_iter().next().map(|d| d.id))
}

/// Makes and finishes a few jobs for demo customers (finishing invoices them).
async fn make_jobs(store: &dyn Store, company_id: &str) -> anyhow::Result<()> {
    let all = ListParams {
        page: 1,
        page_size: 100,
        ..ListParams::default()
    };
    let customers = store.list_customers(company_id, None, &all).await?.items;
    for (i, (description, lines)) in JOBS.iter().enumerate() {
        let Some(customer) = customers.get(i * 5 % customers.len().max(1)) else {
            return Ok(());
        };
        let inputs = lines
            .iter()
            .map(|(name, kind, cents, qty)| LineItemIn {
                name: Some((*name).into()),
                kind: Some((*kind).into()),
                unit_price: Some(*cents as f64),
                quantity: Some(*qty),
                taxable: Some(*kind == "materials"),
                ..LineItemIn::default()
            })
            .collect();
        let new = NewJob {
            invoice_number: None,
            doc: JobDoc {
                description: Some((*description).into()),
                customer_id: customer.id.clone(),
                address_id: customer.addresses.first().map(|a| a.id.clone()),
                work_status: status::NEEDS_SCHEDULING.into(),
                line_items: line_items::build_all("line_items", inputs).map_err(api)?,
                // A Bay Area sales tax, on materials.
                tax_rate: 8.5,
                ..JobDoc::default()
            },
        };
        let job = insert(store, company_id, new).await.map_err(api)?;
        create::finish_job(store, company_id, &job.id, Terms::default())
            .await
            .map_err(api)?;
    }
    Ok(())
}
