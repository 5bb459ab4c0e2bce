//! Turns stored jobs into HCP's `Job`: resolves customers, addresses, employees and job types.

use std::collections::HashMap;
use std::sync::Arc;

use fieldwork_store::Store;
use fieldwork_store::reference::{self, CompanyReference, EmployeeJson, Epochs};
use fieldwork_store::time::format_ts;
use fieldwork_types::{Appointment, Customer, Employee, JobFields, Schedule, Tag};

use super::doc::{Lines, StoredAppointment, StoredJob};
use super::embedded::{EmbeddableCustomer, RawJson};
use super::kept;
use crate::error::ApiResult;
use crate::services::times;

/// A job as the server renders it: its employees, customer and address embedded as JSON
/// serialized beforehand.
pub type Job = fieldwork_types::Job<EmployeeJson, RawJson, RawJson>;

/// What rendering needs besides the job: read once per request, shared by every job of a list.
pub struct Context {
    pub company_id: String,
    /// The company, its employees and job types (cached across requests, see
    /// `fieldwork_store::reference`).
    pub reference: Arc<CompanyReference>,
    customers: HashMap<String, Arc<EmbeddableCustomer>>,
}

impl Context {
    /// Loads the company's reference data and the given customers.
    pub async fn load(
        store: &dyn Store,
        company_id: &str,
        customer_ids: &[&str],
    ) -> ApiResult<Self> {
        let epochs = store.epochs(company_id).await?;
        Self::load_at(store, company_id, epochs, customer_ids).await
    }

    /// [`Context::load`] under epochs the caller has just read (with a document or a page of
    /// them: `Store::get_doc_with_epochs`, `Store::list_docs_with_epochs`).
    pub async fn load_at(
        store: &dyn Store,
        company_id: &str,
        epochs: Epochs,
        customer_ids: &[&str],
    ) -> ApiResult<Self> {
        let reference = reference::at_epochs(store, company_id, epochs).await?;
        Self::load_with(store, company_id, reference, epochs, customer_ids).await
    }

    /// [`Context::load`] with reference data the caller already read under `epochs`
    /// ([`reference::at_epochs`]).
    pub async fn load_with(
        store: &dyn Store,
        company_id: &str,
        reference: Arc<CompanyReference>,
        epochs: Epochs,
        customer_ids: &[&str],
    ) -> ApiResult<Self> {
        let mut ids: Vec<String> = customer_ids.iter().map(|s| (*s).to_owned()).collect();
        ids.sort_unstable();
        ids.dedup();
        // A customer cannot be deleted, so a job's customer is always found.
        let customers = kept::customers(store, company_id, epochs.customers, ids).await?;
        Ok(Self {
            company_id: company_id.to_owned(),
            reference,
            customers,
        })
    }

    /// The company's name.
    pub fn company_name(&self) -> &str {
        &self.reference.company.name
    }

    /// The company's time zone name.
    pub fn time_zone(&self) -> &str {
        &self.reference.company.profile.time_zone
    }

    /// Whether an employee with this id exists.
    pub fn has_employee(&self, id: &str) -> bool {
        self.reference.employees.contains_key(id)
    }

    /// One employee.
    pub fn employee(&self, id: &str) -> Option<&Employee> {
        self.reference.employees.get(id)
    }

    /// The name of a job type.
    pub fn job_type(&self, id: &str) -> Option<&String> {
        self.reference.job_types.get(id)
    }

    /// The employees with these ids, in order; unknown ids are skipped.
    pub fn employees(&self, ids: &[String]) -> Vec<Employee> {
        ids.iter()
            .filter_map(|id| self.employee(id).cloned())
            .collect()
    }

    /// The JSON of the employees with these ids, in order; unknown ids are skipped.
    pub fn employee_json(&self, ids: &[String]) -> Vec<EmployeeJson> {
        ids.iter()
            .filter_map(|id| self.reference.employee_json.get(id).cloned())
            .collect()
    }

    /// Whether the customer was loaded; if so, whether `address_id` is one of its addresses.
    pub fn has_address(&self, customer_id: &str, address_id: &str) -> Option<bool> {
        let customer = self.customers.get(customer_id)?;
        Some(customer.address(address_id).is_some())
    }

    /// The customer as a job embeds it.
    pub fn customer(&self, id: &str) -> RawJson {
        self.embedded(id, |c| c.in_job.clone())
    }

    /// The customer as an estimate or a lead embeds it.
    pub fn customer_plain(&self, id: &str) -> RawJson {
        self.embedded(id, |c| c.plain.clone())
    }

    /// The customer's address with this id.
    pub fn address(&self, customer_id: &str, address_id: Option<&String>) -> Option<RawJson> {
        let customer = self.customers.get(customer_id)?;
        customer.address(address_id?).cloned()
    }

    fn embedded(&self, id: &str, form: impl Fn(&EmbeddableCustomer) -> RawJson) -> RawJson {
        match self.customers.get(id) {
            Some(c) => form(c),
            None => form(&self.unknown_customer(id)),
        }
    }

    /// A customer that was not loaded, by its id and company only.
    fn unknown_customer(&self, id: &str) -> EmbeddableCustomer {
        let customer = Customer {
            id: id.to_owned(),
            first_name: None,
            last_name: None,
            email: None,
            mobile_number: None,
            home_number: None,
            work_number: None,
            company: None,
            notifications_enabled: false,
            lead_source: None,
            notes: None,
            created_at: String::new(),
            updated_at: String::new(),
            company_name: self.company_name().to_owned(),
            company_id: self.company_id.clone(),
            tags: Vec::new(),
            addresses: Vec::new(),
            attachments: None,
            do_not_service: None,
        };
        EmbeddableCustomer::of(&customer)
    }
}

/// An appointment as HCP returns it.
pub fn appointment(a: &StoredAppointment) -> Appointment {
    Appointment {
        id: a.id.clone(),
        start_date: times::date(a.start),
        start_time: format_ts(a.start),
        end_time: format_ts(a.end),
        anytime: a.anytime,
        arrival_window_minutes: a.arrival_window_minutes,
        dispatched_employees_ids: a.employee_ids.clone(),
    }
}

/// Which optional parts to include.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expand {
    pub attachments: bool,
    pub appointments: bool,
}

impl Expand {
    /// From `expand[]` values already checked against the allowed set.
    pub fn from_list(expand: &[String]) -> Self {
        Self {
            attachments: expand.iter().any(|e| e == "attachments"),
            appointments: expand.iter().any(|e| e == "appointments"),
        }
    }
}

/// Renders one job.
pub fn job<L: Lines>(ctx: &Context, stored: &StoredJob<L>, expand: Expand) -> Job {
    let d = &stored.doc;
    let totals = d.totals();
    let span = d.span();
    Job {
        id: stored.id.clone(),
        invoice_number: stored.number.to_string(),
        description: d.description.clone(),
        customer: ctx.customer(&d.customer_id),
        address: ctx.address(&d.customer_id, d.address_id.as_ref()),
        notes: d.notes.clone(),
        work_status: d.work_status.clone(),
        work_timestamps: d.work_timestamps.clone(),
        schedule: Schedule {
            scheduled_start: span.map(|s| format_ts(s.0)),
            scheduled_end: span.map(|s| format_ts(s.1)),
            arrival_window: d.arrival_window,
            appointments: expand
                .appointments
                .then(|| d.appointments.iter().map(appointment).collect()),
        },
        total_amount: totals.total,
        outstanding_balance: d.outstanding(),
        subtotal: totals.subtotal,
        assigned_employees: ctx.employee_json(&d.employee_ids()),
        tags: d.tags.iter().map(|t| t.name.clone()).collect(),
        original_estimate_id: d.original_estimate_id.clone(),
        original_estimate_uuids: d.original_estimate_uuids.clone(),
        lead_source: d.lead_source.clone(),
        job_fields: JobFields {
            job_type: d.job_type_id.as_ref().and_then(|id| {
                ctx.job_type(id).map(|name| Tag {
                    id: id.clone(),
                    name: name.clone(),
                })
            }),
            business_unit: None,
        },
        attachments: expand.attachments.then(|| d.attachments.clone()),
        locked_at: d.locked_at.map(format_ts),
        created_at: format_ts(stored.created_at),
        updated_at: format_ts(stored.updated_at),
        canceled_at: d.canceled_at.map(format_ts),
        deleted_at: d.deleted_at.map(format_ts),
        company_name: ctx.company_name().to_owned(),
        company_id: ctx.company_id.clone(),
        recurrence_number: None,
        recurrence_rule: None,
    }
}
