//! Small reference objects: tags, lead sources, job types.

use serde::{Deserialize, Serialize};

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub id: String,
    pub name: String,
}

/// A lead source; only `editable` ones can be renamed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSource {
    pub id: String,
    pub name: String,
    pub editable: bool,
}

/// A job type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobType {
    pub id: String,
    pub name: String,
}

/// Body of the create/rename calls of tags, lead sources and job types.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NameIn {
    #[serde(default)]
    pub name: Option<String>,
}
