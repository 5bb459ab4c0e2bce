//! Jobs and their parts: schedule, appointments, notes, links, materials.

use serde::{Deserialize, Serialize};

use crate::{Address, Attachment, Employee, Tag};

/// A job as HCP returns it. The server embeds its employees (`E`), customer (`C`) and address
/// (`A`) as JSON serialized beforehand; clients read them as the types named by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job<E = Employee, C = JobCustomer, A = Address> {
    pub id: String,
    /// A string of digits, unique in the company ("29").
    pub invoice_number: String,
    pub description: Option<String>,
    pub customer: C,
    pub address: Option<A>,
    pub notes: Vec<Note>,
    /// `needs scheduling`, `scheduled`, `in progress`, `complete unrated`, `complete rated`,
    /// `user canceled` or `pro canceled`.
    pub work_status: String,
    pub work_timestamps: WorkTimestamps,
    pub schedule: Schedule,
    /// Cents.
    pub total_amount: i64,
    pub outstanding_balance: i64,
    pub subtotal: i64,
    pub assigned_employees: Vec<E>,
    /// Tag names.
    pub tags: Vec<String>,
    pub original_estimate_id: Option<String>,
    pub original_estimate_uuids: Vec<String>,
    pub lead_source: Option<String>,
    pub job_fields: JobFields,
    /// Present only with `expand[]=attachments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
    pub locked_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub canceled_at: Option<String>,
    pub deleted_at: Option<String>,
    pub company_name: String,
    pub company_id: String,
    /// Recurring jobs are not supported yet: always null.
    pub recurrence_number: Option<i64>,
    pub recurrence_rule: Option<String>,
}

/// The customer embedded in a job, estimate or lead: a customer without addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobCustomer {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile_number: Option<String>,
    pub home_number: Option<String>,
    pub work_number: Option<String>,
    pub company: Option<String>,
    pub notifications_enabled: bool,
    pub lead_source: Option<String>,
    /// HCP's job schema has the customer's notes as a list of notes (the customer object
    /// itself has one string): the string is its one entry.
    pub notes: Vec<Note>,
    pub created_at: String,
    pub updated_at: String,
    pub company_name: String,
    pub company_id: String,
    pub tags: Vec<String>,
}

/// A note on a job, estimate option or lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub id: String,
    pub content: String,
}

/// When the pro set out, started and finished.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkTimestamps {
    pub on_my_way_at: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

/// A job's schedule; `appointments` is present only with `expand[]=appointments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub scheduled_start: Option<String>,
    pub scheduled_end: Option<String>,
    /// Minutes.
    pub arrival_window: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointments: Option<Vec<Appointment>>,
}

/// One visit of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: String,
    /// `YYYY-MM-DD` of the start, in UTC.
    pub start_date: String,
    pub start_time: String,
    pub end_time: String,
    pub anytime: bool,
    pub arrival_window_minutes: i64,
    pub dispatched_employees_ids: Vec<String>,
}

/// `job_fields` of a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobFields {
    pub job_type: Option<Tag>,
    pub business_unit: Option<Tag>,
}

/// A link attached to a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobLink {
    pub id: String,
    pub title: String,
    pub url: String,
}

/// A material used on a job (costing, not billed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobInputMaterial {
    pub uuid: String,
    pub name: String,
    pub description: Option<String>,
    pub part_number: Option<String>,
    /// Cents.
    pub unit_cost: i64,
    pub quantity: f64,
}

/// Body of `POST /jobs`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JobIn {
    #[serde(default)]
    pub invoice_number: Option<f64>,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub address_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub schedule: Option<JobScheduleIn>,
    #[serde(default)]
    pub assigned_employee_ids: Option<Vec<String>>,
    #[serde(default)]
    pub line_items: Option<Vec<crate::LineItemIn>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub lead_source: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub job_fields: Option<JobFieldsIn>,
}

/// `schedule` of `POST /jobs`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JobScheduleIn {
    #[serde(default)]
    pub scheduled_start: Option<String>,
    #[serde(default)]
    pub scheduled_end: Option<String>,
    #[serde(default)]
    pub arrival_window: Option<i64>,
    #[serde(default)]
    pub anytime: Option<bool>,
    #[serde(default)]
    pub anytime_start_date: Option<String>,
}

/// `job_fields` of `POST /jobs`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JobFieldsIn {
    #[serde(default)]
    pub job_type_id: Option<String>,
    #[serde(default)]
    pub business_unit_id: Option<String>,
}

/// Body of `PUT /jobs/{id}/schedule` (and estimate option schedules).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScheduleIn {
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub arrival_window_in_minutes: Option<i64>,
    #[serde(default)]
    pub notify: Option<bool>,
    #[serde(default)]
    pub notify_pro: Option<bool>,
    #[serde(default)]
    pub dispatched_employees: Option<Vec<DispatchedEmployee>>,
}

/// Answer of `PUT /jobs/{id}/schedule`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleOut {
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub arrival_window_minutes: i64,
    pub assigned_employees: Vec<Employee>,
    pub appointments: Vec<Appointment>,
}

/// `{employee_id}` in dispatch and schedule bodies.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DispatchedEmployee {
    #[serde(default)]
    pub employee_id: Option<String>,
}

/// Body of `PUT /jobs/{id}/dispatch`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DispatchIn {
    #[serde(default)]
    pub dispatched_employees: Option<Vec<DispatchedEmployee>>,
}

/// Body of `POST` and `PUT /jobs/{id}/appointments[/{id}]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AppointmentIn {
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub arrival_window_minutes: Option<i64>,
    #[serde(default)]
    pub anytime: Option<bool>,
    #[serde(default)]
    pub dispatched_employees_ids: Option<Vec<String>>,
}

/// Body of `POST /jobs/{id}/links`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JobLinkIn {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// Body of `POST /jobs/{id}/notes`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NoteIn {
    #[serde(default)]
    pub content: Option<String>,
}

/// Body of `POST /jobs/{id}/tags`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TagIdIn {
    #[serde(default)]
    pub tag_id: Option<String>,
}

/// One entry of `PUT /jobs/{id}/job_input_materials/bulk_update`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JobInputMaterialIn {
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub part_number: Option<String>,
    #[serde(default)]
    pub unit_cost: Option<f64>,
    #[serde(default)]
    pub quantity: Option<f64>,
}

/// Body of `PUT /jobs/{id}/job_input_materials/bulk_update`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JobInputMaterialsBulkIn {
    #[serde(default)]
    pub job_input_materials: Option<Vec<JobInputMaterialIn>>,
}

/// Body of `POST /jobs/lock`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LockRangeIn {
    #[serde(default)]
    pub starting_at: Option<String>,
    #[serde(default)]
    pub ending_at: Option<String>,
}

/// Body of Fieldwork's `POST /jobs/{id}/cancel`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CancelIn {
    /// `pro` (default) or `customer`.
    #[serde(default)]
    pub by: Option<String>,
}
