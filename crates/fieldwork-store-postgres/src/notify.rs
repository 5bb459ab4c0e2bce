//! Wake-ups across processes: after a commit that recorded events, the store asks for one
//! `NOTIFY fieldwork_outbox`, sent by a task of its own outside the transaction (requests made
//! while one is being sent fold into the next), and every store keeps one connection that
//! `LISTEN`s and bumps its outbox signal, so a worker in another process starts at once instead
//! of at its next poll. Polling remains the fallback: a lost notification or listener
//! connection only delays deliveries until then.
//!
//! The notification is not sent inside the writing transaction: PostgreSQL serializes the
//! commits of transactions that notified (a global lock held through the WAL flush), which
//! capped event-recording writes at one commit per flush (~300/s here).

use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::db::Db;

/// The channel of outbox wake-ups.
const CHANNEL: &str = "fieldwork_outbox";

/// Sends one notification for every change of `requests` (changes made while one is being
/// sent fold into one more), until the store, which holds the sender, is dropped. A failed
/// send is not retried: the others' polling finds the deliveries.
pub(crate) fn spawn_sender(db: Arc<Db>, mut requests: watch::Receiver<u64>) {
    tokio::spawn(async move {
        while requests.changed().await.is_ok() {
            requests.mark_unchanged();
            let _ = db
                .execute("select pg_notify('fieldwork_outbox', '')", &[])
                .await;
        }
    });
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
