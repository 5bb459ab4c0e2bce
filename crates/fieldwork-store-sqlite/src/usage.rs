//! API usage figures per key and minute: added up from the server's memory, read by range.

use fieldwork_store::time::now_micros;
use fieldwork_store::{StoreResult, UsageCounts, UsageDelta, UsageMinute};
use rusqlite::{Connection, params};

use crate::db::Db;
use crate::error::map_err;
use crate::sql::collect;

/// Adds `deltas` to their minutes (one upsert each) after deleting minutes before `prune_before`.
pub(crate) async fn add(
    db: &Db,
    deltas: Vec<UsageDelta>,
    prune_before: Option<i64>,
) -> StoreResult<()> {
    if deltas.is_empty() && prune_before.is_none() {
        return Ok(());
    }
    db.write(move |c| {
        if let Some(before) = prune_before {
            c.prepare_cached("delete from key_usage_minutes where minute < ?1")
                .and_then(|mut s| s.execute([before]))
                .map_err(map_err)?;
        }
        let now = now_micros();
        let mut stmt = c
            .prepare_cached(
                "insert into key_usage_minutes (company_id, minute, key_id, requests, rate_limited,
                                                client_errors, server_errors, created_at,
                                                updated_at)
                 values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 on conflict (company_id, minute, key_id) do update set
                     requests = requests + excluded.requests,
                     rate_limited = rate_limited + excluded.rate_limited,
                     client_errors = client_errors + excluded.client_errors,
                     server_errors = server_errors + excluded.server_errors,
                     updated_at = excluded.updated_at",
            )
            .map_err(map_err)?;
        for d in deltas {
            let n = d.counts;
            stmt.execute(params![
                d.company_id,
                d.minute,
                d.key_id,
                n.requests,
                n.rate_limited,
                n.client_errors,
                n.server_errors,
                now
            ])
            .map_err(map_err)?;
        }
        Ok(())
    })
    .await
}

/// A company's minutes in `[from, to)`, oldest first, keys by name within a minute.
pub(crate) fn list(
    c: &Connection,
    company_id: &str,
    from: i64,
    to: i64,
) -> StoreResult<Vec<UsageMinute>> {
    collect(
        c,
        "select u.key_id, k.name, u.minute, u.requests, u.rate_limited, u.client_errors,
                u.server_errors
         from key_usage_minutes u join api_keys k on k.id = u.key_id
         where u.company_id = ?1 and u.minute >= ?2 and u.minute < ?3
         order by u.minute, k.name, u.key_id",
        params![company_id, from, to],
        |r| {
            Ok(UsageMinute {
                key_id: r.get(0)?,
                key_name: r.get(1)?,
                minute: r.get(2)?,
                counts: UsageCounts {
                    requests: r.get(3)?,
                    rate_limited: r.get(4)?,
                    client_errors: r.get(5)?,
                    server_errors: r.get(6)?,
                },
            })
        },
    )
}
