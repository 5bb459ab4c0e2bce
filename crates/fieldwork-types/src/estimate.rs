//! Estimates and their options: HCP's shapes, request bodies and action answers.

use serde::{Deserialize, Serialize};

use crate::{
    Address, AddressIn, Attachment, Employee, JobCustomer, JobFieldsIn, JobLink, LineItemIn, Note,
    Schedule, WorkTimestamps,
};

/// An estimate as HCP returns it. The server embeds its customer (`C`) and
/// address (`A`) as JSON serialized beforehand; clients read them as the types named by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate<C = EmbeddedCustomer, A = Address> {
    pub id: String,
    /// A string of digits, unique in the company.
    pub estimate_number: String,
    /// `needs scheduling`, `scheduled`, … (the job vocabulary).
    pub work_status: String,
    pub lead_source: Option<String>,
    pub customer: C,
    pub address: Option<A>,
    pub work_timestamps: WorkTimestamps,
    pub schedule: Schedule,
    pub assigned_employees: Vec<Employee>,
    pub estimate_fields: EstimateFields,
    pub options: Vec<EstimateOption>,
    pub created_at: String,
    pub updated_at: String,
    pub company_name: String,
    pub company_id: String,
}

/// The customer embedded in an estimate or a lead: a customer without addresses, its `notes`
/// one string as on the customer itself (HCP's Estimate schema; jobs embed a list of notes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddedCustomer {
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
    pub notes: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub company_name: String,
    pub company_id: String,
    pub tags: Vec<String>,
}

impl From<JobCustomer> for EmbeddedCustomer {
    fn from(c: JobCustomer) -> Self {
        Self {
            id: c.id,
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            mobile_number: c.mobile_number,
            home_number: c.home_number,
            work_number: c.work_number,
            company: c.company,
            notifications_enabled: c.notifications_enabled,
            lead_source: c.lead_source,
            notes: c.notes.into_iter().next().map(|n| n.content),
            created_at: c.created_at,
            updated_at: c.updated_at,
            company_name: c.company_name,
            company_id: c.company_id,
            tags: c.tags,
        }
    }
}

/// `estimate_fields` of an estimate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EstimateFields {
    pub job_type_id: Option<String>,
    pub business_unit_id: Option<String>,
}

/// One priced alternative of an estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateOption {
    pub id: String,
    pub name: String,
    /// A string of digits, 1-based within the estimate.
    pub option_number: String,
    /// Cents: subtotal, discounts and tax of the option's lines.
    pub total_amount: i64,
    /// Fieldwork addition: cents, the positive lines before discounts and tax.
    pub subtotal: i64,
    /// Fieldwork addition: cents of tax in `total_amount`.
    pub tax_amount: i64,
    /// Fieldwork addition: the tax as a fraction (0.0825 is 8.25 %), as the option was created.
    pub tax_rate: f64,
    /// Fieldwork addition.
    pub tax_name: Option<String>,
    /// `approved`, `pro approved`, `declined`, `pro declined` or null.
    pub approval_status: Option<String>,
    pub status: String,
    pub message_from_pro: Option<String>,
    /// Tag names.
    pub tags: Vec<String>,
    pub notes: Vec<Note>,
    /// Fieldwork addition: links added with `POST …/links`.
    pub links: Vec<JobLink>,
    /// Fieldwork addition: the job approval created from this option.
    pub copied_on_approval_to_job_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Present only with `expand[]=attachments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
}

/// `tax` of an estimate or option create request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TaxIn {
    #[serde(default)]
    pub taxable: Option<bool>,
    /// A fraction between 0 and 1 (0.0825 for 8.25 %), as the spec documents.
    #[serde(default)]
    pub tax_rate: Option<f64>,
    #[serde(default)]
    pub tax_name: Option<String>,
}

/// Body of `POST /estimates/{id}/options`, and each entry of `EstimateIn::options`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EstimateOptionIn {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub line_items: Option<Vec<LineItemIn>>,
    #[serde(default)]
    pub tax: Option<TaxIn>,
    #[serde(default)]
    pub message_from_pro: Option<String>,
}

/// `schedule` of `POST /estimates`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EstimateScheduleIn {
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub arrival_window_in_minutes: Option<i64>,
    #[serde(default)]
    pub notify_customer: Option<bool>,
}

/// Body of `POST /estimates`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EstimateIn {
    #[serde(default)]
    pub estimate_number: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub assigned_employee_ids: Option<Vec<String>>,
    #[serde(default)]
    pub address_id: Option<String>,
    #[serde(default)]
    pub address: Option<AddressIn>,
    #[serde(default)]
    pub lead_source: Option<String>,
    #[serde(default)]
    pub options: Option<Vec<EstimateOptionIn>>,
    #[serde(default)]
    pub tax: Option<TaxIn>,
    #[serde(default)]
    pub schedule: Option<EstimateScheduleIn>,
    #[serde(default)]
    pub estimate_fields: Option<JobFieldsIn>,
}

/// Body of `POST /estimates/options/approve` and `…/decline`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OptionIdsIn {
    #[serde(default)]
    pub option_ids: Option<Vec<String>>,
}

/// Answer of `POST /estimates/options/approve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApproveOut {
    pub status: String,
    pub last_updated_at: String,
    pub copied_on_approval_to_job_id: Option<String>,
}

/// Answer of `POST /estimates/options/decline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclineOut {
    pub status: String,
    pub last_updated_at: String,
}

/// Answer of `POST /estimates/{id}/options/{id}/attachments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateUrlOut {
    pub estimate_url: String,
}
