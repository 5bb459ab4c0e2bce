//! Store errors, classified once per backend.

/// What a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named kind of object does not exist in this company (`customer`, `tag`, …).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule was broken; `constraint` names it for the caller's message.
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// The database cannot be reached right now; retrying later may work.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a broken database.
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Wraps any error as `Other`.
    pub fn other(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Other(Box::new(e))
    }
}
