//! The stored form of an invoice and its indexed columns.

use fieldwork_store::docs::{Doc, DocIndex, DocKind};
use fieldwork_types::{InvoiceDiscount, InvoiceItem, InvoiceTax};
use serde::{Deserialize, Serialize};

/// Invoice `status` values (HCP's `status[]` filter words).
pub mod status {
    pub const OPEN: &str = "open";
    pub const PENDING_PAYMENT: &str = "pending_payment";
    pub const PAID: &str = "paid";
    pub const VOIDED: &str = "voided";
    pub const UNCOLLECTIBLE: &str = "uncollectible";
    pub const CANCELED: &str = "canceled";

    /// Every status, for the `status[]` filter.
    pub const ALL: &[&str] = &[OPEN, PENDING_PAYMENT, PAID, VOIDED, UNCOLLECTIBLE, CANCELED];

    /// Whether payments are still accepted.
    pub fn is_payable(s: &str) -> bool {
        matches!(s, OPEN | PENDING_PAYMENT)
    }
}

/// Payment methods of HCP's `payment_method[]` filter.
pub const PAYMENT_METHODS: &[&str] = &[
    "consumer_financing",
    "credit_card",
    "ach",
    "external",
    "mobile_check_deposit",
];

/// The filter key of invoices paid (at least partly) with `method`.
pub fn method_key(method: &str) -> String {
    format!("pm:{method}")
}

/// Largest invoice number suffix: a job has at most this many invoices.
pub const MAX_PER_JOB: i64 = 999;

/// A payment as stored; times in unix microseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPayment {
    pub id: String,
    pub payment_method: String,
    pub amount: i64,
    pub note: Option<String>,
    pub paid_at: i64,
}

/// An invoice as stored: a snapshot of the job's money when it was made, plus its payments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvoiceDoc {
    pub job_id: String,
    /// The job's invoice number.
    pub job_number: i64,
    /// 1 for the job's first invoice, 2 for its second, …
    pub sequence: i64,
    pub customer_id: String,
    /// The job's service address.
    pub address_id: Option<String>,
    pub status: String,
    pub items: Vec<InvoiceItem>,
    pub discounts: Vec<InvoiceDiscount>,
    pub taxes: Vec<InvoiceTax>,
    pub subtotal: i64,
    /// Total billed.
    pub amount: i64,
    pub payments: Vec<StoredPayment>,
    /// Days between the invoice date and the due date (0: due upon receipt).
    pub due_days: i64,
    pub due_at: i64,
    pub paid_at: Option<i64>,
    pub service_date: Option<i64>,
    pub invoice_date: i64,
    pub voided_at: Option<i64>,
}

/// An invoice read from the store, with what is needed to write it back.
#[derive(Debug, Clone)]
pub struct StoredInvoice {
    pub id: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub doc: InvoiceDoc,
}

impl InvoiceDoc {
    /// `29` for a job's first invoice, `29-2` for its second.
    pub fn invoice_number(&self) -> String {
        if self.sequence <= 1 {
            self.job_number.to_string()
        } else {
            format!("{}-{}", self.job_number, self.sequence)
        }
    }

    /// Sum of the payments.
    pub fn paid(&self) -> i64 {
        self.payments.iter().map(|p| p.amount).sum()
    }

    /// What is still owed; nothing once voided, canceled or written off.
    pub fn due_amount(&self) -> i64 {
        if status::is_payable(&self.status) {
            (self.amount - self.paid()).max(0)
        } else {
            0
        }
    }

    /// The indexed columns.
    pub fn index(&self, created_at: i64, updated_at: i64) -> DocIndex {
        let mut keys: Vec<String> = Vec::new();
        for p in &self.payments {
            let key = method_key(&p.payment_method);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        DocIndex {
            customer_id: Some(self.customer_id.clone()),
            status: Some(self.status.clone()),
            due_at: Some(self.due_at),
            paid_at: self.paid_at,
            amount: Some(self.due_amount()),
            parent_id: Some(self.job_id.clone()),
            // Unique per company, and ordered as the invoice numbers are (`29` < `29-2` < `30`).
            number: Some(self.job_number * (MAX_PER_JOB + 1) + self.sequence),
            // `sort_by=amount` orders by the total; zero-padded so text order is number order.
            sort_text: Some(format!("{:020}", self.amount.max(0))),
            keys,
            created_at,
            updated_at,
            ..DocIndex::default()
        }
    }
}

impl StoredInvoice {
    /// Reads a stored document.
    pub fn from_doc(doc: Doc) -> Self {
        Self {
            id: doc.id,
            version: doc.version,
            created_at: doc.index.created_at,
            updated_at: doc.index.updated_at,
            // Bodies are written only by this module; a corrupt one reads as empty.
            doc: serde_json::from_str(&doc.body).unwrap_or_default(),
        }
    }

    /// The document to write (insert or update) at `now`.
    pub fn to_doc(&self, now: i64) -> Doc {
        Doc {
            kind: DocKind::Invoice,
            id: self.id.clone(),
            version: self.version,
            index: self.doc.index(self.created_at, now),
            body: serde_json::to_string(&self.doc).expect("plain data serializes"),
            detail: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_order_like_invoice_numbers() {
        let inv = |job_number, sequence| InvoiceDoc {
            job_number,
            sequence,
            status: status::OPEN.into(),
            ..InvoiceDoc::default()
        };
        assert_eq!(inv(29, 1).invoice_number(), "29");
        assert_eq!(inv(29, 2).invoice_number(), "29-2");
        let n = |d: InvoiceDoc| d.index(0, 0).number.unwrap();
        assert!(n(inv(29, 1)) < n(inv(29, 2)));
        assert!(n(inv(29, MAX_PER_JOB)) < n(inv(30, 1)));
    }

    #[test]
    fn due_amount_follows_payments_and_status() {
        let mut d = InvoiceDoc {
            amount: 10_000,
            status: status::OPEN.into(),
            ..InvoiceDoc::default()
        };
        d.payments.push(StoredPayment {
            id: "pmt_1".into(),
            payment_method: "ach".into(),
            amount: 2_500,
            note: None,
            paid_at: 0,
        });
        assert_eq!(d.due_amount(), 7_500);
        assert_eq!(d.index(0, 0).keys, vec!["pm:ach"]);
        d.status = status::VOIDED.into();
        assert_eq!(d.due_amount(), 0);
    }
}
