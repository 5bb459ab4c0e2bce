//! The stored form of an estimate and its options, and their indexed columns.

use fieldwork_store::docs::{Doc, DocIndex, DocKind};
use fieldwork_types::{Attachment, JobLink, LineItem, Note, Tag, WorkTimestamps};
use serde::{Deserialize, Serialize};

use crate::services::jobs::StoredAppointment;
use crate::services::line_items::{self, Totals};

/// `approval_status` values.
pub mod approval {
    pub const PRO_APPROVED: &str = "pro approved";
    pub const PRO_DECLINED: &str = "pro declined";
}

/// Option `status` once the option was copied to a job (HCP's wording).
pub const STATUS_COPIED: &str = "created job from estimate";

/// One option as stored; times in unix microseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptionDoc {
    pub id: String,
    pub name: String,
    pub option_number: i64,
    pub line_items: Vec<LineItem>,
    /// A fraction (0.0825 is 8.25 %), as the client sent it.
    pub tax_rate: f64,
    pub tax_name: Option<String>,
    pub approval_status: Option<String>,
    pub message_from_pro: Option<String>,
    pub tags: Vec<Tag>,
    pub notes: Vec<Note>,
    pub links: Vec<JobLink>,
    pub attachments: Vec<Attachment>,
    /// The job made when the option was approved.
    pub job_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl OptionDoc {
    /// Money figures from the lines, with the option's tax.
    pub fn totals(&self) -> Totals {
        line_items::totals(&self.line_items, self.tax_rate * 100.0)
    }
}

/// An estimate as stored: references by id. The estimate number and the created/updated
/// times live in the indexed columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EstimateDoc {
    pub customer_id: String,
    pub address_id: Option<String>,
    pub work_status: String,
    pub work_timestamps: WorkTimestamps,
    /// The visit to give the estimate (at most one), as a job appointment.
    pub appointments: Vec<StoredAppointment>,
    /// Minutes.
    pub arrival_window: i64,
    pub assigned_employee_ids: Vec<String>,
    pub lead_source: Option<String>,
    pub job_type_id: Option<String>,
    /// `note` of the create request.
    pub note: Option<String>,
    /// `message` of the create request (the message to the customer).
    pub message: Option<String>,
    pub options: Vec<OptionDoc>,
    /// The lead this estimate was converted from.
    pub lead_id: Option<String>,
}

/// An estimate read from the store, with what is needed to write it back.
#[derive(Debug, Clone)]
pub struct StoredEstimate {
    pub id: String,
    pub version: i64,
    pub number: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub doc: EstimateDoc,
}

/// The filter key that finds an estimate by one of its options.
pub fn option_key(option_id: &str) -> String {
    format!("opt:{option_id}")
}

impl EstimateDoc {
    /// First start and last end of the visit.
    pub fn span(&self) -> Option<(i64, i64)> {
        let start = self.appointments.iter().map(|a| a.start).min()?;
        let end = self.appointments.iter().map(|a| a.end).max()?;
        Some((start, end))
    }

    /// Everyone on the estimate: assigned or dispatched to its visit.
    pub fn employee_ids(&self) -> Vec<String> {
        let mut ids = self.assigned_employee_ids.clone();
        for a in &self.appointments {
            for e in &a.employee_ids {
                if !ids.contains(e) {
                    ids.push(e.clone());
                }
            }
        }
        ids
    }

    /// The option with this id.
    pub fn option_mut(&mut self, option_id: &str) -> Option<&mut OptionDoc> {
        self.options.iter_mut().find(|o| o.id == option_id)
    }

    /// The indexed columns; `amount` is the highest option total (what the estimate is worth).
    pub fn index(&self, number: Option<i64>, created_at: i64, updated_at: i64) -> DocIndex {
        let span = self.span();
        let mut keys: Vec<String> = self
            .employee_ids()
            .into_iter()
            .map(|e| format!("emp:{e}"))
            .collect();
        keys.extend(self.options.iter().map(|o| option_key(&o.id)));
        DocIndex {
            customer_id: Some(self.customer_id.clone()),
            status: Some(self.work_status.clone()),
            starts_at: span.map(|s| s.0),
            ends_at: span.map(|s| s.1),
            amount: self.options.iter().map(|o| o.totals().total).max(),
            parent_id: self.lead_id.clone(),
            number,
            keys,
            created_at,
            updated_at,
            ..DocIndex::default()
        }
    }
}

impl StoredEstimate {
    /// Reads a stored document.
    pub fn from_doc(doc: Doc) -> Self {
        Self {
            id: doc.id,
            version: doc.version,
            number: doc.index.number.unwrap_or_default(),
            created_at: doc.index.created_at,
            updated_at: doc.index.updated_at,
            // Bodies are written only by this module; a corrupt one reads as empty.
            doc: serde_json::from_str(&doc.body).unwrap_or_default(),
        }
    }

    /// The document to write back (update) at `now`.
    pub fn to_doc(&self, now: i64) -> Doc {
        Doc {
            kind: DocKind::Estimate,
            id: self.id.clone(),
            version: self.version,
            index: self.doc.index(Some(self.number), self.created_at, now),
            body: serde_json::to_string(&self.doc).expect("plain data serializes"),
            detail: None,
        }
    }
}
