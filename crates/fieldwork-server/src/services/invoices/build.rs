//! An invoice from a job's line items: the same money rules as the job (`line_items::totals`),
//! so a new invoice's subtotal and amount are the job's subtotal and total.

use chrono::DateTime;
use fieldwork_store::ids::new_id;
use fieldwork_types::{InvoiceDiscount, InvoiceItem, InvoiceTax, LineItem};

use super::doc::{InvoiceDoc, StoredInvoice, status};
use crate::services::jobs::StoredJob;

/// Prefix of invoice ids. HCP's path calls the id a "uuid", as it does for other prefixed ids
/// (`customer_uuid[]=cus_…`), so it is shaped like every other Fieldwork id.
pub const PREFIX: &str = "inv";
/// Prefix of the ids of invoice tax lines.
pub const TAX_PREFIX: &str = "itx";
/// Name of the tax line (jobs carry a rate but no tax name).
const TAX_NAME: &str = "Sales tax";
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Payment terms: how many days after the invoice date it is due (0: upon receipt).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terms {
    pub due_days: i64,
}

/// The `sequence`th invoice of `job`, made at `now`.
pub fn from_job(job: &StoredJob, sequence: i64, terms: Terms, now: i64) -> StoredInvoice {
    let d = &job.doc;
    let totals = d.totals();
    let (discount_lines, item_lines): (Vec<&LineItem>, Vec<&LineItem>) = d
        .line_items
        .iter()
        .partition(|l| matches!(l.kind.as_str(), "fixed discount" | "percent discount"));
    let items: Vec<InvoiceItem> = item_lines
        .into_iter()
        .map(|l| InvoiceItem {
            id: l.id.clone(),
            name: l.name.clone(),
            unit_cost: l.unit_cost,
            unit_price: l.unit_price,
            qty_in_hundredths: (l.quantity * 100.0).round() as i64,
            amount: l.amount,
            description: l.description.clone(),
            kind: l.kind.clone(),
        })
        .collect();
    // `totals` caps the discounts at the subtotal; cap the lines the same way, in order, so
    // they add up to the same figure.
    let mut room = totals.subtotal;
    let discounts: Vec<InvoiceDiscount> = discount_lines
        .into_iter()
        .map(|l| {
            let amount = l.amount.max(-room);
            room += amount;
            InvoiceDiscount {
                id: l.id.clone(),
                amount,
                name: l.name.clone(),
                description: l.description.clone(),
            }
        })
        .collect();
    let taxes = if totals.tax > 0 {
        vec![InvoiceTax {
            id: new_id(TAX_PREFIX),
            rate: (d.tax_rate * 1000.0).round() as i64,
            amount: totals.tax,
            name: TAX_NAME.into(),
        }]
    } else {
        Vec::new()
    };
    // An invoice for nothing owes nothing: it is paid the moment it exists.
    let (status, paid_at) = if totals.total == 0 {
        (status::PAID, Some(now))
    } else {
        (status::OPEN, None)
    };
    StoredInvoice {
        id: new_id(PREFIX),
        version: 1,
        created_at: now,
        updated_at: now,
        doc: InvoiceDoc {
            job_id: job.id.clone(),
            job_number: job.number,
            sequence,
            customer_id: d.customer_id.clone(),
            address_id: d.address_id.clone(),
            status: status.into(),
            items,
            discounts,
            taxes,
            subtotal: totals.subtotal,
            amount: totals.total,
            payments: Vec::new(),
            due_days: terms.due_days,
            due_at: now + terms.due_days * MICROS_PER_DAY,
            paid_at,
            service_date: service_date(job),
            invoice_date: now,
            voided_at: None,
        },
    }
}

/// When the work was done: completion, else the first appointment.
fn service_date(job: &StoredJob) -> Option<i64> {
    job.doc
        .work_timestamps
        .completed_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_micros())
        .or_else(|| job.doc.span().map(|s| s.0))
}

#[cfg(test)]
mod tests {
    use fieldwork_types::LineItemIn;

    use super::*;
    use crate::services::jobs::JobDoc;
    use crate::services::line_items;

    fn line(kind: &str, price: f64, qty: f64) -> LineItemIn {
        LineItemIn {
            name: Some(kind.into()),
            kind: Some(kind.into()),
            unit_price: Some(price),
            quantity: Some(qty),
            ..LineItemIn::default()
        }
    }

    fn job(lines: Vec<LineItemIn>, tax_rate: f64) -> StoredJob {
        StoredJob {
            id: "job_1".into(),
            version: 1,
            number: 29,
            created_at: 0,
            updated_at: 0,
            doc: JobDoc {
                customer_id: "cus_1".into(),
                line_items: line_items::build_all("line_items", lines).unwrap(),
                tax_rate,
                ..JobDoc::default()
            },
        }
    }

    #[test]
    fn money_matches_the_job() {
        let j = job(
            vec![
                line("labor", 10_000.0, 1.5),
                line("materials", 2_550.0, 2.0),
                line("fixed discount", 1_000.0, 1.0),
                line("percent discount", 10.0, 1.0),
            ],
            8.25,
        );
        let inv = from_job(&j, 1, Terms { due_days: 30 }, 1_000);
        let d = &inv.doc;
        let t = j.doc.totals();
        assert_eq!((d.subtotal, d.amount), (t.subtotal, t.total));
        assert_eq!(d.items.iter().map(|i| i.amount).sum::<i64>(), d.subtotal);
        let discounts: i64 = d.discounts.iter().map(|x| x.amount).sum();
        let taxes: i64 = d.taxes.iter().map(|x| x.amount).sum();
        assert_eq!(d.subtotal + discounts + taxes, d.amount);
        assert_eq!(d.taxes[0].rate, 8_250);
        assert_eq!(d.items[0].qty_in_hundredths, 150);
        assert_eq!(d.status, status::OPEN);
        assert_eq!(d.due_at, 1_000 + 30 * MICROS_PER_DAY);
        assert_eq!(d.invoice_number(), "29");
    }

    #[test]
    fn discounts_are_capped_like_the_total() {
        let j = job(
            vec![
                line("labor", 1_000.0, 1.0),
                line("fixed discount", 800.0, 1.0),
                line("fixed discount", 800.0, 1.0),
            ],
            0.0,
        );
        let d = from_job(&j, 2, Terms::default(), 5).doc;
        let amounts: Vec<i64> = d.discounts.iter().map(|x| x.amount).collect();
        assert_eq!(amounts, vec![-800, -200]);
        assert_eq!(d.amount, 0);
        assert_eq!((d.status.as_str(), d.paid_at), (status::PAID, Some(5)));
        assert_eq!(d.invoice_number(), "29-2");
    }
}
