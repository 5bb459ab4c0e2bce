//! Invoices of jobs, their lines, taxes, discounts and payments. Money is integer cents.

use serde::{Deserialize, Serialize};

/// An invoice as HCP returns it (`JobInvoice` plus `job_id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    /// `inv_` + 32 hex.
    pub id: String,
    pub job_id: String,
    /// `open`, `pending_payment`, `paid`, `voided`, `uncollectible` or `canceled`.
    pub status: String,
    /// The job's invoice number; `29-2` for the job's second invoice.
    pub invoice_number: String,
    /// Total billed, cents: `subtotal` + discounts (negative) + taxes.
    pub amount: i64,
    /// Sum of `items`, cents.
    pub subtotal: i64,
    /// What is still owed, cents.
    pub due_amount: i64,
    pub due_at: String,
    /// Human-readable payment terms (`Due upon receipt`, `Net 30`).
    pub display_due_concept: String,
    /// Machine-readable payment terms (`upon_receipt`, `net_30`).
    pub due_concept: String,
    pub paid_at: Option<String>,
    pub sent_at: Option<String>,
    /// `YYYY-MM-DD` in the company's time zone.
    pub service_date: Option<String>,
    /// `YYYY-MM-DD` in the company's time zone.
    pub invoice_date: String,
    pub items: Vec<InvoiceItem>,
    pub taxes: Vec<InvoiceTax>,
    pub discounts: Vec<InvoiceDiscount>,
    pub payments: Vec<InvoicePayment>,
}

/// A billed line: a job line item as it stood when the invoice was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceItem {
    /// The id of the job line item it bills (`rli_…`).
    pub id: String,
    pub name: String,
    pub unit_cost: i64,
    pub unit_price: i64,
    /// Quantity × 100.
    pub qty_in_hundredths: i64,
    pub amount: i64,
    pub description: Option<String>,
    /// The line's kind: `labor`, `materials` or `fixed gratuity`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// Tax on the taxable lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceTax {
    pub id: String,
    /// Thousandths of a percent (8.625 % is 8625): the spec types it as an integer.
    pub rate: i64,
    pub amount: i64,
    pub name: String,
}

/// A discount line of the job; `amount` is negative, as on the job's line items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceDiscount {
    pub id: String,
    pub amount: i64,
    pub name: String,
    pub description: Option<String>,
}

/// A payment received against an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoicePayment {
    /// `pmt_` + 32 hex.
    pub id: String,
    /// Always `succeeded`: Fieldwork records payments that were received.
    pub status: String,
    /// `consumer_financing`, `credit_card`, `ach`, `external` or `mobile_check_deposit`.
    pub payment_method: String,
    pub amount: i64,
    pub note: Option<String>,
    pub paid_at: String,
    /// Always `payment` (refunds are not modelled).
    pub category: String,
}

/// `GET /jobs/{job_id}/invoices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobInvoices {
    pub invoices: Vec<Invoice>,
}

/// Body of Fieldwork's `POST /api/invoices/{uuid}/payments`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PaymentIn {
    /// Cents, more than 0 and at most the amount due.
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub payment_method: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// When the money was received (ISO-8601; default now).
    #[serde(default)]
    pub paid_at: Option<String>,
}
