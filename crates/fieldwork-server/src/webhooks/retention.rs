//! Retention of the message log and the attempts: a periodic, batched deletion of messages
//! older than `webhook_retention_days` whose deliveries have all finished (see
//! `docs/WEBHOOKS.md`). Small batches keep each deletion short, so API writes sharing the
//! SQLite writer are not held up.

use std::time::Duration;

use fieldwork_store::StoreResult;
use fieldwork_store::time::now_micros;
use tokio_util::sync::CancellationToken;

use crate::DynStore;

/// Time between rounds; the first round runs soon after start.
const INTERVAL: Duration = Duration::from_secs(600);
const FIRST_ROUND_AFTER: Duration = Duration::from_secs(30);
/// Messages deleted per transaction, and the pause between transactions.
const BATCH: u32 = 500;
const PAUSE: Duration = Duration::from_millis(20);

/// Runs rounds until `cancel` fires.
pub fn spawn(
    store: DynStore,
    retention: Duration,
    cancel: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut wait = FIRST_ROUND_AFTER;
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
            wait = INTERVAL;
            match purge(&store, retention).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "deleted old webhook messages"),
                Err(e) => tracing::warn!(error = %e, "could not delete old webhook messages"),
            }
        }
    })
}

/// One round: deletes every finished message older than `retention`, a batch at a time;
/// returns how many went.
pub async fn purge(store: &DynStore, retention: Duration) -> StoreResult<u64> {
    let age = i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
    let before = now_micros().saturating_sub(age);
    let mut total = 0;
    loop {
        let n = store.purge_webhook_history(before, BATCH).await?;
        total += n;
        if n < u64::from(BATCH) {
            return Ok(total);
        }
        tokio::time::sleep(PAUSE).await;
    }
}
