//! Retention: deletes old messages with their deliveries and attempts, a batch at a time.

use fieldwork_store::StoreResult;

use crate::db::{Db, execute, query, transaction};

/// Deletes up to `limit` messages created before `before` that have no pending delivery or fan-out,
/// with their deliveries and attempts; returns how many messages went.
pub(crate) async fn purge(db: &Db, before: i64, limit: u32) -> StoreResult<u64> {
    let limit = i64::from(limit);
    transaction!(db, |tx| async {
        // `skip locked`: a message a writer still holds is left for the next round.
        let rows = query(
            &tx,
            "select m.id from webhook_messages m
             where m.created_at < $1
               and not exists (select 1 from webhook_deliveries d
                               where d.message_id = m.id and d.state = 'pending')
               and not exists (select 1 from webhook_fanouts f where f.message_id = m.id)
             order by m.created_at limit $2
             for update skip locked",
            &[&before, &limit],
        )
        .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        if ids.is_empty() {
            return Ok(0);
        }
        for sql in [
            "delete from webhook_attempts where message_id = any($1)",
            "delete from webhook_deliveries where message_id = any($1)",
            "delete from webhook_messages where id = any($1)",
        ] {
            execute(&tx, sql, &[&ids]).await?;
        }
        Ok(ids.len() as u64)
    }
    .await)
}
