//! Tests of the PostgreSQL store against a real server (`FIELDWORK_TEST_POSTGRES_URL`); each
//! test makes its own database and skips with a note when the variable is unset.

mod connection;
mod customer_events;
mod customers;
mod differential;
mod doc_events;
mod positions;
mod rate_windows;
mod story;
mod words;

use fieldwork_store::{StoreError, StoreResult};
use fieldwork_store_postgres::testing::TempDatabase;

/// A fresh database, or `None` (with a note) when no test server is configured.
pub async fn temp_database() -> Option<TempDatabase> {
    let Some(admin) = TempDatabase::admin_url_from_env() else {
        eprintln!("skipped: set FIELDWORK_TEST_POSTGRES_URL to run the PostgreSQL store tests");
        return None;
    };
    Some(
        TempDatabase::create(&admin)
            .await
            .expect("create a test database"),
    )
}

/// The kind of a failure, for comparisons: `NotFound(customer)`, `Conflict`, ….
pub fn kind<T: std::fmt::Debug>(r: StoreResult<T>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(StoreError::NotFound(what)) => format!("NotFound({what})"),
        Err(StoreError::Conflict { .. }) => "Conflict".into(),
        Err(StoreError::Unavailable(msg)) => format!("Unavailable({msg})"),
        Err(StoreError::Other(e)) => format!("Other({e})"),
    }
}
