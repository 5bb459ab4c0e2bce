//! PostgreSQL databases of a run: each run creates its own, uniquely named, and drops it at the
//! end (also when interrupted); a prepared data set is kept as a template database that runs
//! copy with `create database … template …`.

use std::sync::Mutex;

use anyhow::{Context, bail};
use tokio_postgres::NoTls;

/// Databases this process created and has not dropped yet: (admin URL, name).
static CREATED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// `url` with its database name replaced by `name` (any query string is kept).
pub fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let after_scheme = url.find("://").context("not a URL")? + 3;
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let authority_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    Ok(format!("{}/{name}{query}", &base[..authority_end]))
}

/// A fresh name: `fieldwork_bench_<unix seconds>_<pid>_<suffix>`.
pub fn unique_name(suffix: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("fieldwork_bench_{secs}_{}_{suffix}", std::process::id())
}

async fn admin_client(admin_url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(admin_url, NoTls)
        .await
        .with_context(|| format!("cannot connect to {admin_url}"))?;
    tokio::spawn(conn);
    Ok(client)
}

/// Creates database `name` (a copy of `template` if given) and remembers to drop it.
pub async fn create(admin_url: &str, name: &str, template: Option<&str>) -> anyhow::Result<()> {
    check_name(name)?;
    let client = admin_client(admin_url).await?;
    let sql = match template {
        Some(t) => {
            check_name(t)?;
            // PostgreSQL 15's default copy writes every block of the template to the WAL, and
            // the checkpoint that follows landed in the measured phases (a third of the runs
            // stalled for 250–500 ms); `file_copy` checkpoints before and after the copy instead.
            let version: i32 = client
                .query_one("select current_setting('server_version_num')::int", &[])
                .await?
                .get(0);
            let strategy = if version >= 150_000 {
                " strategy file_copy"
            } else {
                ""
            };
            format!("create database {name} template {t}{strategy}")
        }
        None => format!("create database {name}"),
    };
    client
        .batch_execute(&sql)
        .await
        .with_context(|| sql.clone())?;
    CREATED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((admin_url.to_owned(), name.to_owned()));
    Ok(())
}

/// Whether database `name` exists.
pub async fn exists(admin_url: &str, name: &str) -> anyhow::Result<bool> {
    let client = admin_client(admin_url).await?;
    let row = client
        .query_opt("select 1 from pg_database where datname = $1", &[&name])
        .await?;
    Ok(row.is_some())
}

/// Makes `name` survive the run (it becomes a prepared data set's template).
pub fn keep(name: &str) {
    CREATED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|(_, n)| n != name);
}

/// Size of database `name` in bytes.
pub async fn size(admin_url: &str, name: &str) -> anyhow::Result<u64> {
    let client = admin_client(admin_url).await?;
    let row = client
        .query_one("select pg_database_size($1)::bigint", &[&name])
        .await?;
    Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
}

/// The report's note for a database [`vacuum_analyze`]d after seeding.
pub const ANALYZED_AFTER_SEEDING: &str = "The PostgreSQL database was vacuumed and analyzed (`vacuum (analyze)`) after seeding, before the phases (the state autovacuum keeps it in).";

/// `vacuum (analyze)` of the database at `url`: the state autovacuum keeps a database in. A
/// database copied from a template has no planner statistics and no visibility map (so no
/// index-only scans) until autovacuum notices it, which a read-only benchmark never makes it
/// do; and one just seeded may not have been visited yet.
pub async fn vacuum_analyze(url: &str) -> anyhow::Result<()> {
    admin_client(url)
        .await?
        .batch_execute("vacuum (analyze)")
        .await
        .context("vacuum (analyze)")?;
    Ok(())
}

/// Drops every database this process created (servers must be stopped first).
pub async fn drop_created() {
    let all: Vec<(String, String)> =
        std::mem::take(&mut *CREATED.lock().unwrap_or_else(|e| e.into_inner()));
    for (admin_url, name) in all {
        let result = async {
            admin_client(&admin_url)
                .await?
                .batch_execute(&format!("drop database if exists {name} with (force)"))
                .await?;
            anyhow::Ok(())
        }
        .await;
        match result {
            Ok(()) => eprintln!("dropped database {name}"),
            Err(e) => eprintln!("could not drop database {name}: {e:#}"),
        }
    }
}

/// Names are interpolated into SQL: only the ones this program makes are allowed.
fn check_name(name: &str) -> anyhow::Result<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        bail!("unexpected database name {name:?}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x").unwrap(),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h?sslmode=disable", "x").unwrap(),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
