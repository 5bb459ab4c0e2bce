//! The `work_status` lifecycle:
//! `needs scheduling → scheduled → in progress → complete unrated`, or canceled by the pro or
//! the customer. Scheduling and unscheduling follow the appointments; on-my-way, start and
//! finish stamp `work_timestamps`. Anything else is a 422 saying why.

use fieldwork_store::time::{format_ts, now_micros};

use super::doc::{JobDoc, status};
use crate::error::{ApiError, ApiResult};

fn refuse(action: &str, doc: &JobDoc) -> ApiError {
    ApiError::invalid(
        "work_status",
        format!("cannot {action} a job that is {}", doc.work_status),
    )
}

/// After the appointments changed: a job with appointments is scheduled, one without needs
/// scheduling (jobs in progress or closed keep their status).
pub fn follow_appointments(doc: &mut JobDoc) {
    match doc.work_status.as_str() {
        status::NEEDS_SCHEDULING if !doc.appointments.is_empty() => {
            doc.work_status = status::SCHEDULED.into();
        }
        status::SCHEDULED if doc.appointments.is_empty() => {
            doc.work_status = status::NEEDS_SCHEDULING.into();
        }
        _ => {}
    }
}

/// Whether the schedule of a job in this status may change.
pub fn check_schedulable(doc: &JobDoc, action: &str) -> ApiResult<()> {
    if status::is_closed(&doc.work_status) {
        return Err(refuse(action, doc));
    }
    Ok(())
}

/// Removing the schedule: only before work started.
pub fn check_unschedulable(doc: &JobDoc) -> ApiResult<()> {
    match doc.work_status.as_str() {
        status::NEEDS_SCHEDULING | status::SCHEDULED => Ok(()),
        _ => Err(refuse("remove the schedule of", doc)),
    }
}

/// The pro set out.
pub fn on_my_way(doc: &mut JobDoc) -> ApiResult<()> {
    match doc.work_status.as_str() {
        status::NEEDS_SCHEDULING | status::SCHEDULED => {
            doc.work_timestamps.on_my_way_at = Some(format_ts(now_micros()));
            Ok(())
        }
        _ => Err(refuse("mark on my way", doc)),
    }
}

/// Work started.
pub fn start(doc: &mut JobDoc) -> ApiResult<()> {
    match doc.work_status.as_str() {
        status::NEEDS_SCHEDULING | status::SCHEDULED => {
            doc.work_status = status::IN_PROGRESS.into();
            doc.work_timestamps.started_at = Some(format_ts(now_micros()));
            Ok(())
        }
        _ => Err(refuse("start", doc)),
    }
}

/// Work finished (a job may be finished without being started first, as in HCP's app).
pub fn finish(doc: &mut JobDoc) -> ApiResult<()> {
    match doc.work_status.as_str() {
        status::NEEDS_SCHEDULING | status::SCHEDULED | status::IN_PROGRESS => {
            let now = format_ts(now_micros());
            doc.work_status = status::COMPLETE_UNRATED.into();
            doc.work_timestamps
                .started_at
                .get_or_insert_with(|| now.clone());
            doc.work_timestamps.completed_at = Some(now);
            Ok(())
        }
        _ => Err(refuse("finish", doc)),
    }
}

/// Canceled by the pro (`pro canceled`, `deleted_at`) or the customer (`user canceled`,
/// `canceled_at`). Finished or already canceled jobs cannot be canceled.
pub fn cancel(doc: &mut JobDoc, by_customer: bool) -> ApiResult<()> {
    if status::is_closed(&doc.work_status) {
        return Err(refuse("cancel", doc));
    }
    let now = now_micros();
    if by_customer {
        doc.work_status = status::USER_CANCELED.into();
        doc.canceled_at = Some(now);
    } else {
        doc.work_status = status::PRO_CANCELED.into();
        doc.deleted_at = Some(now);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(s: &str) -> JobDoc {
        JobDoc {
            work_status: s.into(),
            ..JobDoc::default()
        }
    }

    #[test]
    fn happy_path_stamps_times() {
        let mut d = job(status::SCHEDULED);
        on_my_way(&mut d).unwrap();
        start(&mut d).unwrap();
        assert_eq!(d.work_status, status::IN_PROGRESS);
        finish(&mut d).unwrap();
        assert_eq!(d.work_status, status::COMPLETE_UNRATED);
        let t = &d.work_timestamps;
        assert!(t.on_my_way_at.is_some() && t.started_at.is_some() && t.completed_at.is_some());
    }

    #[test]
    fn nonsense_transitions_are_refused() {
        let mut done = job(status::COMPLETE_UNRATED);
        assert!(start(&mut done).is_err());
        assert!(cancel(&mut done, true).is_err());
        assert!(check_unschedulable(&done).is_err());
        let mut canceled = job(status::NEEDS_SCHEDULING);
        cancel(&mut canceled, false).unwrap();
        assert_eq!(canceled.work_status, status::PRO_CANCELED);
        assert!(canceled.deleted_at.is_some() && canceled.canceled_at.is_none());
        assert!(finish(&mut canceled).is_err());
        assert!(on_my_way(&mut canceled).is_err());
        let mut started = job(status::IN_PROGRESS);
        assert!(start(&mut started).is_err());
        assert!(check_unschedulable(&started).is_err());
    }
}
