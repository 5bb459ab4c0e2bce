//! The stored form of a calendar event and its indexed columns.

use fieldwork_store::docs::{Doc, DocIndex, DocKind};
use fieldwork_types::EventAddress;
use serde::{Deserialize, Serialize};

/// An event as stored: employees by id, times in unix microseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventDoc {
    pub name: String,
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub recurrence_rule: Option<String>,
    pub address: Option<EventAddress>,
    pub employee_ids: Vec<String>,
    pub start: i64,
    pub end: i64,
    /// IANA zone the event was planned in.
    pub time_zone: String,
    pub all_day: bool,
}

/// An event read from the store, with what is needed to write it back.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub doc: EventDoc,
}

impl EventDoc {
    /// The indexed columns.
    pub fn index(&self, created_at: i64, updated_at: i64) -> DocIndex {
        DocIndex {
            starts_at: Some(self.start),
            ends_at: Some(self.end),
            sort_text: Some(self.name.clone()),
            keys: self
                .employee_ids
                .iter()
                .map(|e| format!("emp:{e}"))
                .collect(),
            created_at,
            updated_at,
            ..DocIndex::default()
        }
    }
}

impl StoredEvent {
    /// Reads a stored document.
    pub fn from_doc(doc: Doc) -> Self {
        Self {
            id: doc.id,
            version: doc.version,
            created_at: doc.index.created_at,
            updated_at: doc.index.updated_at,
            // Bodies are written only by this module; a corrupt one reads as empty.
            doc: serde_json::from_str(&doc.body).unwrap_or_default(),
        }
    }

    /// The document to write (insert or update) at `now`.
    pub fn to_doc(&self, now: i64) -> Doc {
        Doc {
            kind: DocKind::Event,
            id: self.id.clone(),
            version: self.version,
            index: self.doc.index(self.created_at, now),
            body: serde_json::to_string(&self.doc).expect("plain data serializes"),
            detail: None,
        }
    }
}
