//! Classifies tokio-postgres and pool errors into store errors, once.

use deadpool_postgres::PoolError;
use fieldwork_store::StoreError;
use tokio_postgres::error::SqlState;

/// Maps a tokio-postgres error.
///
/// Integrity violations (SQLSTATE class 23: unique, foreign key, not null) become `Conflict`, as
/// every SQLite constraint violation does. Lost or refused connections, server shutdown and
/// start-up (class 08, 57P01..57P03), exhausted resources (class 53), cancelled statements
/// (`statement_timeout`) and transactions that lost a deadlock or serialization race become
/// `Unavailable`: retrying later can work. Everything else is `Other`.
pub(crate) fn map_err(e: tokio_postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        if code.starts_with("23") {
            return StoreError::Conflict {
                constraint: db.constraint().unwrap_or(db.message()).to_owned(),
            };
        }
        if is_transient(code) {
            return StoreError::Unavailable(format!("{}: {}", code, db.message()));
        }
        return StoreError::other(PgError(e));
    }
    if e.is_closed() || has_io_source(&e) {
        return StoreError::Unavailable(PgError(e).to_string());
    }
    StoreError::other(PgError(e))
}

/// A tokio-postgres error whose message includes its causes (tokio-postgres prints only
/// "db error" or "error connecting to server" and keeps the reason in `source()`).
#[derive(Debug)]
pub(crate) struct PgError(pub(crate) tokio_postgres::Error);

impl std::fmt::Display for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_db_error() {
            Some(db) => write!(
                f,
                "{} {}: {}",
                db.severity(),
                db.code().code(),
                db.message()
            )?,
            None => {
                write!(f, "{}", self.0)?;
                let mut source = std::error::Error::source(&self.0);
                while let Some(s) = source {
                    write!(f, ": {s}")?;
                    source = s.source();
                }
            }
        }
        Ok(())
    }
}

impl std::error::Error for PgError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// SQLSTATEs after which the same call may succeed later.
fn is_transient(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "57014" | "40001" | "40P01"
        )
}

/// Whether a transaction failed only because it lost a race and can simply run again.
pub(crate) fn is_retryable(e: &StoreError) -> bool {
    match e {
        StoreError::Unavailable(msg) => {
            msg.starts_with(SqlState::T_R_DEADLOCK_DETECTED.code())
                || msg.starts_with(SqlState::T_R_SERIALIZATION_FAILURE.code())
        }
        _ => false,
    }
}

/// Connection failures (refused, reset, timed out) carry an `io::Error` as their source.
fn has_io_source(e: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// Maps a failure to get a pooled connection: always `Unavailable` unless it is a bug.
pub(crate) fn map_pool_err(e: PoolError) -> StoreError {
    match e {
        PoolError::Backend(e) => match map_err(e) {
            // Refused logins, unknown databases and the like: still no connection.
            StoreError::Other(e) => StoreError::Unavailable(e.to_string()),
            other => other,
        },
        PoolError::Timeout(_) => StoreError::Unavailable(format!("no database connection: {e}")),
        PoolError::Closed => StoreError::Unavailable("the connection pool is closed".into()),
        PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => StoreError::other(e),
    }
}

/// Maps "no row" to `NotFound(what)`.
pub(crate) fn found<T>(row: Option<T>, what: &'static str) -> Result<T, StoreError> {
    row.ok_or(StoreError::NotFound(what))
}
