//! Throw-away databases for tests: one uniquely named database per test, dropped on `Drop`.
//!
//! ```no_run
//! # async fn example() -> fieldwork_store::StoreResult<()> {
//! use fieldwork_store_postgres::testing::TempDatabase;
//! let Some(admin_url) = TempDatabase::admin_url_from_env() else { return Ok(()) };
//! let db = TempDatabase::create(&admin_url).await?;
//! let store = db.store().await?; // migrated, with a small pool
//! # Ok(()) }
//! ```

use fieldwork_store::ids::new_id;
use fieldwork_store::{StoreError, StoreResult};
use tokio_postgres::NoTls;

use crate::{PoolSettings, PostgresStore};

/// The environment variable naming the server tests use, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub const TEST_URL_VAR: &str = "FIELDWORK_TEST_POSTGRES_URL";

/// A database created for one test and dropped (`with (force)`) when this value is dropped,
/// also when the test panics.
#[derive(Debug)]
pub struct TempDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TempDatabase {
    /// `FIELDWORK_TEST_POSTGRES_URL`, if set and not empty.
    pub fn admin_url_from_env() -> Option<String> {
        std::env::var(TEST_URL_VAR).ok().filter(|u| !u.is_empty())
    }

    /// Creates an empty database named `fw_test_<32 hex>` on the server of `admin_url` (a URL
    /// of a user allowed to create databases).
    pub async fn create(admin_url: &str) -> StoreResult<Self> {
        let name = new_id("fw_test");
        let url = url_with_dbname(admin_url, &name);
        let client = admin_connect(admin_url).await?;
        client
            .batch_execute(&format!("create database \"{name}\""))
            .await
            .map_err(crate::error::map_err)?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    /// The URL of the database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The name of the database.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A migrated store on the database, with a pool of at most four connections (tests run in
    /// parallel; the server allows a limited number of connections).
    pub async fn store(&self) -> StoreResult<PostgresStore> {
        let settings = PoolSettings {
            max_connections: 4,
            ..PoolSettings::default()
        };
        PostgresStore::connect(&self.url, settings, true).await
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // A thread with its own runtime: this may run inside (or outside) any tokio runtime.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(StoreError::other)?;
            rt.block_on(async {
                let client = admin_connect(&admin_url).await?;
                client
                    .batch_execute(&format!("drop database if exists \"{name}\" with (force)"))
                    .await
                    .map_err(crate::error::map_err)
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!(
                "could not drop test database {}: thread panicked",
                self.name
            ),
        }
    }
}

async fn admin_connect(admin_url: &str) -> StoreResult<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(admin_url, NoTls)
        .await
        .map_err(|e| StoreError::Unavailable(format!("cannot connect to {TEST_URL_VAR}: {e}")))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// `url` with its database replaced by `dbname` (URL or `key=value` form).
fn url_with_dbname(url: &str, dbname: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return format!("{url} dbname={dbname}");
    };
    let (head, query) = match url.find('?') {
        Some(q) => url.split_at(q),
        None => (url, ""),
    };
    let after_scheme = scheme_end + 3;
    let authority_end = head[after_scheme..]
        .find('/')
        .map_or(head.len(), |i| after_scheme + i);
    format!("{}/{dbname}{query}", &head[..authority_end])
}

#[cfg(test)]
mod tests {
    use super::url_with_dbname;

    #[test]
    fn replaces_the_database() {
        let cases = [
            ("postgres://u@h:5432/postgres", "postgres://u@h:5432/x"),
            ("postgres://u@h", "postgres://u@h/x"),
            ("postgres:///db?host=/run/pg", "postgres:///x?host=/run/pg"),
            (
                "postgresql://u:p@h/db?sslmode=disable",
                "postgresql://u:p@h/x?sslmode=disable",
            ),
            ("host=h user=u", "host=h user=u dbname=x"),
        ];
        for (url, want) in cases {
            assert_eq!(url_with_dbname(url, "x"), want);
        }
    }
}
