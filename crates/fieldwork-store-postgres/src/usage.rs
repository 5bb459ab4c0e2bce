//! API usage figures per key and minute: added up from the servers' memory, read by range.

use fieldwork_store::time::now_micros;
use fieldwork_store::{StoreResult, UsageCounts, UsageDelta, UsageMinute};

use crate::db::{Db, execute, transaction};

/// Adds `deltas` to their minutes in one statement, after deleting minutes before
/// `prune_before`, in one transaction.
///
/// Rows are sent in key order, so two servers flushing at once lock shared rows in the same
/// order and cannot deadlock each other.
pub(crate) async fn add(
    db: &Db,
    mut deltas: Vec<UsageDelta>,
    prune_before: Option<i64>,
) -> StoreResult<()> {
    if deltas.is_empty() && prune_before.is_none() {
        return Ok(());
    }
    deltas.sort_by(|a, b| {
        (&a.company_id, a.minute, &a.key_id).cmp(&(&b.company_id, b.minute, &b.key_id))
    });
    let mut company_ids = Vec::with_capacity(deltas.len());
    let mut minutes = Vec::with_capacity(deltas.len());
    let mut key_ids = Vec::with_capacity(deltas.len());
    let mut counts: [Vec<i64>; 4] = Default::default();
    for d in deltas {
        company_ids.push(d.company_id);
        minutes.push(d.minute);
        key_ids.push(d.key_id);
        counts[0].push(d.counts.requests);
        counts[1].push(d.counts.rate_limited);
        counts[2].push(d.counts.client_errors);
        counts[3].push(d.counts.server_errors);
    }
    let now = now_micros();
    transaction!(db, |tx| async {
        if let Some(before) = prune_before {
            execute(
                &tx,
                "delete from key_usage_minutes where minute < $1",
                &[&before],
            )
            .await?;
        }
        if !key_ids.is_empty() {
            execute(
                &tx,
                "insert into key_usage_minutes (company_id, minute, key_id, requests, rate_limited,
                                                client_errors, server_errors, created_at,
                                                updated_at)
                 select u.*, $8, $8
                 from unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[],
                             $6::bigint[], $7::bigint[]) as u
                 on conflict (company_id, minute, key_id) do update set
                     requests = key_usage_minutes.requests + excluded.requests,
                     rate_limited = key_usage_minutes.rate_limited + excluded.rate_limited,
                     client_errors = key_usage_minutes.client_errors + excluded.client_errors,
                     server_errors = key_usage_minutes.server_errors + excluded.server_errors,
                     updated_at = excluded.updated_at",
                &[
                    &company_ids,
                    &minutes,
                    &key_ids,
                    &counts[0],
                    &counts[1],
                    &counts[2],
                    &counts[3],
                    &now,
                ],
            )
            .await?;
        }
        Ok(())
    }
    .await)
}

/// A company's minutes in `[from, to)`, oldest first, keys by name within a minute.
pub(crate) async fn list(
    db: &Db,
    company_id: &str,
    from: i64,
    to: i64,
) -> StoreResult<Vec<UsageMinute>> {
    let rows = db
        .query(
            "select u.key_id, k.name, u.minute, u.requests, u.rate_limited, u.client_errors,
                    u.server_errors
             from key_usage_minutes u join api_keys k on k.id = u.key_id
             where u.company_id = $1 and u.minute >= $2 and u.minute < $3
             order by u.minute, k.name collate \"C\", u.key_id",
            &[&company_id, &from, &to],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| UsageMinute {
            key_id: r.get(0),
            key_name: r.get(1),
            minute: r.get(2),
            counts: UsageCounts {
                requests: r.get(3),
                rate_limited: r.get(4),
                client_errors: r.get(5),
                server_errors: r.get(6),
            },
        })
        .collect())
}
