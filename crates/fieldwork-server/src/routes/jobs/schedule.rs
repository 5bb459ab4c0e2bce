//! `/jobs/{id}/schedule`, `/dispatch`, `/appointments`: when and by whom the work is done.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use fieldwork_store::time::format_ts;
use fieldwork_types::{Appointment, AppointmentIn, DispatchIn, ScheduleIn, ScheduleOut};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::extract::{HcpJson, MaxPlanCompany};
use crate::routes::Json;
use crate::services::jobs::create::check_employees;
use crate::services::jobs::render::{Context, appointment};
use crate::services::jobs::{self, schedule};
use crate::services::times;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/jobs/{job_id}/schedule",
            put(update_schedule).delete(delete_schedule),
        )
        .route("/jobs/{job_id}/dispatch", put(dispatch))
        .route(
            "/jobs/{job_id}/appointments",
            get(list_appointments).post(create_appointment),
        )
        .route(
            "/jobs/{job_id}/appointments/{appointment_id}",
            put(update_appointment).delete(delete_appointment),
        )
}

async fn update_schedule(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    HcpJson(input): HcpJson<ScheduleIn>,
) -> ApiResult<Json<ScheduleOut>> {
    let store = state.store.as_ref();
    let tz = times::company_zone(state.store.as_ref(), &auth.company_id).await?;
    let new = schedule::parse_schedule(input, tz)?;
    if let Some(ids) = &new.employee_ids {
        check_employees(store, &auth.company_id, "dispatched_employees", ids).await?;
    }
    let (job, ()) = jobs::modify(store, &auth.company_id, &job_id, |doc| {
        schedule::set_schedule(doc, new.clone())
    })
    .await?;
    let ctx = Context::load(store, &auth.company_id, &[]).await?;
    let span = job.doc.span();
    Ok(Json(ScheduleOut {
        start_time: span.map(|s| format_ts(s.0)),
        end_time: span.map(|s| format_ts(s.1)),
        arrival_window_minutes: job.doc.arrival_window,
        assigned_employees: ctx.employees(&job.doc.employee_ids()),
        appointments: job.doc.appointments.iter().map(appointment).collect(),
    }))
}

async fn delete_schedule(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Value>> {
    jobs::modify(
        state.store.as_ref(),
        &auth.company_id,
        &job_id,
        schedule::clear_schedule,
    )
    .await?;
    Ok(Json(json!({ "object": "schedule", "deleted": true })))
}

async fn dispatch(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    HcpJson(input): HcpJson<DispatchIn>,
) -> ApiResult<Json<Value>> {
    let store = state.store.as_ref();
    let list = input
        .dispatched_employees
        .ok_or_else(|| ApiError::invalid("dispatched_employees", "is missing"))?;
    let ids = schedule::employee_ids("dispatched_employees", list)?;
    check_employees(store, &auth.company_id, "dispatched_employees", &ids).await?;
    let (job, ()) = jobs::modify(store, &auth.company_id, &job_id, |doc| {
        jobs::lifecycle::check_schedulable(doc, "dispatch")?;
        doc.assigned_employee_ids = ids.clone();
        // A job with one visit: that visit goes to the dispatched team too.
        if let [only] = doc.appointments.as_mut_slice() {
            only.employee_ids = ids.clone();
        }
        Ok(())
    })
    .await?;
    let ctx = Context::load(store, &auth.company_id, &[]).await?;
    Ok(Json(json!({
        "assigned_employees": ctx.employees(&job.doc.assigned_employee_ids)
    })))
}

async fn list_appointments(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let job = jobs::load(state.store.as_ref(), &auth.company_id, &job_id).await?;
    let list: Vec<Appointment> = job.doc.appointments.iter().map(appointment).collect();
    Ok(Json(json!({ "appointments": list })))
}

async fn create_appointment(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    HcpJson(input): HcpJson<AppointmentIn>,
) -> ApiResult<(StatusCode, Json<Appointment>)> {
    let store = state.store.as_ref();
    let tz = times::company_zone(state.store.as_ref(), &auth.company_id).await?;
    let new = schedule::parse_appointment(input, tz, None)?;
    check_employees(
        store,
        &auth.company_id,
        "dispatched_employees_ids",
        &new.employee_ids,
    )
    .await?;
    jobs::modify(store, &auth.company_id, &job_id, |doc| {
        schedule::add_appointment(doc, new.clone())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(appointment(&new))))
}

async fn update_appointment(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((job_id, appointment_id)): Path<(String, String)>,
    HcpJson(input): HcpJson<AppointmentIn>,
) -> ApiResult<Json<Appointment>> {
    let store = state.store.as_ref();
    let tz = times::company_zone(state.store.as_ref(), &auth.company_id).await?;
    if let Some(ids) = &input.dispatched_employees_ids {
        check_employees(store, &auth.company_id, "dispatched_employees_ids", ids).await?;
    }
    let (_, updated) = jobs::modify(store, &auth.company_id, &job_id, |doc| {
        let current = doc
            .appointments
            .iter()
            .find(|a| a.id == appointment_id)
            .cloned()
            .ok_or_else(|| ApiError::NotFound("appointment".into()))?;
        let new = schedule::parse_appointment(input.clone(), tz, Some(&current))?;
        schedule::replace_appointment(doc, new.clone())?;
        Ok(new)
    })
    .await?;
    Ok(Json(appointment(&updated)))
}

async fn delete_appointment(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((job_id, appointment_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        schedule::remove_appointment(doc, &appointment_id)
    })
    .await?;
    Ok(Json(json!({ "id": appointment_id, "deleted": true })))
}
