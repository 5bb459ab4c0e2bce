//! Retention: deletes old messages with their deliveries and attempts, a batch at a time.

use fieldwork_store::StoreResult;
use rusqlite::{Connection, params};

use crate::error::map_err;
use crate::sql::{collect, to_json};

/// Deletes up to `limit` messages created before `before` that have no pending delivery or fan-out,
/// with their deliveries and attempts; returns how many messages went.
pub(crate) fn purge(c: &Connection, before: i64, limit: u32) -> StoreResult<u64> {
    let ids: Vec<String> = collect(
        c,
        "select m.id from webhook_messages m
         where m.created_at < ?1
           and not exists (select 1 from webhook_deliveries d
                           where d.message_id = m.id and d.state = 'pending')
           and not exists (select 1 from webhook_fanouts f where f.message_id = m.id)
         order by m.created_at limit ?2",
        params![before, limit],
        |r| r.get(0),
    )?;
    if ids.is_empty() {
        return Ok(0);
    }
    let purged = ids.len() as u64;
    let ids = to_json(&ids);
    for sql in [
        "delete from webhook_attempts where message_id in (select value from json_each(?1))",
        "delete from webhook_deliveries where message_id in (select value from json_each(?1))",
        "delete from webhook_messages where id in (select value from json_each(?1))",
    ] {
        c.prepare_cached(sql)
            .and_then(|mut s| s.execute([&ids]))
            .map_err(map_err)?;
    }
    Ok(purged)
}
