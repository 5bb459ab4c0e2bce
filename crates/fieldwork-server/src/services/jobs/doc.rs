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
/// read the lines as [`Unread`] (`JobDoc<Unread>`); everything else reads them whole. Empty and
/// null fields are left out of the body and read back as their defaults: a third of a typical
/// body's bytes, which every list parses and every write serializes (BENCHMARKS.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobDoc<L = LineItem> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub customer_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    pub work_status: String,
    #[serde(skip_serializing_if = "is_default")]
    pub work_timestamps: WorkTimestamps,
    /// Minutes.
    pub arrival_window: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub appointments: Vec<StoredAppointment>,
    /// In the detail ([`DetailOut`]) like `input_materials` and `links`; read from the body for
    /// jobs written before details were.
    #[serde(skip_serializing)]
    pub line_items: Vec<L>,
    #[serde(skip_serializing)]
    pub input_materials: Vec<JobInputMaterial>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assigned_employee_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(skip_serializing)]
    pub links: Vec<JobLink>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_type_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_estimate_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub original_estimate_uuids: Vec<String>,
    /// Percent applied to taxable lines (0 unless copied from an estimate or lead with tax).
    #[serde(skip_serializing_if = "is_default")]
    pub tax_rate: f64,
    /// Cents received through the job's invoices.
    #[serde(skip_serializing_if = "is_default")]
    pub paid: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canceled_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    /// The totals of the lines as the body was written ([`JobDoc::body`] writes them from the
    /// lines every time); lists read these instead of the lines. Only a job read with
    /// [`Unread`] lines uses them: one read whole computes its totals from its lines.
    #[serde(rename = "totals", skip_serializing)]
    pub written_totals: Option<Totals>,
}

/// Whether a value is its type's default (left out of a stored body).
fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
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

/// The stored body: the job with the totals of its lines, without what is in its [`DetailOut`].
#[derive(Serialize)]
struct Body<'a> {
    #[serde(flatten)]
    doc: &'a JobDoc,
    totals: Totals,
}

/// The stored detail (`Doc::detail`) as written: the parts of a job that its lists do not
/// render, two thirds of its bytes with five lines; lists leave it unread.
#[derive(Serialize)]
struct DetailOut<'a> {
    line_items: &'a [LineItem],
    input_materials: &'a [JobInputMaterial],
    links: &'a [JobLink],
}

/// [`DetailOut`] as read.
#[derive(Default, Deserialize)]
struct Detail<L> {
    #[serde(default)]
    line_items: Vec<L>,
    #[serde(default)]
    input_materials: Vec<JobInputMaterial>,
    #[serde(default)]
    links: Vec<JobLink>,
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
            doc: Self::read(doc),
        }
    }

    /// The body with the detail, if read, over it. Both are written only by this module; a
    /// corrupt one reads as empty.
    fn read(doc: &Doc) -> JobDoc<L> {
        let mut job: JobDoc<L> = serde_json::from_str(&doc.body).unwrap_or_default();
        if let Some(detail) = &doc.detail {
            let detail: Detail<L> = serde_json::from_str(detail).unwrap_or_default();
            job.line_items = detail.line_items;
            job.input_materials = detail.input_materials;
            job.links = detail.links;
        }
        job
    }
}

impl JobDoc {
    /// The document that stores this job.
    pub fn to_doc(&self, id: &str, version: i64, index: DocIndex) -> Doc {
        let detail = DetailOut {
            line_items: &self.line_items,
            input_materials: &self.input_materials,
            links: &self.links,
        };
        Doc {
            kind: DocKind::Job,
            id: id.to_owned(),
            version,
            index,
            body: self.body(),
            detail: Some(serde_json::to_string(&detail).expect("plain data serializes")),
        }
    }

    /// The JSON stored as the job's body.
    fn body(&self) -> String {
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
        let index = self.doc.index(Some(self.number), self.created_at, now);
        self.doc.to_doc(&self.id, self.version, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::line_items::line;

    /// The job's document as a list reads it: without its detail.
    fn listed(job: &JobDoc) -> StoredJob<Unread> {
        let doc = job.to_doc("job_1", 1, DocIndex::default());
        StoredJob::for_list(Doc {
            detail: None,
            ..doc
        })
    }

    /// A body as written before details were: everything in it, lines included.
    fn undetailed(job: &JobDoc) -> serde_json::Map<String, serde_json::Value> {
        let doc = job.to_doc("job_1", 1, DocIndex::default());
        let mut body: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
        let detail: serde_json::Value = serde_json::from_str(&doc.detail.unwrap()).unwrap();
        let body = body.as_object_mut().unwrap();
        body.extend(detail.as_object().unwrap().clone());
        body.clone()
    }

    fn stored(body: String) -> Doc {
        Doc {
            kind: DocKind::Job,
            id: "job_1".into(),
            version: 1,
            index: DocIndex::default(),
            body,
            detail: None,
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
            input_materials: vec![JobInputMaterial {
                uuid: "jim_1".into(),
                name: "Copper pipe".into(),
                description: None,
                part_number: Some("CU-12".into()),
                unit_cost: 1_250,
                quantity: 2.0,
            }],
            links: vec![JobLink {
                id: "lnk_1".into(),
                title: "Permit".into(),
                url: "https://example.com/permit".into(),
            }],
            tax_rate: 8.25,
            ..JobDoc::default()
        }
    }

    #[test]
    fn the_detail_holds_lines_materials_and_links_and_reads_back_whole() {
        let full = job();
        let doc = full.to_doc("job_1", 1, DocIndex::default());
        for part in ["line_items", "input_materials", "links"] {
            assert!(!doc.body.contains(part), "{part} in the body: {}", doc.body);
            assert!(doc.detail.as_ref().unwrap().contains(part), "{part}");
        }
        assert_eq!(StoredJob::<LineItem>::from_doc(doc).doc, read_back(&full));
        // A job written before details were reads the same.
        let old = stored(serde_json::Value::Object(undetailed(&full)).to_string());
        assert_eq!(StoredJob::<LineItem>::from_doc(old).doc, read_back(&full));
    }

    /// The job as a read gives it back: with the totals it was written with.
    fn read_back(job: &JobDoc) -> JobDoc {
        JobDoc {
            written_totals: Some(job.totals()),
            ..job.clone()
        }
    }

    /// A body leaves out what is empty and reads back the same; what is set stays in.
    #[test]
    fn empty_fields_are_left_out_of_the_body_and_read_back() {
        let bare = JobDoc {
            customer_id: "cus_1".into(),
            work_status: status::NEEDS_SCHEDULING.into(),
            ..JobDoc::default()
        };
        let doc = bare.to_doc("job_1", 1, DocIndex::default());
        let body: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        // (`Value` sorts its keys.)
        assert_eq!(
            keys,
            ["arrival_window", "customer_id", "totals", "work_status"]
        );
        assert_eq!(StoredJob::<LineItem>::from_doc(doc).doc, read_back(&bare));

        let set = JobDoc {
            description: Some("Fix".into()),
            address_id: Some("adr_1".into()),
            notes: vec![Note {
                id: "nte_1".into(),
                content: "Gate".into(),
            }],
            work_timestamps: WorkTimestamps {
                started_at: Some("2026-12-06T10:00:00Z".into()),
                ..WorkTimestamps::default()
            },
            assigned_employee_ids: vec!["pro_1".into()],
            lead_source: Some("Web".into()),
            original_estimate_uuids: vec!["est_1".into()],
            paid: 100,
            locked_at: Some(1),
            canceled_at: Some(2),
            deleted_at: Some(3),
            ..job()
        };
        let doc = set.to_doc("job_1", 1, DocIndex::default());
        for key in [
            "description",
            "notes",
            "work_timestamps",
            "tax_rate",
            "paid",
            "deleted_at",
        ] {
            assert!(
                doc.body.contains(&format!("\"{key}\":")),
                "{key}: {}",
                doc.body
            );
        }
        assert_eq!(StoredJob::<LineItem>::from_doc(doc).doc, read_back(&set));
    }

    #[test]
    fn lists_read_the_totals_the_body_was_written_with() {
        let full = job();
        let totals = full.totals();
        assert!(totals.tax > 0 && totals.discounts < 0, "{totals:?}");
        let listed = listed(&full);
        assert_eq!(listed.doc.written_totals, Some(totals));
        assert_eq!(listed.doc.totals(), totals);
        assert!(
            listed.doc.line_items.is_empty(),
            "lists leave the lines unread"
        );
    }

    #[test]
    fn totals_follow_the_lines_not_what_was_read() {
        let written = job().to_doc("job_1", 1, DocIndex::default());
        let mut read = StoredJob::<LineItem>::from_doc(written).doc;
        assert!(read.written_totals.is_some());
        read.line_items.truncate(1);
        // Whole lines: the totals are the lines', and the body is written with them.
        assert_eq!(read.totals().total, 18_750);
        assert_eq!(listed(&read).doc.totals().total, 18_750);
    }

    #[test]
    fn a_body_written_without_totals_is_listed_with_its_lines_totals() {
        let full = job();
        let mut body = undetailed(&full);
        body.remove("totals");
        let listed = StoredJob::for_list(stored(serde_json::Value::Object(body).to_string()));
        assert_eq!(listed.doc.totals(), full.totals());
    }
}
