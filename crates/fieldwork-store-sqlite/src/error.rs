//! Classifies rusqlite errors into store errors, once.

use fieldwork_store::StoreError;
use rusqlite::ErrorCode;

/// Maps a rusqlite error: unique violations become `Conflict`, busy/locked `Unavailable`.
pub(crate) fn map_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        match f.code {
            ErrorCode::ConstraintViolation => {
                return StoreError::Conflict {
                    constraint: msg.clone().unwrap_or_else(|| "constraint".into()),
                };
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen => {
                return StoreError::Unavailable(e.to_string());
            }
            _ => {}
        }
    }
    StoreError::other(e)
}

/// Maps "no rows" to `NotFound(what)`, everything else through [`map_err`].
pub(crate) fn not_found(what: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| match e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound(what),
        other => map_err(other),
    }
}
