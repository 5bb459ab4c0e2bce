//! Wake-ups across processes: after a commit that recorded events, the store asks for one
//! `NOTIFY fieldwork_outbox`, sent by a task of its own outside the transaction (requests made
//! while one is being sent fold into the next), and every store keeps one connection that
//! `LISTEN`s and bumps its outbox signal, so a worker in another process starts at once instead
//! of at its next poll. Polling remains the fallback: a lost notification or listener
//! connection only delays deliveries until then.
//!
//! The payload says whether the commits it stands for may have queued deliveries: [`EVENTS_ONLY`]
//! wakes live event streams but not the webhook worker (most events of a company without
//! endpoints queue none); any other payload, the empty one of older versions included, wakes
//! both.
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

/// The payload of a notification for events that queued no delivery.
const EVENTS_ONLY: &str = "events";

/// What wakes this process's waiters: `outbox` after every commit that recorded events (live
/// streams, `Store::outbox_signal`), `deliveries` after those that may have queued deliveries
/// (the webhook worker, `Store::deliveries_signal`).
#[derive(Default)]
pub(crate) struct Wakeups {
    pub outbox: watch::Sender<u64>,
    pub deliveries: watch::Sender<u64>,
    /// Whether the listener listens (for tests that need notifications to arrive).
    pub listening: std::sync::atomic::AtomicBool,
}

impl Wakeups {
    pub fn bump(&self, deliveries: bool) {
        self.outbox.send_modify(|n| *n = n.wrapping_add(1));
        if deliveries {
            self.deliveries.send_modify(|n| *n = n.wrapping_add(1));
        }
    }
}

/// Sends one notification for every change of `requests` (changes made while one is being
/// sent fold into one more), until the store, which holds the sender, is dropped. The value of
/// `requests` says whether any commit since the last notification may have queued deliveries;
/// the task takes it back to `false` as it sends. A failed send is not retried: the others'
/// polling finds the deliveries.
pub(crate) fn spawn_sender(db: Arc<Db>, requests: &Arc<watch::Sender<bool>>) {
    let mut changed = requests.subscribe();
    let requests = Arc::downgrade(requests);
    tokio::spawn(async move {
        while changed.changed().await.is_ok() {
            changed.mark_unchanged();
            let Some(requests) = requests.upgrade() else {
                return;
            };
            let mut deliveries = false;
            requests.send_if_modified(|d| {
                deliveries = std::mem::take(d);
                false
            });
            let payload = if deliveries { "" } else { EVENTS_ONLY };
            let _ = db
                .execute("select pg_notify($1, $2)", &[&CHANNEL, &payload])
                .await;
        }
    });
}

/// Listens on its own connection (outside the pool) until the store is dropped, reconnecting
/// with a backoff; every notification bumps `wakeups`.
pub(crate) fn spawn_listener(config: tokio_postgres::Config, wakeups: Weak<Wakeups>) {
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(500);
        while wakeups.strong_count() > 0 {
            match config.connect(NoTls).await {
                Ok((client, mut connection)) => {
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                    let driver = tokio::spawn(async move {
                        let mut messages =
                            futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                        while let Some(Ok(message)) = messages.next().await {
                            if let AsyncMessage::Notification(n) = message
                                && tx.send(n.payload() != EVENTS_ONLY).is_err()
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
                        set_listening(&wakeups, true);
                        // Anything committed while not listening is found by this wake-up.
                        bump(&wakeups, true);
                        loop {
                            tokio::select! {
                                got = rx.recv() => match got {
                                    Some(deliveries) => bump(&wakeups, deliveries),
                                    None => break,
                                },
                                () = tokio::time::sleep(Duration::from_secs(5)) => {
                                    if wakeups.strong_count() == 0 {
                                        break;
                                    }
                                }
                            }
                        }
                    }
                    set_listening(&wakeups, false);
                    driver.abort();
                }
                Err(e) => tracing::debug!(error = %e, "outbox listener cannot connect"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    });
}

fn set_listening(wakeups: &Weak<Wakeups>, listening: bool) {
    if let Some(w) = wakeups.upgrade() {
        w.listening
            .store(listening, std::sync::atomic::Ordering::SeqCst);
    }
}

fn bump(wakeups: &Weak<Wakeups>, deliveries: bool) {
    if let Some(w) = wakeups.upgrade() {
        w.bump(deliveries);
    }
}
