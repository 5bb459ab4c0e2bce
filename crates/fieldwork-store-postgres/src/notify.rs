//! Wake-ups across processes: a commit that queued deliveries sends `NOTIFY fieldwork_outbox`
//! (delivered by PostgreSQL only if the transaction commits), and every store keeps one
//! connection that `LISTEN`s and bumps its outbox signal, so a worker in another process starts
//! at once instead of at its next poll. Polling remains the fallback: a lost listener
//! connection only delays deliveries until then.

use std::sync::Weak;
use std::time::Duration;

use deadpool_postgres::GenericClient;
use fieldwork_store::StoreResult;
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::db::execute;

/// The channel of outbox wake-ups.
const CHANNEL: &str = "fieldwork_outbox";

/// Queues the wake-up in the caller's transaction (sent on commit; duplicates in one
/// transaction are folded by PostgreSQL).
pub(crate) async fn notify(c: &impl GenericClient) -> StoreResult<()> {
    execute(c, "select pg_notify('fieldwork_outbox', '')", &[]).await?;
    Ok(())
}

/// Listens on its own connection (outside the pool) until the store is dropped, reconnecting
/// with a backoff; every notification bumps `signal`.
pub(crate) fn spawn_listener(config: tokio_postgres::Config, signal: Weak<watch::Sender<u64>>) {
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(500);
        while signal.strong_count() > 0 {
            match config.connect(NoTls).await {
                Ok((client, mut connection)) => {
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                    let driver = tokio::spawn(async move {
                        let mut messages =
                            futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                        while let Some(Ok(message)) = messages.next().await {
                            if matches!(message, AsyncMessage::Notification(_))
                                && tx.send(()).is_err()
                            {
                                return;
                            }
                        }
                    });
                    if client
                        .batch_execute(&format!("listen {CHANNEL}"))
                        .await
                        .is_ok()
                    {
                        backoff = Duration::from_millis(500);
                        // Anything committed while not listening is found by this wake-up.
                        bump(&signal);
                        loop {
                            tokio::select! {
                                got = rx.recv() => match got {
                                    Some(()) => bump(&signal),
                                    None => break,
                                },
                                () = tokio::time::sleep(Duration::from_secs(5)) => {
                                    if signal.strong_count() == 0 {
                                        break;
                                    }
                                }
                            }
                        }
                    }
                    driver.abort();
                }
                Err(e) => tracing::debug!(error = %e, "outbox listener cannot connect"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    });
}

fn bump(signal: &Weak<watch::Sender<u64>>) {
    if let Some(s) = signal.upgrade() {
        s.send_modify(|n| *n = n.wrapping_add(1));
    }
}
