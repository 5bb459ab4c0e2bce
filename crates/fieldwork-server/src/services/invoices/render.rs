//! Turns stored invoices into HCP's `JobInvoice` shape.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fieldwork_store::time::format_ts;
use fieldwork_types::{Invoice, InvoicePayment};

use super::doc::StoredInvoice;

/// The local calendar date (`YYYY-MM-DD`) of a time in the company's zone.
pub fn local_date(micros: i64, tz: Tz) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// `(due_concept, display_due_concept)` of payment terms.
pub fn due_concept(due_days: i64) -> (String, String) {
    if due_days <= 0 {
        ("upon_receipt".into(), "Due upon receipt".into())
    } else {
        (format!("net_{due_days}"), format!("Net {due_days}"))
    }
}

/// Renders one invoice; `tz` is the company's time zone (for the dates).
pub fn invoice(stored: &StoredInvoice, tz: Tz) -> Invoice {
    let d = &stored.doc;
    let (due_concept, display_due_concept) = due_concept(d.due_days);
    Invoice {
        id: stored.id.clone(),
        job_id: d.job_id.clone(),
        status: d.status.clone(),
        invoice_number: d.invoice_number(),
        amount: d.amount,
        subtotal: d.subtotal,
        due_amount: d.due_amount(),
        due_at: format_ts(d.due_at),
        display_due_concept,
        due_concept,
        paid_at: d.paid_at.map(format_ts),
        // Fieldwork does not send invoices to customers.
        sent_at: None,
        service_date: d.service_date.map(|t| local_date(t, tz)),
        invoice_date: local_date(d.invoice_date, tz),
        items: d.items.clone(),
        taxes: d.taxes.clone(),
        discounts: d.discounts.clone(),
        payments: d
            .payments
            .iter()
            .map(|p| InvoicePayment {
                id: p.id.clone(),
                status: "succeeded".into(),
                payment_method: p.payment_method.clone(),
                amount: p.amount,
                note: p.note.clone(),
                paid_at: format_ts(p.paid_at),
                category: "payment".into(),
            })
            .collect(),
    }
}
