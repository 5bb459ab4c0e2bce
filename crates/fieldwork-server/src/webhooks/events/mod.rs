//! Building the outbox events of a change from the rendered object: the envelope HCP sends,
//! and which events a change of each kind of document causes (`jobs`, `estimates`, `leads`,
//! `invoices`). Customers and employees are made by the store, which builds their events itself
//! (`fieldwork_store::events`).

mod estimates;
mod invoices;
mod jobs;
mod leads;

use fieldwork_store::OutboxEvent;

pub use estimates::{estimate_changed_writes, estimate_created};
pub use invoices::invoice_changed_writes;
pub use jobs::{JOB_EXPAND, job_changed_writes, job_created};
pub use leads::{lead_changed_writes, lead_created};

/// An event whose payload is `{"event", "company_id", "<key>": object}`.
pub fn event(
    event_type: &str,
    company_id: &str,
    key: &str,
    object: &impl serde::Serialize,
) -> OutboxEvent {
    OutboxEvent::new(
        event_type,
        fieldwork_store::events::envelope_of(event_type, company_id, key, object),
    )
}
