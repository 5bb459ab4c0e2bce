//! Which invoice events a change of an invoice causes.

use chrono_tz::Tz;
use fieldwork_store::docs::DocWrite;

use super::event;
use crate::services::invoices::{InvoiceDoc, StoredInvoice, render, status};

/// The `Emit` writes of an invoice change, each carrying the invoice as it will be stored,
/// rendered as `GET /api/invoices/{id}` shows it (`tz`: the company's zone). `before` is `None`
/// for a new invoice (`invoice.created`). A new payment is `invoice.payment.succeeded`,
/// followed by `invoice.paid` when it leaves nothing due; voiding is `invoice.voided`; a
/// changed total is `invoice.amount_updated`.
pub fn invoice_changed_writes(
    company_id: &str,
    before: Option<&InvoiceDoc>,
    after: &StoredInvoice,
    tz: Tz,
) -> Vec<DocWrite> {
    let names = match before {
        None => vec!["invoice.created"],
        Some(before) => changes(before, &after.doc),
    };
    if names.is_empty() {
        return Vec::new();
    }
    let invoice = render::invoice(after, tz);
    names
        .into_iter()
        .map(|name| DocWrite::Emit(event(name, company_id, "invoice", &invoice)))
        .collect()
}

fn changes(before: &InvoiceDoc, after: &InvoiceDoc) -> Vec<&'static str> {
    let mut out = Vec::new();
    let new_payments = after.payments.len().saturating_sub(before.payments.len());
    out.extend(std::iter::repeat_n(
        "invoice.payment.succeeded",
        new_payments,
    ));
    if before.status != after.status {
        match after.status.as_str() {
            status::PAID => out.push("invoice.paid"),
            status::VOIDED => out.push("invoice.voided"),
            status::CANCELED => out.push("invoice.canceled"),
            _ => {}
        }
    }
    if before.amount != after.amount {
        out.push("invoice.amount_updated");
    }
    out
}
