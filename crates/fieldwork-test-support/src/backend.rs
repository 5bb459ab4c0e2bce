//! Which database a test runs on, and a fresh database of that kind per test.

use std::future::Future;

/// The database backends every integration test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    static CURRENT: Backend;
}

/// `FIELDWORK_TEST_POSTGRES_URL`: an admin URL of a PostgreSQL server on which tests may create
/// and drop databases (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("FIELDWORK_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

impl Backend {
    /// The backend of the running test (SQLite outside [`Backend::run`]).
    pub fn current() -> Self {
        CURRENT.try_with(|b| *b).unwrap_or(Self::Sqlite)
    }

    /// Runs a test body on this backend. Without `FIELDWORK_TEST_POSTGRES_URL`, the Postgres
    /// variant is skipped with a note (CI sets the variable, so there it always runs).
    pub async fn run(self, body: impl Future<Output = ()>) {
        if self == Self::Postgres && postgres_admin_url().is_none() {
            eprintln!("skipped: set FIELDWORK_TEST_POSTGRES_URL to run the PostgreSQL variant");
            return;
        }
        CURRENT.scope(self, body).await;
    }
}

/// A database that exists for one test and is removed when dropped.
pub struct TestDatabase {
    pub url: String,
    _keep: Keep,
}

enum Keep {
    Dir(#[expect(dead_code, reason = "held for its Drop")] tempfile::TempDir),
    Postgres(
        #[expect(dead_code, reason = "held for its Drop")]
        fieldwork_store_postgres::testing::TempDatabase,
    ),
}

impl TestDatabase {
    /// A fresh, empty database of the current test's backend.
    pub async fn create() -> Self {
        match Backend::current() {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("fieldwork.db").display());
                Self {
                    url,
                    _keep: Keep::Dir(dir),
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("checked by Backend::run");
                let db = fieldwork_store_postgres::testing::TempDatabase::create(&admin)
                    .await
                    .expect("create a PostgreSQL test database");
                Self {
                    url: db.url().to_owned(),
                    _keep: Keep::Postgres(db),
                }
            }
        }
    }
}
