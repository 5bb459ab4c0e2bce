//! Leads: creation, reading, listing, conversion to an estimate or a job, and losing them.

pub mod convert;
pub mod create;
pub mod doc;
pub mod list;
pub mod render;

use fieldwork_store::docs::{DocKind, DocWrite, VERSION_CONFLICT};
use fieldwork_store::time::now_micros;
use fieldwork_store::{Store, StoreError};

pub use doc::{LeadDoc, StoredLead, status};
pub use render::Lead;

use crate::error::{ApiError, ApiResult};
use crate::services::jobs::Context;
use crate::webhooks::events;

/// Prefix of lead ids (HCP's is unknown; see docs/COMPATIBILITY.md).
pub const PREFIX: &str = "lea";
const MAX_ATTEMPTS: usize = 5;

/// Reads one lead.
pub async fn load(store: &dyn Store, company_id: &str, lead_id: &str) -> ApiResult<StoredLead> {
    Ok(StoredLead::from_doc(
        store.get_doc(company_id, DocKind::Lead, lead_id).await?,
    ))
}

/// Renders one stored lead for the API.
pub async fn present(store: &dyn Store, company_id: &str, lead: &StoredLead) -> ApiResult<Lead> {
    let ctx = Context::load(store, company_id, &[lead.doc.customer_id.as_str()]).await?;
    Ok(render::lead(&ctx, lead))
}

/// Reads a lead, applies `change` and writes it back together with the `extra` writes it
/// returns, all or nothing, with the change's event (`lead.converted`, `lead.lost`, …); runs
/// again (with the fresh lead) when another change of the same lead got in between.
pub async fn modify<T>(
    store: &dyn Store,
    company_id: &str,
    lead_id: &str,
    mut change: impl FnMut(&StoredLead, &mut LeadDoc) -> ApiResult<(T, Vec<DocWrite>)>,
) -> ApiResult<(StoredLead, T)> {
    for _ in 0..MAX_ATTEMPTS {
        let mut lead = load(store, company_id, lead_id).await?;
        let before = lead.doc.clone();
        let mut doc = lead.doc.clone();
        let (out, mut writes) = change(&lead, &mut doc)?;
        lead.doc = doc;
        let now = now_micros();
        writes.push(DocWrite::Update(lead.to_doc(now)));
        let after = StoredLead {
            version: lead.version + 1,
            updated_at: now,
            ..lead.clone()
        };
        writes.extend(events::lead_changed_writes(store, company_id, &before, &after).await?);
        match store.write_docs(company_id, writes).await {
            Ok(stored) => {
                lead.version = stored.last().map_or(lead.version, |d| d.version);
                lead.updated_at = now;
                return Ok((lead, out));
            }
            Err(StoreError::Conflict { constraint }) if constraint == VERSION_CONFLICT => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable)
}
