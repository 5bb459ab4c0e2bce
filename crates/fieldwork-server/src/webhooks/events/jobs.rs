//! Which job events a change of a job causes, with the job as it will be stored.

use crate::services::jobs::Job;
use fieldwork_store::docs::DocWrite;
use fieldwork_store::reference::Epochs;
use fieldwork_store::{OutboxEvent, Store};
use fieldwork_types::Appointment;
use serde::Serialize;

use super::event;
use crate::error::ApiResult;
use crate::services::jobs::{self, Expand, JobDoc, StoredAppointment, StoredJob, render, status};

/// `job.created` for a new job.
pub fn job_created(company_id: &str, job: &Job) -> OutboxEvent {
    event("job.created", company_id, "job", job)
}

/// How events embed a job: as `GET /jobs/{id}?expand[]=appointments` renders it.
pub const JOB_EXPAND: Expand = Expand {
    attachments: false,
    appointments: true,
};

/// The `Emit` writes of a job change: `before` is the document as read, `after` the job as it
/// will be stored (new version and time), so the events carry the object the change commits;
/// `epochs` are the company's, read with the job (`jobs::load_with_epochs`). Also returns
/// `after` as rendered for them ([`JOB_EXPAND`]) when anything changed, for the caller to
/// answer with instead of rendering it again.
pub async fn job_changed_writes(
    store: &dyn Store,
    company_id: &str,
    before: &JobDoc,
    after: &StoredJob,
    epochs: Epochs,
) -> ApiResult<(Vec<DocWrite>, Option<Job>)> {
    if *before == after.doc {
        return Ok((Vec::new(), None));
    }
    let rendered = jobs::present_at(store, company_id, after, JOB_EXPAND, epochs).await?;
    let writes = job_changed(company_id, before, &after.doc, &rendered)
        .into_iter()
        .map(DocWrite::Emit)
        .collect();
    Ok((writes, Some(rendered)))
}

/// The events a change of a job causes, given the job before and after and its rendered form
/// (with appointments). Lifecycle changes emit their own event; any other change of the job
/// emits `job.updated`. Appointment changes emit `job.appointment.*` (the appointment under
/// `appointment`, the whole job under `job`) in addition.
pub fn job_changed(
    company_id: &str,
    before: &JobDoc,
    after: &JobDoc,
    job: &Job,
) -> Vec<OutboxEvent> {
    let mut out = Vec::new();
    let lifecycle = lifecycle_event(before, after);
    for name in &lifecycle {
        out.push(event(name, company_id, "job", job));
    }
    if lifecycle.is_empty() && before != after {
        out.push(event("job.updated", company_id, "job", job));
    }
    let discards = discarded(&before.appointments, &after.appointments)
        .map(|a| ("job.appointment.appointment_discarded", a));
    let changes = appointment_events(&before.appointments, &after.appointments);
    for (name, appointment) in changes.into_iter().chain(discards) {
        let envelope = AppointmentEnvelope {
            event: name,
            company_id,
            appointment: JobAppointment {
                appointment: render::appointment(appointment),
                job_id: &job.id,
            },
            job,
        };
        let payload = serde_json::to_string(&envelope).expect("wire types serialize");
        out.push(OutboxEvent::new(name, payload));
    }
    out
}

/// A `job.appointment.*` envelope: the appointment (with its job's id) and the whole job.
#[derive(Serialize)]
struct AppointmentEnvelope<'a> {
    event: &'a str,
    company_id: &'a str,
    appointment: JobAppointment<'a>,
    job: &'a Job,
}

#[derive(Serialize)]
struct JobAppointment<'a> {
    #[serde(flatten)]
    appointment: Appointment,
    job_id: &'a str,
}

/// The job-level lifecycle events between two states.
fn lifecycle_event(before: &JobDoc, after: &JobDoc) -> Vec<&'static str> {
    let mut out = Vec::new();
    if before.work_timestamps.on_my_way_at.is_none() && after.work_timestamps.on_my_way_at.is_some()
    {
        out.push("job.on_my_way");
    }
    if after.paid > before.paid && before.outstanding() > 0 && after.outstanding() == 0 {
        out.push("job.paid");
    }
    if before.work_status != after.work_status {
        match after.work_status.as_str() {
            status::SCHEDULED => out.push("job.scheduled"),
            status::IN_PROGRESS => out.push("job.started"),
            status::COMPLETE_UNRATED | status::COMPLETE_RATED => out.push("job.completed"),
            status::PRO_CANCELED | status::USER_CANCELED => out.push("job.canceled"),
            _ => {}
        }
    }
    out
}

/// `job.appointment.*` events, by appointment id.
fn appointment_events<'a>(
    before: &[StoredAppointment],
    after: &'a [StoredAppointment],
) -> Vec<(&'static str, &'a StoredAppointment)> {
    let mut out = Vec::new();
    for a in after {
        match before.iter().find(|b| b.id == a.id) {
            None => out.push(("job.appointment.scheduled", a)),
            Some(b) => {
                if (b.start, b.end, b.anytime, b.arrival_window_minutes)
                    != (a.start, a.end, a.anytime, a.arrival_window_minutes)
                {
                    out.push(("job.appointment.rescheduled", a));
                }
                if a.employee_ids.iter().any(|e| !b.employee_ids.contains(e)) {
                    out.push(("job.appointment.appointment_pros_assigned", a));
                }
                if b.employee_ids.iter().any(|e| !a.employee_ids.contains(e)) {
                    out.push(("job.appointment.appointment_pros_unassigned", a));
                }
            }
        }
    }
    out
}

/// The appointments removed by a change (`job.appointment.appointment_discarded` carries the
/// removed appointment, which only the old state has).
fn discarded<'a>(
    before: &'a [StoredAppointment],
    after: &[StoredAppointment],
) -> impl Iterator<Item = &'a StoredAppointment> {
    before
        .iter()
        .filter(|b| !after.iter().any(|a| a.id == b.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appt(id: &str, start: i64, pros: &[&str]) -> StoredAppointment {
        StoredAppointment {
            id: id.into(),
            start,
            end: start + 3_600_000_000,
            anytime: false,
            arrival_window_minutes: 0,
            employee_ids: pros.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn lifecycle_changes_name_their_event() {
        let before = JobDoc {
            work_status: status::SCHEDULED.into(),
            ..JobDoc::default()
        };
        let mut after = before.clone();
        after.work_status = status::IN_PROGRESS.into();
        assert_eq!(lifecycle_event(&before, &after), vec!["job.started"]);
        after.work_status = status::USER_CANCELED.into();
        assert_eq!(lifecycle_event(&before, &after), vec!["job.canceled"]);
        assert!(lifecycle_event(&before, &before).is_empty());
    }

    #[test]
    fn appointment_changes_are_told_apart() {
        let before = vec![appt("a", 0, &["p1"]), appt("b", 0, &[])];
        let after = vec![appt("a", 10, &["p2"]), appt("c", 0, &[])];
        let names: Vec<_> = appointment_events(&before, &after)
            .iter()
            .map(|(n, a)| format!("{n}:{}", a.id))
            .collect();
        assert_eq!(
            names,
            [
                "job.appointment.rescheduled:a",
                "job.appointment.appointment_pros_assigned:a",
                "job.appointment.appointment_pros_unassigned:a",
                "job.appointment.scheduled:c"
            ]
        );
        let gone: Vec<_> = discarded(&before, &after).map(|a| a.id.as_str()).collect();
        assert_eq!(gone, ["b"]);
    }
}
