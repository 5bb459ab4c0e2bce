//! Embedded migrations, applied in order, one transaction each, one process at a time; a
//! database newer than the binary is refused.

use deadpool_postgres::GenericClient;
use fieldwork_store::{StoreError, StoreResult};

use crate::db::Db;
use crate::error::map_err;

/// Every migration of this backend, oldest first. Never edit one that has shipped.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "20261127000000_init",
        include_str!("../migrations/20261127000000_init.sql"),
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
        "20261127160000_shared_rate_windows",
        include_str!("../migrations/20261127160000_shared_rate_windows.sql"),
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
        "20261127190000_addresses_without_customer_fk",
        include_str!("../migrations/20261127190000_addresses_without_customer_fk.sql"),
    ),
    (
        "20261127230000_webhook_endpoint_due",
        include_str!("../migrations/20261127230000_webhook_endpoint_due.sql"),
    ),
    (
        "20261203090000_drop_global_due_index",
        include_str!("../migrations/20261203090000_drop_global_due_index.sql"),
    ),
    (
        "20261205090000_customer_docs_positions",
        include_str!("../migrations/20261205090000_customer_docs_positions.sql"),
    ),
    (
        "20261205100000_customer_words",
        include_str!("../migrations/20261205100000_customer_words.sql"),
    ),
    (
        "20261205120000_job_start_days",
        include_str!("../migrations/20261205120000_job_start_days.sql"),
    ),
    (
        "20261205130000_doc_bodies_inline",
        include_str!("../migrations/20261205130000_doc_bodies_inline.sql"),
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
        "20261206120000_details_lz4",
        include_str!("../migrations/20261206120000_details_lz4.sql"),
    ),
    (
        "20261206130000_customer_epochs",
        include_str!("../migrations/20261206130000_customer_epochs.sql"),
    ),
    (
        "20261206140000_json_lz4",
        include_str!("../migrations/20261206140000_json_lz4.sql"),
    ),
    (
        "20261206150000_job_start_day_bounds",
        include_str!("../migrations/20261206150000_job_start_day_bounds.sql"),
    ),
];

/// The name of the newest migration, i.e. the schema this binary writes.
pub(crate) fn latest() -> &'static str {
    MIGRATIONS.last().map_or("", |(name, _)| name)
}

/// Key of the transaction-scoped advisory lock that serializes migrating processes.
const LOCK_KEY: i64 = 0x6669_656c_6477_6b01; // "fieldwk" + 1

/// Applies the migrations this database lacks, each in its own transaction.
pub(crate) async fn apply(db: &Db) -> StoreResult<()> {
    let mut client = db.client().await?;
    for (name, sql) in MIGRATIONS {
        let tx = client.transaction().await.map_err(map_err)?;
        // Held until commit: a second process waits here, then sees the migration applied.
        tx.execute("select pg_advisory_xact_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(map_err)?;
        tx.batch_execute(
            "create table if not exists _migrations (
                name text primary key,
                applied_at bigint not null
            )",
        )
        .await
        .map_err(map_err)?;
        let applied = tx
            .query_opt("select 1 from _migrations where name = $1", &[name])
            .await
            .map_err(map_err)?
            .is_some();
        if applied {
            tx.commit().await.map_err(map_err)?;
            continue;
        }
        tracing::info!(migration = name, "applying migration");
        tx.batch_execute(sql).await.map_err(map_err)?;
        tx.execute(
            "insert into _migrations (name, applied_at) values ($1, $2)",
            &[name, &fieldwork_store::time::now_micros()],
        )
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
    }
    Ok(())
}

/// Fails when migrations are missing (run `fieldwork migrate`) or unknown (binary too old).
pub(crate) async fn check_current(db: &Db) -> StoreResult<()> {
    let client = db.client().await?;
    let applied = applied(&client).await?;
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

/// Names of the applied migrations; none when the tracking table does not exist yet.
async fn applied(client: &impl GenericClient) -> StoreResult<Vec<String>> {
    let has_table = client
        .query_one("select to_regclass('_migrations') is not null", &[])
        .await
        .map_err(map_err)?
        .get::<_, bool>(0);
    if !has_table {
        return Ok(Vec::new());
    }
    let rows = client
        .query("select name from _migrations order by name", &[])
        .await
        .map_err(map_err)?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
