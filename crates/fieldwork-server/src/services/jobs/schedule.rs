//! Schedules, appointments and dispatch. A job's schedule is the span of its appointments;
//! `PUT /jobs/{id}/schedule` manages a job with at most one appointment, the appointment
//! endpoints any number.

use chrono_tz::Tz;
use fieldwork_store::ids::new_id;
use fieldwork_types::{AppointmentIn, DispatchedEmployee, ScheduleIn};

use super::create::{APPOINTMENT_PREFIX, arrival_window, check_span};
use super::doc::{JobDoc, StoredAppointment};
use super::lifecycle::{check_schedulable, check_unschedulable, follow_appointments};
use crate::error::{ApiError, ApiResult};
use crate::services::times;

/// Most appointments on one job.
pub const MAX_APPOINTMENTS: usize = 100;

/// A validated `PUT /jobs/{id}/schedule` body.
#[derive(Debug, Clone)]
pub struct NewSchedule {
    pub start: i64,
    pub end: i64,
    pub arrival_window: i64,
    /// `None` keeps the current employees.
    pub employee_ids: Option<Vec<String>>,
}

/// Parses a schedule body; without an end the visit lasts an hour.
pub fn parse_schedule(input: ScheduleIn, tz: Tz) -> ApiResult<NewSchedule> {
    let start = input
        .start_time
        .as_deref()
        .ok_or_else(|| ApiError::invalid("start_time", "is missing"))
        .and_then(|v| times::parse("start_time", v, tz))?;
    let end = match input.end_time.as_deref() {
        Some(v) => times::parse("end_time", v, tz)?,
        None => start + 3_600_000_000,
    };
    check_span("end_time", start, end)?;
    Ok(NewSchedule {
        start,
        end,
        arrival_window: arrival_window(
            "arrival_window_in_minutes",
            input.arrival_window_in_minutes,
        )?,
        employee_ids: input
            .dispatched_employees
            .map(|list| employee_ids("dispatched_employees", list))
            .transpose()?,
    })
}

/// The ids of a `dispatched_employees` list; each entry needs an `employee_id`.
pub fn employee_ids(field: &str, list: Vec<DispatchedEmployee>) -> ApiResult<Vec<String>> {
    let mut ids: Vec<String> = Vec::with_capacity(list.len());
    for (i, e) in list.into_iter().enumerate() {
        let id = e
            .employee_id
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::invalid(format!("{field}[{i}].employee_id"), "is missing"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Sets the single appointment of a job (creating it, or moving the one there is).
pub fn set_schedule(doc: &mut JobDoc, s: NewSchedule) -> ApiResult<()> {
    check_schedulable(doc, "schedule")?;
    if doc.appointments.len() > 1 {
        return Err(ApiError::invalid(
            "schedule",
            "cannot be set on a job with several appointments; use the appointment endpoints",
        ));
    }
    if let Some(ids) = &s.employee_ids {
        doc.assigned_employee_ids = ids.clone();
    }
    let employees = doc.assigned_employee_ids.clone();
    let id = doc
        .appointments
        .first()
        .map_or_else(|| new_id(APPOINTMENT_PREFIX), |a| a.id.clone());
    doc.appointments = vec![StoredAppointment {
        id,
        start: s.start,
        end: s.end,
        anytime: false,
        arrival_window_minutes: s.arrival_window,
        employee_ids: employees,
    }];
    doc.arrival_window = s.arrival_window;
    follow_appointments(doc);
    Ok(())
}

/// Removes every appointment: the job needs scheduling again.
pub fn clear_schedule(doc: &mut JobDoc) -> ApiResult<()> {
    check_unschedulable(doc)?;
    doc.appointments.clear();
    follow_appointments(doc);
    Ok(())
}

/// A validated appointment body; `current` fills what an update leaves out.
pub fn parse_appointment(
    input: AppointmentIn,
    tz: Tz,
    current: Option<&StoredAppointment>,
) -> ApiResult<StoredAppointment> {
    let time = |field: &str, v: Option<String>, old: Option<i64>| -> ApiResult<i64> {
        match (v, old) {
            (Some(v), _) => times::parse(field, &v, tz),
            (None, Some(old)) => Ok(old),
            (None, None) => Err(ApiError::invalid(field, "is missing")),
        }
    };
    let start = time("start_time", input.start_time, current.map(|a| a.start))?;
    let end = time("end_time", input.end_time, current.map(|a| a.end))?;
    check_span("end_time", start, end)?;
    let employee_ids = match (input.dispatched_employees_ids, current) {
        (Some(ids), _) => {
            let mut out: Vec<String> = Vec::new();
            for id in ids.into_iter().map(|s| s.trim().to_owned()) {
                if !id.is_empty() && !out.contains(&id) {
                    out.push(id);
                }
            }
            out
        }
        (None, Some(a)) => a.employee_ids.clone(),
        (None, None) => return Err(ApiError::invalid("dispatched_employees_ids", "is missing")),
    };
    Ok(StoredAppointment {
        id: current.map_or_else(|| new_id(APPOINTMENT_PREFIX), |a| a.id.clone()),
        start,
        end,
        anytime: input
            .anytime
            .unwrap_or_else(|| current.is_some_and(|a| a.anytime)),
        arrival_window_minutes: match input.arrival_window_minutes {
            Some(v) => arrival_window("arrival_window_minutes", Some(v))?,
            None => current.map_or(0, |a| a.arrival_window_minutes),
        },
        employee_ids,
    })
}

/// Adds an appointment.
pub fn add_appointment(doc: &mut JobDoc, a: StoredAppointment) -> ApiResult<()> {
    check_schedulable(doc, "add an appointment to")?;
    if doc.appointments.len() >= MAX_APPOINTMENTS {
        return Err(ApiError::invalid(
            "appointments",
            format!("a job can have at most {MAX_APPOINTMENTS}"),
        ));
    }
    doc.appointments.push(a);
    doc.appointments.sort_by_key(|a| a.start);
    follow_appointments(doc);
    Ok(())
}

/// Replaces an appointment (by its id).
pub fn replace_appointment(doc: &mut JobDoc, a: StoredAppointment) -> ApiResult<()> {
    check_schedulable(doc, "change an appointment of")?;
    let slot = doc
        .appointments
        .iter_mut()
        .find(|x| x.id == a.id)
        .ok_or_else(|| ApiError::NotFound("appointment".into()))?;
    *slot = a;
    doc.appointments.sort_by_key(|a| a.start);
    Ok(())
}

/// Removes an appointment; the last one gone, a scheduled job needs scheduling again.
pub fn remove_appointment(doc: &mut JobDoc, id: &str) -> ApiResult<()> {
    let before = doc.appointments.len();
    if !doc.appointments.iter().any(|a| a.id == id) {
        return Err(ApiError::NotFound("appointment".into()));
    }
    check_schedulable(doc, "remove an appointment of")?;
    doc.appointments.retain(|a| a.id != id);
    debug_assert!(doc.appointments.len() < before);
    follow_appointments(doc);
    Ok(())
}
