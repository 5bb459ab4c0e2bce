//! Turns stored events into HCP's `Event`.

use std::sync::Arc;

use fieldwork_store::Store;
use fieldwork_store::reference::{self, CompanyReference};
use fieldwork_store::time::format_ts;
use fieldwork_types::{Event, EventSchedule};

use super::doc::StoredEvent;
use crate::error::ApiResult;

/// What rendering needs besides the events: read once per request.
pub struct Context {
    pub company_id: String,
    /// The company and its employees (cached across requests, see `fieldwork_store::reference`).
    pub reference: Arc<CompanyReference>,
}

impl Context {
    /// Loads the company's name and employees.
    pub async fn load(store: &dyn Store, company_id: &str) -> ApiResult<Self> {
        Ok(Self {
            company_id: company_id.to_owned(),
            reference: reference::load(store, company_id).await?,
        })
    }
}

/// Renders one event.
pub fn event(ctx: &Context, stored: &StoredEvent) -> Event {
    let d = &stored.doc;
    Event {
        id: stored.id.clone(),
        name: d.name.clone(),
        note: d.note.clone(),
        tags: d.tags.clone(),
        recurrence_rule: d.recurrence_rule.clone(),
        address: d.address.clone(),
        assigned_employees: d
            .employee_ids
            .iter()
            .filter_map(|id| ctx.reference.employees.get(id).cloned())
            .collect(),
        schedule: EventSchedule {
            start_time: format_ts(d.start),
            end_time: format_ts(d.end),
            time_zone: d.time_zone.clone(),
        },
        all_day: d.all_day,
        created_at: format_ts(stored.created_at),
        updated_at: format_ts(stored.updated_at),
        company_name: ctx.reference.company.name.clone(),
        company_id: ctx.company_id.clone(),
    }
}
