//! Picks the store implementation from the database URL's scheme.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::DynStore;
use crate::config::Config;

/// Opens the store `config.database_url` names: `sqlite://…` or `postgres://…`.
/// With `migrate`, pending migrations are applied first.
pub async fn open(config: &Config, migrate: bool) -> anyhow::Result<DynStore> {
    let url = config.database_url.as_str();
    let store: DynStore = if is_postgres(url) {
        let settings = fieldwork_store_postgres::PoolSettings {
            max_connections: config.database_pool_size,
            connect_timeout: Duration::from_secs(config.database_connect_timeout_secs.max(1)),
            acquire_timeout: Duration::from_secs(config.database_acquire_timeout_secs.max(1)),
            statement_timeout: Duration::from_secs(config.database_statement_timeout_secs.max(1)),
            max_age: Duration::from_secs(config.database_max_connection_age_secs.max(1)),
        };
        Arc::new(
            fieldwork_store_postgres::PostgresStore::connect(url, settings, migrate)
                .await
                .with_context(|| format!("cannot open database {}", redact(url)))?,
        )
    } else {
        Arc::new(
            fieldwork_store_sqlite::SqliteStore::open(url, migrate)
                .with_context(|| format!("cannot open database {}", redact(url)))?,
        )
    };
    Ok(store)
}

/// The newest migration of the store a URL names: the schema this binary writes there.
pub fn latest_migration(url: &str) -> &'static str {
    if is_postgres(url) {
        fieldwork_store_postgres::PostgresStore::latest_migration()
    } else {
        fieldwork_store_sqlite::SqliteStore::latest_migration()
    }
}

/// Whether a URL names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
