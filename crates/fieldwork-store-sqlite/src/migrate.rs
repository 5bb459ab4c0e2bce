//! Embedded migrations, applied in order at start; a database newer than the binary is refused.

use fieldwork_store::{StoreError, StoreResult};
use rusqlite::Connection;

use crate::error::map_err;

/// Every migration of this backend, oldest first. Never edit one that has shipped.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "20261127000000_init",
        include_str!("../migrations/20261127000000_init.sql"),
    ),
    (
        "20261127100000_counts_search_auth",
        include_str!("../migrations/20261127100000_counts_search_auth.sql"),
    ),
    (
        "20261127110000_documents",
        include_str!("../migrations/20261127110000_documents.sql"),
    ),
    (
        "20261127120000_rate_limits_and_usage",
        include_str!("../migrations/20261127120000_rate_limits_and_usage.sql"),
    ),
    (
        "20261127130000_files",
        include_str!("../migrations/20261127130000_files.sql"),
    ),
    (
        "20261127150000_webhooks",
        include_str!("../migrations/20261127150000_webhooks.sql"),
    ),
    (
        "20261127170000_reference_epochs_job_lists",
        include_str!("../migrations/20261127170000_reference_epochs_job_lists.sql"),
    ),
    (
        "20261127180000_webhook_retention",
        include_str!("../migrations/20261127180000_webhook_retention.sql"),
    ),
    (
        "20261127190000_customer_positions",
        include_str!("../migrations/20261127190000_customer_positions.sql"),
    ),
    (
        "20261127210000_webhook_endpoint_due",
        include_str!("../migrations/20261127210000_webhook_endpoint_due.sql"),
    ),
    (
        "20261202190000_webhook_claim_index",
        include_str!("../migrations/20261202190000_webhook_claim_index.sql"),
    ),
    (
        "20261203140000_customer_docs",
        include_str!("../migrations/20261203140000_customer_docs.sql"),
    ),
    (
        "20261204180000_customer_words",
        include_str!("../migrations/20261204180000_customer_words.sql"),
    ),
    (
        "20261206090000_doc_details",
        include_str!("../migrations/20261206090000_doc_details.sql"),
    ),
    (
        "20261206100000_webhook_fanouts",
        include_str!("../migrations/20261206100000_webhook_fanouts.sql"),
    ),
    (
        "20261206130000_customer_epochs",
        include_str!("../migrations/20261206130000_customer_epochs.sql"),
    ),
];

/// The name of the newest migration, i.e. the schema this binary writes.
pub(crate) fn latest() -> &'static str {
    MIGRATIONS.last().map_or("", |(name, _)| name)
}

/// Applies the migrations this database lacks, each in its own transaction.
pub(crate) fn apply(conn: &Connection) -> StoreResult<()> {
    conn.execute_batch(
        "create table if not exists _migrations (name text primary key, applied_at integer not null)",
    )
    .map_err(map_err)?;
    for (name, sql) in MIGRATIONS {
        let applied: bool = conn
            .query_row(
                "select count(*) from _migrations where name = ?1",
                [name],
                |r| r.get(0),
            )
            .map_err(map_err)?;
        if applied {
            continue;
        }
        tracing::info!(migration = name, "applying migration");
        let now = fieldwork_store::time::now_micros();
        conn.execute_batch(&format!(
            "begin immediate; {sql}; insert into _migrations values ('{name}', {now}); commit;"
        ))
        .map_err(|e| {
            let _ = conn.execute_batch("rollback");
            map_err(e)
        })?;
    }
    Ok(())
}

/// Fails when migrations are missing (run `fieldwork migrate`) or unknown (binary too old).
pub(crate) fn check_current(conn: &Connection) -> StoreResult<()> {
    let has_table: bool = conn
        .query_row(
            "select count(*) from sqlite_master where type = 'table' and name = '_migrations'",
            [],
            |r| r.get(0),
        )
        .map_err(map_err)?;
    let applied: Vec<String> = if has_table {
        let mut stmt = conn
            .prepare("select name from _migrations order by name")
            .map_err(map_err)?;
        stmt.query_map([], |r| r.get(0))
            .map_err(map_err)?
            .collect::<Result<_, _>>()
            .map_err(map_err)?
    } else {
        Vec::new()
    };
    let known: Vec<&str> = MIGRATIONS.iter().map(|(n, _)| *n).collect();
    if let Some(unknown) = applied.iter().find(|a| !known.contains(&a.as_str())) {
        return Err(StoreError::Unavailable(format!(
            "the database has migration {unknown}, unknown to this fieldwork binary: upgrade fieldwork"
        )));
    }
    if let Some(missing) = known.iter().find(|k| !applied.iter().any(|a| a == *k)) {
        return Err(StoreError::Unavailable(format!(
            "the database lacks migration {missing}: run `fieldwork migrate`"
        )));
    }
    Ok(())
}
