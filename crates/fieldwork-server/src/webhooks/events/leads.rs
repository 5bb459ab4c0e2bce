//! Which lead events a change of a lead causes, with the lead as it will be stored (as
//! `GET /leads/{id}` shows it).

use crate::services::leads::Lead;
use fieldwork_store::docs::DocWrite;
use fieldwork_store::{OutboxEvent, Store};

use super::event;
use crate::error::ApiResult;
use crate::services::leads::{self, LeadDoc, StoredLead, status};

/// `lead.created` for a new lead.
pub fn lead_created(company_id: &str, lead: &Lead) -> OutboxEvent {
    event("lead.created", company_id, "lead", lead)
}

/// The `Emit` write of a lead change: `before` is the document as read, `after` the lead as it
/// will be stored. Converting is `lead.converted`, losing `lead.lost`, anything else
/// `lead.updated`.
pub async fn lead_changed_writes(
    store: &dyn Store,
    company_id: &str,
    before: &LeadDoc,
    after: &StoredLead,
) -> ApiResult<Vec<DocWrite>> {
    let name = match (before.status.as_str(), after.doc.status.as_str()) {
        (status::OPEN, status::WON) => "lead.converted",
        (status::OPEN, status::LOST) => "lead.lost",
        _ if *before != after.doc => "lead.updated",
        _ => return Ok(Vec::new()),
    };
    let lead = leads::present(store, company_id, after).await?;
    Ok(vec![DocWrite::Emit(event(name, company_id, "lead", &lead))])
}
