//! The stored form of a job and its indexed columns.

use fieldwork_store::docs::{Doc, DocIndex, DocKind};
use fieldwork_types::{Attachment, JobInputMaterial, JobLink, LineItem, Note, Tag, WorkTimestamps};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::services::line_items::{self, LinePrice, Priced, Totals, Unread};

/// `work_status` values.
pub mod status {
    pub const NEEDS_SCHEDULING: &str = "needs scheduling";
    pub const SCHEDULED: &str = "scheduled";
    pub const IN_PROGRESS: &str = "in progress";
    pub const COMPLETE_UNRATED: &str = "complete unrated";
    pub const COMPLETE_RATED: &str = "complete rated";
    pub const USER_CANCELED: &str = "user canceled";
    pub const PRO_CANCELED: &str = "pro canceled";

    /// The `work_status[]` filter words and the statuses each stands for.
    pub const FILTERS: &[(&str, &[&str])] = &[
        ("unscheduled", &[NEEDS_SCHEDULING]),
        ("scheduled", &[SCHEDULED]),
        ("in_progress", &[IN_PROGRESS]),
        ("completed", &[COMPLETE_UNRATED, COMPLETE_RATED]),
        ("canceled", &[USER_CANCELED, PRO_CANCELED]),
    ];

    /// Whether no more work can happen on a job in this status.
    pub fn is_closed(s: &str) -> bool {
        matches!(
            s,
            COMPLETE_UNRATED | COMPLETE_RATED | USER_CANCELED | PRO_CANCELED
        )
    }
}

/// One visit; times in unix microseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAppointment {
    pub id: String,
    pub start: i64,
    pub end: i64,
    pub anytime: bool,
    pub arrival_window_minutes: i64,
    pub employee_ids: Vec<String>,
}

/// A job as stored: references by id, times in unix microseconds. The invoice number and
/// the created/updated times live in the indexed columns. Lists and scans that need no money
/// read the lines as [`Unread`] (`JobDoc<Unread>`); everything else reads them whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobDoc<L = LineItem> {
    pub description: Option<String>,
    pub customer_id: String,
    pub address_id: Option<String>,
    pub notes: Vec<Note>,
    pub work_status: String,
    pub work_timestamps: WorkTimestamps,
    /// Minutes.
    pub arrival_window: i64,
    pub appointments: Vec<StoredAppointment>,
    pub line_items: Vec<L>,
    pub input_materials: Vec<JobInputMaterial>,
    pub assigned_employee_ids: Vec<String>,
    pub tags: Vec<Tag>,
    pub links: Vec<JobLink>,
    pub attachments: Vec<Attachment>,
    pub lead_source: Option<String>,
    pub job_type_id: Option<String>,
    pub original_estimate_id: Option<String>,
    pub original_estimate_uuids: Vec<String>,
    /// Percent applied to taxable lines (0 unless copied from an estimate or lead with tax).
    pub tax_rate: f64,
    /// Cents received through the job's invoices.
    pub paid: i64,
    pub locked_at: Option<i64>,
    pub canceled_at: Option<i64>,
    pub deleted_at: Option<i64>,
    /// The totals of the lines as the body was written ([`JobDoc::body`] writes them from the
    /// lines every time); lists read these instead of the lines. Only a job read with
    /// [`Unread`] lines uses them: one read whole computes its totals from its lines.
    #[serde(rename = "totals", skip_serializing)]
    pub written_totals: Option<Totals>,
}

/// How a job's lines give its totals.
pub trait Lines: Sized {
    fn totals(doc: &JobDoc<Self>) -> Totals;
}

impl<L: Priced> Lines for L {
    fn totals(doc: &JobDoc<L>) -> Totals {
        line_items::totals(&doc.line_items, doc.tax_rate)
    }
}

impl Lines for Unread {
    fn totals(doc: &JobDoc<Unread>) -> Totals {
        doc.written_totals.unwrap_or_default()
    }
}

/// The stored body: the job with the totals of its lines.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(flatten)]
    doc: &'a JobDoc,
    totals: Totals,
}

/// A job read from the store, with what is needed to write it back.
#[derive(Debug, Clone)]
pub struct StoredJob<L = LineItem> {
    pub id: String,
    pub version: i64,
    pub number: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub doc: JobDoc<L>,
}

impl<L: Lines> JobDoc<L> {
    /// Money figures from the lines (for [`Unread`] lines, as written).
    pub fn totals(&self) -> Totals {
        L::totals(self)
    }

    /// What is still owed: the total less what was paid, never negative.
    pub fn outstanding(&self) -> i64 {
        (self.totals().total - self.paid).max(0)
    }

    /// First start and last end of the appointments.
    pub fn span(&self) -> Option<(i64, i64)> {
        let start = self.appointments.iter().map(|a| a.start).min()?;
        let end = self.appointments.iter().map(|a| a.end).max()?;
        Some((start, end))
    }

    /// Everyone working the job: assigned or dispatched to an appointment.
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

    /// The indexed columns.
    pub fn index(&self, number: Option<i64>, created_at: i64, updated_at: i64) -> DocIndex {
        let span = self.span();
        DocIndex {
            customer_id: Some(self.customer_id.clone()),
            status: Some(self.work_status.clone()),
            starts_at: span.map(|s| s.0),
            ends_at: span.map(|s| s.1),
            amount: Some(self.outstanding()),
            number,
            sort_text: self.description.clone(),
            keys: self
                .employee_ids()
                .into_iter()
                .map(|e| format!("emp:{e}"))
                .collect(),
            created_at,
            updated_at,
            ..DocIndex::default()
        }
    }
}

impl<L: Default + DeserializeOwned> StoredJob<L> {
    /// Reads a stored document.
    pub fn from_doc(doc: Doc) -> Self {
        Self::from_doc_ref(&doc)
    }

    fn from_doc_ref(doc: &Doc) -> Self {
        Self {
            id: doc.id.clone(),
            version: doc.version,
            number: doc.index.number.unwrap_or_default(),
            created_at: doc.index.created_at,
            updated_at: doc.index.updated_at,
            // Bodies are written only by this module; a corrupt one reads as empty.
            doc: serde_json::from_str(&doc.body).unwrap_or_default(),
        }
    }
}

impl JobDoc {
    /// The JSON stored for this job.
    pub fn body(&self) -> String {
        let body = Body {
            doc: self,
            totals: self.totals(),
        };
        serde_json::to_string(&body).expect("plain data serializes")
    }
}

impl StoredJob<Unread> {
    /// A job as lists read it: its lines skipped, its totals as written (from its lines for
    /// a body written before totals were stored with it).
    pub fn for_list(doc: Doc) -> Self {
        let mut job = Self::from_doc_ref(&doc);
        if job.doc.written_totals.is_none() {
            let priced: JobDoc<LinePrice> = serde_json::from_str(&doc.body).unwrap_or_default();
            job.doc.written_totals = Some(priced.totals());
        }
        job
    }
}

impl StoredJob {
    /// The document to write back (update) at `now`.
    pub fn to_doc(&self, now: i64) -> Doc {
        Doc {
            kind: DocKind::Job,
            id: self.id.clone(),
            version: self.version,
            index: self.doc.index(Some(self.number), self.created_at, now),
            body: self.doc.body(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::line_items::line;

    fn stored(body: String) -> Doc {
        Doc {
            kind: DocKind::Job,
            id: "job_1".into(),
            version: 1,
            index: DocIndex::default(),
            body,
        }
    }

    fn job() -> JobDoc {
        JobDoc {
            line_items: line_items::build_all(
                "line_items",
                vec![
                    line("labor", 12_500.0, 1.5, false),
                    line("materials", 1_899.0, 2.0, true),
                    line("fixed discount", 1_000.0, 1.0, false),
                ],
            )
            .unwrap(),
            tax_rate: 8.25,
            ..JobDoc::default()
        }
    }

    #[test]
    fn lists_read_the_totals_the_body_was_written_with() {
        let full = job();
        let totals = full.totals();
        assert!(totals.tax > 0 && totals.discounts < 0, "{totals:?}");
        let listed = StoredJob::for_list(stored(full.body()));
        assert_eq!(listed.doc.written_totals, Some(totals));
        assert_eq!(listed.doc.totals(), totals);
        assert_eq!(listed.doc.line_items.len(), 3);
    }

    #[test]
    fn totals_follow_the_lines_not_what_was_read() {
        let mut read = StoredJob::<LineItem>::from_doc(stored(job().body())).doc;
        assert!(read.written_totals.is_some());
        read.line_items.truncate(1);
        // Whole lines: the totals are the lines', and the body is written with them.
        assert_eq!(read.totals().total, 18_750);
        let listed = StoredJob::for_list(stored(read.body()));
        assert_eq!(listed.doc.totals().total, 18_750);
    }

    #[test]
    fn a_body_written_without_totals_is_listed_with_its_lines_totals() {
        let full = job();
        let mut body: serde_json::Value = serde_json::from_str(&full.body()).unwrap();
        body.as_object_mut().unwrap().remove("totals");
        let listed = StoredJob::for_list(stored(body.to_string()));
        assert_eq!(listed.doc.totals(), full.totals());
    }
}
