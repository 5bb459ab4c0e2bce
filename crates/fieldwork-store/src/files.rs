//! Uploaded files (attachments of estimate options, jobs, …), stored whole in the database.

/// One uploaded file. The id is the attachment id that references it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    pub id: String,
    /// The name the client sent, as given.
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}
