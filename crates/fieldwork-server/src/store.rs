//! Picks the store implementation from the database URL's scheme.

use std::sync::Arc;

use anyhow::Context;

use crate::DynStore;

/// Opens the store a URL names: `sqlite://…` (default). With `migrate`, applies migrations.
pub fn open(url: &str, migrate: bool) -> anyhow::Result<DynStore> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        anyhow::bail!("PostgreSQL support is not built yet (issue 3); use a sqlite:// URL");
    }
    let store = fieldwork_store_sqlite::SqliteStore::open(url, migrate)
        .with_context(|| format!("cannot open database {}", redact(url)))?;
    Ok(Arc::new(store))
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
