//! Payments and voiding. A payment changes the invoice and its job together: the invoice's
//! `due_amount` and the job's `outstanding_balance` drop by the same cents in one atomic write,
//! with the events of both (`invoice.payment.succeeded`, `invoice.paid`, `job.paid`, …).

use fieldwork_store::docs::{DocWrite, VERSION_CONFLICT};
use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_store::{Store, StoreError};
use fieldwork_types::PaymentIn;

use super::doc::{PAYMENT_METHODS, StoredInvoice, StoredPayment, status};
use super::{MAX_ATTEMPTS, load};
use crate::error::{ApiError, ApiResult};
use crate::services::line_items::cents;
use crate::services::validate::{self, MAX_NOTES};
use crate::services::{jobs, times};
use crate::webhooks::events;

/// Prefix of payment ids.
pub const PREFIX: &str = "pmt";

/// A checked payment request.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub amount: i64,
    pub payment_method: String,
    pub note: Option<String>,
    /// Unix microseconds; `None` means when it is recorded.
    pub paid_at: Option<i64>,
}

impl NewPayment {
    /// Checks a request body; times without an offset are read in `tz`.
    pub fn parse(input: PaymentIn, tz: chrono_tz::Tz) -> ApiResult<Self> {
        let amount = match input.amount {
            None => return Err(ApiError::invalid("amount", "is missing")),
            Some(v) => cents("amount", v)?,
        };
        if amount <= 0 {
            return Err(ApiError::invalid("amount", "must be more than 0 cents"));
        }
        let payment_method = validate::required("payment_method", input.payment_method, 64)?;
        if !PAYMENT_METHODS.contains(&payment_method.as_str()) {
            return Err(ApiError::invalid(
                "payment_method",
                format!("must be one of: {}", PAYMENT_METHODS.join(", ")),
            ));
        }
        let paid_at = input
            .paid_at
            .filter(|t| !t.trim().is_empty())
            .map(|t| times::parse("paid_at", &t, tz))
            .transpose()?;
        Ok(Self {
            amount,
            payment_method,
            note: validate::text("note", input.note, MAX_NOTES)?,
            paid_at,
        })
    }
}

/// Records a payment: appends it to the invoice (which becomes `paid` when nothing is left
/// due) and adds it to the job's `paid`. More than the invoice's amount due or the job's
/// outstanding balance is a 422. A locked job still
/// takes the payment: bookkeeping does not change the job's work.
pub async fn pay(
    store: &dyn Store,
    company_id: &str,
    invoice_id: &str,
    payment: NewPayment,
) -> ApiResult<StoredInvoice> {
    let tz = times::company_zone(store, company_id).await?;
    for _ in 0..MAX_ATTEMPTS {
        let mut invoice = load(store, company_id, invoice_id).await?;
        let (mut job, epochs) =
            jobs::load_with_epochs(store, company_id, &invoice.doc.job_id).await?;
        if !status::is_payable(&invoice.doc.status) {
            return Err(ApiError::invalid(
                "invoice",
                format!("is {} and takes no payments", invoice.doc.status),
            ));
        }
        let due = invoice.doc.due_amount();
        if payment.amount > due {
            return Err(ApiError::invalid(
                "amount",
                format!("is more than the amount due ({due} cents)"),
            ));
        }
        // The job's balance is the truth: a second invoice of the same job, or one whose job
        // got cheaper since, must not collect more than the job is owed.
        let owed = job.doc.outstanding();
        if payment.amount > owed {
            return Err(ApiError::invalid(
                "amount",
                format!("is more than the job's outstanding balance ({owed} cents)"),
            ));
        }
        let now = now_micros();
        let invoice_before = invoice.doc.clone();
        let paid_at = payment.paid_at.unwrap_or(now);
        invoice.doc.payments.push(StoredPayment {
            id: new_id(PREFIX),
            payment_method: payment.payment_method.clone(),
            amount: payment.amount,
            note: payment.note.clone(),
            paid_at,
        });
        if invoice.doc.due_amount() == 0 {
            invoice.doc.status = status::PAID.into();
            invoice.doc.paid_at = Some(paid_at);
        }
        let before = job.doc.clone();
        job.doc.paid += payment.amount;
        let mut writes = vec![
            DocWrite::Update(invoice.to_doc(now)),
            DocWrite::Update(job.to_doc(now)),
        ];
        let after = jobs::StoredJob {
            version: job.version + 1,
            updated_at: now,
            ..job.clone()
        };
        writes.extend(events::invoice_changed_writes(
            company_id,
            Some(&invoice_before),
            &invoice,
            tz,
        ));
        let (emits, _) =
            events::job_changed_writes(store, company_id, &before, &after, epochs).await?;
        writes.extend(emits);
        match store.write_docs(company_id, writes).await {
            Ok(stored) => {
                invoice.version = stored[0].version;
                invoice.updated_at = now;
                return Ok(invoice);
            }
            Err(StoreError::Conflict { constraint }) if constraint == VERSION_CONFLICT => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable)
}

/// Voids an invoice that nobody paid anything on (a paid amount would need a refund, which
/// Fieldwork does not model). Its due amount becomes 0; the job is unchanged.
pub async fn void(
    store: &dyn Store,
    company_id: &str,
    invoice_id: &str,
) -> ApiResult<StoredInvoice> {
    let tz = times::company_zone(store, company_id).await?;
    for _ in 0..MAX_ATTEMPTS {
        let mut invoice = load(store, company_id, invoice_id).await?;
        if !status::is_payable(&invoice.doc.status) {
            return Err(ApiError::invalid(
                "invoice",
                format!("is {} and cannot be voided", invoice.doc.status),
            ));
        }
        if !invoice.doc.payments.is_empty() {
            return Err(ApiError::invalid(
                "invoice",
                "has payments and cannot be voided",
            ));
        }
        let now = now_micros();
        let before = invoice.doc.clone();
        invoice.doc.status = status::VOIDED.into();
        invoice.doc.voided_at = Some(now);
        let mut writes = vec![DocWrite::Update(invoice.to_doc(now))];
        writes.extend(events::invoice_changed_writes(
            company_id,
            Some(&before),
            &invoice,
            tz,
        ));
        match store.write_docs(company_id, writes).await {
            Ok(stored) => {
                invoice.version = stored[0].version;
                invoice.updated_at = now;
                return Ok(invoice);
            }
            Err(StoreError::Conflict { constraint }) if constraint == VERSION_CONFLICT => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable)
}
