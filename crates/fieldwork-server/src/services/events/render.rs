//! Turns stored events into HCP's `Event`.

use std::collections::HashMap;

use fieldwork_store::time::format_ts;
use fieldwork_store::{ListParams, Store};
use fieldwork_types::{Employee, Event, EventSchedule};

use super::doc::StoredEvent;
use crate::error::ApiResult;

/// What rendering needs besides the events: read once per request.
pub struct Context {
    pub company_id: String,
    pub company_name: String,
    pub employees: HashMap<String, Employee>,
}

impl Context {
    /// Loads the company's name and employees.
    pub async fn load(store: &dyn Store, company_id: &str) -> ApiResult<Self> {
        let all = ListParams {
            page: 1,
            page_size: 10_000,
            ..ListParams::default()
        };
        let company = store.get_company(company_id).await?;
        let employees = store.list_employees(company_id, &all).await?.items;
        Ok(Self {
            company_id: company_id.to_owned(),
            company_name: company.name,
            employees: employees.into_iter().map(|e| (e.id.clone(), e)).collect(),
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
            .filter_map(|id| ctx.employees.get(id).cloned())
            .collect(),
        schedule: EventSchedule {
            start_time: format_ts(d.start),
            end_time: format_ts(d.end),
            time_zone: d.time_zone.clone(),
        },
        all_day: d.all_day,
        created_at: format_ts(stored.created_at),
        updated_at: format_ts(stored.updated_at),
        company_name: ctx.company_name.clone(),
        company_id: ctx.company_id.clone(),
    }
}
