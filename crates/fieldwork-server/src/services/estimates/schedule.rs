//! `PUT /estimates/{id}/options/{option_id}/schedule`: the estimate's visit.
//!
//! HCP shows one schedule per estimate, so the schedule set through any option is the
//! estimate's; the option in the path must exist.

use fieldwork_store::Store;
use fieldwork_store::ids::new_id;
use fieldwork_store::time::format_ts;
use fieldwork_types::{ScheduleIn, ScheduleOut};

use super::modify;
use crate::error::{ApiError, ApiResult};
use crate::services::jobs::create::{
    APPOINTMENT_PREFIX, arrival_window, check_employees, check_span,
};
use crate::services::jobs::render::appointment;
use crate::services::jobs::{Context, StoredAppointment, status};
use crate::services::times;

/// Sets the visit; `dispatched_employees` (when given) become the assigned employees.
pub async fn set(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    option_id: &str,
    input: ScheduleIn,
) -> ApiResult<ScheduleOut> {
    let company = store.get_company(company_id).await?;
    let tz = times::zone(&company.profile.time_zone);
    let start_text = input
        .start_time
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("start_time", "is missing"))?;
    let start = times::parse("start_time", start_text, tz)?;
    let end = match input.end_time.as_deref().filter(|v| !v.trim().is_empty()) {
        Some(v) => times::parse("end_time", v, tz)?,
        None => start + 3_600_000_000,
    };
    check_span("end_time", start, end)?;
    let arrival = arrival_window("arrival_window_in_minutes", input.arrival_window_in_minutes)?;
    let dispatched = match input.dispatched_employees {
        Some(list) => {
            let mut ids = Vec::with_capacity(list.len());
            for (i, d) in list.into_iter().enumerate() {
                let id = d
                    .employee_id
                    .filter(|s| !s.trim().is_empty())
                    .ok_or_else(|| {
                        ApiError::invalid(
                            format!("dispatched_employees[{i}].employee_id"),
                            "is missing",
                        )
                    })?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            check_employees(store, company_id, "dispatched_employees", &ids).await?;
            Some(ids)
        }
        None => None,
    };
    let (estimate, ()) = modify(store, company_id, estimate_id, |doc| {
        if !doc.options.iter().any(|o| o.id == option_id) {
            return Err(ApiError::NotFound("option".into()));
        }
        if let Some(ids) = &dispatched {
            doc.assigned_employee_ids = ids.clone();
        }
        doc.appointments = vec![StoredAppointment {
            id: new_id(APPOINTMENT_PREFIX),
            start,
            end,
            anytime: false,
            arrival_window_minutes: arrival,
            employee_ids: doc.assigned_employee_ids.clone(),
        }];
        doc.arrival_window = arrival;
        if doc.work_status == status::NEEDS_SCHEDULING {
            doc.work_status = status::SCHEDULED.into();
        }
        Ok(())
    })
    .await?;
    let ctx = Context::load(store, company_id, &[]).await?;
    let doc = &estimate.doc;
    Ok(ScheduleOut {
        start_time: Some(format_ts(start)),
        end_time: Some(format_ts(end)),
        arrival_window_minutes: arrival,
        assigned_employees: ctx.employees(&doc.employee_ids()),
        appointments: doc.appointments.iter().map(appointment).collect(),
    })
}
