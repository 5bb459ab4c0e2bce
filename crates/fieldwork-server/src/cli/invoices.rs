//! `fieldwork invoices …`: make, pay and void invoices from the command line, with the same
//! rules as the API.

use anyhow::Context;
use clap::Subcommand;
use fieldwork_store::Store;
use fieldwork_store::docs::DocKind;
use fieldwork_store::time::now_micros;

use super::admin::{company_id, open};
use crate::config::Config;
use crate::error::ApiError;
use crate::services::invoices::doc::PAYMENT_METHODS;
use crate::services::invoices::pay::{self, NewPayment};
use crate::services::invoices::{StoredInvoice, Terms, create};

#[derive(Debug, Subcommand)]
pub enum InvoicesCommand {
    /// Invoice a job's current line items; prints the invoice id as the last word.
    Create {
        /// Job id (`job_…`).
        #[arg(long)]
        job: String,
        /// Company id, or `demo` (default: the company that owns the job).
        #[arg(long)]
        company: Option<String>,
        /// Days until the invoice is due (0: due upon receipt).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..=365))]
        due_in_days: i64,
    },
    /// Record a payment received against an invoice.
    Pay {
        /// Invoice id (`inv_…`).
        invoice_id: String,
        /// Cents received.
        #[arg(long)]
        amount: i64,
        #[arg(long, value_parser = PAYMENT_METHODS.to_vec())]
        method: String,
        #[arg(long)]
        note: Option<String>,
        /// Company id, or `demo` (default: the company that owns the invoice).
        #[arg(long)]
        company: Option<String>,
    },
    /// Void an invoice nothing was paid on.
    Void {
        /// Invoice id (`inv_…`).
        invoice_id: String,
        /// Company id, or `demo` (default: the company that owns the invoice).
        #[arg(long)]
        company: Option<String>,
    },
}

pub async fn invoices(config: &Config, cmd: InvoicesCommand) -> anyhow::Result<()> {
    let store = open(config).await?;
    let store = store.as_ref();
    match cmd {
        InvoicesCommand::Create {
            job,
            company,
            due_in_days,
        } => {
            let company_id = owner(store, company.as_deref(), DocKind::Job, &job).await?;
            let terms = Terms {
                due_days: due_in_days,
            };
            let invoice = create::create_for_job(store, &company_id, &job, terms, now_micros())
                .await
                .map_err(message)
                .with_context(|| format!("cannot invoice job {job}"))?;
            println!(
                "Created invoice {} of job {job} for {} cents: {}",
                invoice.doc.invoice_number(),
                invoice.doc.amount,
                invoice.id
            );
        }
        InvoicesCommand::Pay {
            invoice_id,
            amount,
            method,
            note,
            company,
        } => {
            let company_id =
                owner(store, company.as_deref(), DocKind::Invoice, &invoice_id).await?;
            anyhow::ensure!(amount > 0, "--amount must be more than 0 cents");
            let payment = NewPayment {
                amount,
                payment_method: method,
                note,
                paid_at: None,
            };
            let invoice = pay::pay(store, &company_id, &invoice_id, payment)
                .await
                .map_err(message)
                .with_context(|| format!("cannot record the payment on {invoice_id}"))?;
            print_state(&invoice);
        }
        InvoicesCommand::Void {
            invoice_id,
            company,
        } => {
            let company_id =
                owner(store, company.as_deref(), DocKind::Invoice, &invoice_id).await?;
            let invoice = pay::void(store, &company_id, &invoice_id)
                .await
                .map_err(message)
                .with_context(|| format!("cannot void {invoice_id}"))?;
            print_state(&invoice);
        }
    }
    Ok(())
}

fn print_state(invoice: &StoredInvoice) {
    println!(
        "Invoice {} is {}: {} cents due of {}",
        invoice.id,
        invoice.doc.status,
        invoice.doc.due_amount(),
        invoice.doc.amount
    );
}

/// The company that `--company` names, or else the one whose document `id` is.
async fn owner(
    store: &dyn Store,
    given: Option<&str>,
    kind: DocKind,
    id: &str,
) -> anyhow::Result<String> {
    if let Some(given) = given {
        return company_id(store, given).await;
    }
    for company in store.list_companies().await? {
        if store.get_doc(&company.id, kind, id).await.is_ok() {
            return Ok(company.id);
        }
    }
    anyhow::bail!("no company has a {} {id}", kind.label())
}

/// The message an API client would read.
fn message(e: ApiError) -> anyhow::Error {
    let body = e.body();
    let text = body["message"]
        .as_str()
        .or_else(|| body["error"]["message"].as_str())
        .unwrap_or("failed");
    anyhow::anyhow!("{text}")
}
