//! The stored form of a lead and its indexed columns.

use fieldwork_store::docs::{Doc, DocIndex, DocKind};
use fieldwork_types::{LineItem, Tag};
use serde::{Deserialize, Serialize};

use crate::services::line_items::{self, Totals};

/// Lead `status` values.
pub mod status {
    pub const OPEN: &str = "open";
    pub const WON: &str = "won";
    pub const LOST: &str = "lost";
    pub const ALL: &[&str] = &[OPEN, WON, LOST];
}

/// A lead as stored: references by id, times in unix microseconds. The number and the
/// created/updated times live in the indexed columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadDoc {
    pub customer_id: String,
    pub address_id: Option<String>,
    pub assigned_employee_id: Option<String>,
    pub lead_source: Option<String>,
    pub tags: Vec<Tag>,
    pub line_items: Vec<LineItem>,
    pub note: Option<String>,
    /// Percent (8.25 is 8.25 %).
    pub tax_rate: f64,
    pub tax_name: Option<String>,
    pub status: String,
    pub lost_at: Option<i64>,
    /// What the lead was converted to.
    pub job_id: Option<String>,
    pub estimate_id: Option<String>,
}

/// A lead read from the store, with what is needed to write it back.
#[derive(Debug, Clone)]
pub struct StoredLead {
    pub id: String,
    pub version: i64,
    pub number: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub doc: LeadDoc,
}

impl LeadDoc {
    /// Money figures from the lines.
    pub fn totals(&self) -> Totals {
        line_items::totals(&self.line_items, self.tax_rate)
    }

    /// The indexed columns: filter keys for the employee, tags and lead source.
    pub fn index(&self, number: Option<i64>, created_at: i64, updated_at: i64) -> DocIndex {
        let mut keys: Vec<String> = self
            .assigned_employee_id
            .iter()
            .map(|e| format!("emp:{e}"))
            .collect();
        keys.extend(self.tags.iter().map(|t| format!("tag:{}", t.id)));
        keys.extend(self.lead_source.iter().map(|s| source_key(s)));
        DocIndex {
            customer_id: Some(self.customer_id.clone()),
            status: Some(self.status.clone()),
            amount: Some(self.totals().total),
            parent_id: self.job_id.clone().or_else(|| self.estimate_id.clone()),
            number,
            keys,
            created_at,
            updated_at,
            ..DocIndex::default()
        }
    }
}

/// The filter key of a lead source; sources match without regard to case.
pub fn source_key(source: &str) -> String {
    format!("src:{}", source.trim().to_lowercase())
}

impl StoredLead {
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
            kind: DocKind::Lead,
            id: self.id.clone(),
            version: self.version,
            index: self.doc.index(Some(self.number), self.created_at, now),
            body: serde_json::to_string(&self.doc).expect("plain data serializes"),
            detail: None,
        }
    }
}
