//! The event-type catalog: every event of HCP's webhooks (`reference/hcp-api.md` §6) with a
//! description and a realistic example payload, including types no path can cause yet.

mod examples;

use serde_json::{Value, json};

/// One event type.
#[derive(Debug, Clone, Copy)]
pub struct EventType {
    pub name: &'static str,
    /// The envelope key of the object (`job`, `customer`, …).
    pub resource: Resource,
    pub description: &'static str,
}

/// The objects events carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Customer,
    Job,
    /// `job.deleted`: only the id and a deleted flag, as HCP sends it.
    DeletedJob,
    Appointment,
    Estimate,
    EstimateOption,
    Invoice,
    Lead,
    Employee,
}

impl Resource {
    /// The envelope key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Job | Self::DeletedJob => "job",
            Self::Appointment => "appointment",
            Self::Estimate | Self::EstimateOption => "estimate",
            Self::Invoice => "invoice",
            Self::Lead => "lead",
            Self::Employee => "employee",
        }
    }
}

macro_rules! catalog {
    ($( $name:literal, $res:ident, $desc:literal; )*) => {
        /// Every event type, grouped as in HCP's documentation.
        pub const EVENT_TYPES: &[EventType] = &[$(
            EventType { name: $name, resource: Resource::$res, description: $desc },
        )*];
    };
}

catalog! {
    "customer.created", Customer, "A customer was created.";
    "customer.updated", Customer, "A customer's details or addresses changed.";
    "customer.deleted", Customer, "A customer was deleted.";
    "job.created", Job, "A job was created (through the API, from an estimate or from a lead).";
    "job.updated", Job, "A job changed in a way no more specific job event describes (description, line items, notes, tags, assignments, …).";
    "job.scheduled", Job, "A job without a schedule got one (its work_status became \"scheduled\").";
    "job.on_my_way", Job, "A pro marked themself on the way to the job.";
    "job.started", Job, "Work on the job started (work_status \"in progress\").";
    "job.completed", Job, "Work on the job finished (work_status \"complete unrated\").";
    "job.paid", Job, "The job's invoices were paid in full.";
    "job.canceled", Job, "The job was canceled by the pro or the customer.";
    "job.deleted", DeletedJob, "The job was deleted; the payload carries only its id and a deleted flag.";
    "job.appointment.scheduled", Appointment, "An appointment was added to a job.";
    "job.appointment.rescheduled", Appointment, "An appointment's times changed.";
    "job.appointment.appointment_discarded", Appointment, "An appointment was removed from a job.";
    "job.appointment.appointment_pros_assigned", Appointment, "Pros were dispatched to an appointment.";
    "job.appointment.appointment_pros_unassigned", Appointment, "Pros were removed from an appointment.";
    "estimate.created", Estimate, "An estimate was created.";
    "estimate.updated", Estimate, "An estimate changed.";
    "estimate.scheduled", Estimate, "An estimate visit was scheduled.";
    "estimate.on_my_way", Estimate, "A pro is on the way to the estimate visit.";
    "estimate.completed", Estimate, "The estimate visit finished.";
    "estimate.sent", Estimate, "The estimate was sent to the customer.";
    "estimate.copy_to_job", Estimate, "An estimate option was copied to a new job.";
    "estimate.option.created", EstimateOption, "An option was added to an estimate.";
    "estimate.option.approval_status_changed", EstimateOption, "An estimate option was approved or declined.";
    "invoice.created", Invoice, "An invoice was created.";
    "invoice.sent", Invoice, "An invoice was sent to the customer.";
    "invoice.paid", Invoice, "An invoice was paid in full.";
    "invoice.voided", Invoice, "An invoice was voided.";
    "invoice.canceled", Invoice, "An invoice was canceled.";
    "invoice.amount_updated", Invoice, "An invoice's amount changed.";
    "invoice.payment.succeeded", Invoice, "A payment on an invoice succeeded.";
    "invoice.payment.failed", Invoice, "A payment on an invoice failed.";
    "invoice.refund.succeeded", Invoice, "A refund on an invoice succeeded.";
    "lead.created", Lead, "A lead was created.";
    "lead.updated", Lead, "A lead changed.";
    "lead.converted", Lead, "A lead was converted to an estimate or a job.";
    "lead.lost", Lead, "A lead was marked lost.";
    "lead.deleted", Lead, "A lead was deleted.";
    "employee.created", Employee, "An employee (pro) was created; HCP's UI calls this pro.created.";
}

/// The catalog entry of a name.
pub fn find(name: &str) -> Option<&'static EventType> {
    EVENT_TYPES.iter().find(|t| t.name == name)
}

/// A realistic example payload of an event type.
pub fn example(t: &EventType) -> Value {
    const COMPANY: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let object = match t.resource {
        Resource::Customer => examples::customer(),
        Resource::Job => examples::job(t.name),
        Resource::DeletedJob => json!({ "id": examples::JOB_ID, "deleted": true }),
        Resource::Appointment => examples::appointment(),
        Resource::Estimate | Resource::EstimateOption => examples::estimate(t.name),
        Resource::Invoice => examples::invoice(t.name),
        Resource::Lead => examples::lead(t.name),
        Resource::Employee => examples::employee(),
    };
    let mut env =
        fieldwork_store::events::envelope_value(t.name, COMPANY, t.resource.key(), object);
    if t.resource == Resource::Appointment {
        env["job"] = examples::job("job.scheduled");
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hcp_event_is_listed_once_with_an_example() {
        assert_eq!(EVENT_TYPES.len(), 41);
        let mut names: Vec<_> = EVENT_TYPES.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EVENT_TYPES.len());
        for t in EVENT_TYPES {
            let e = example(t);
            assert_eq!(e["event"], t.name);
            assert!(e[t.resource.key()].is_object(), "{}", t.name);
        }
        assert!(find("job.cancelled").is_none(), "not a real HCP event");
    }

    /// Each example reads as the wire type its event carries and writes back unchanged: the
    /// same keys, nulls and number types as the objects Fieldwork sends.
    #[test]
    fn examples_have_the_shape_of_what_is_sent() {
        use fieldwork_types::{Appointment, Customer, Employee, Estimate, Invoice, Job, Lead};
        fn same<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, v: &Value) {
            let parsed: T =
                serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(&serde_json::to_value(parsed).unwrap(), v, "{name}");
        }
        for t in EVENT_TYPES {
            let e = example(t);
            let object = &e[t.resource.key()];
            match t.resource {
                Resource::Customer => same::<Customer>(t.name, object),
                Resource::Job => same::<Job>(t.name, object),
                Resource::DeletedJob => {}
                Resource::Appointment => {
                    same::<Job>(t.name, &e["job"]);
                    // The REST appointment plus its `job_id`.
                    let mut rest = object.clone();
                    assert!(rest.as_object_mut().unwrap().remove("job_id").is_some());
                    same::<Appointment>(t.name, &rest);
                }
                Resource::Estimate | Resource::EstimateOption => same::<Estimate>(t.name, object),
                Resource::Invoice => same::<Invoice>(t.name, object),
                Resource::Lead => same::<Lead>(t.name, object),
                Resource::Employee => same::<Employee>(t.name, object),
            }
        }
    }
}
