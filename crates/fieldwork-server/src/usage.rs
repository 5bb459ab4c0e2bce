//! API usage figures gathered in memory per key and minute, added to the database every few
//! seconds (no database write per request), and pruned after the retention period.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use fieldwork_store::usage::minute_of;
use fieldwork_store::{Store, UsageCounts, UsageDelta};

use crate::DynStore;
use crate::limits::sharded::Sharded;

/// How often old minutes are deleted: often enough that the table never holds much more than
/// the retention period, rarely enough that pruning costs nothing measurable.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// One key's counts since the last flush.
#[derive(Debug)]
struct KeyCounts {
    company_id: String,
    /// `(minute start, counts)`; rarely more than two minutes between flushes.
    minutes: Vec<(i64, UsageCounts)>,
}

/// Counts of every key since the last flush, and the flushing.
pub struct UsageRecorder {
    pending: Sharded<KeyCounts>,
    retention: Duration,
    /// One flush at a time: a reader that flushes first then sees every count recorded before
    /// it asked, even those a concurrent periodic flush had already taken.
    flushing: tokio::sync::Mutex<Option<Instant>>,
}

impl UsageRecorder {
    /// A recorder that keeps stored minutes for `retention`.
    pub fn new(retention: Duration) -> Self {
        Self {
            pending: Sharded::default(),
            retention,
            flushing: tokio::sync::Mutex::new(None),
        }
    }

    /// Counts one finished request of a key at `now` (unix micros).
    pub fn record(&self, company_id: &str, key_id: &str, status: StatusCode, now: i64) {
        let minute = minute_of(now);
        let counts = UsageCounts {
            requests: 1,
            rate_limited: i64::from(status == StatusCode::TOO_MANY_REQUESTS),
            client_errors: i64::from(status.is_client_error()),
            server_errors: i64::from(status.is_server_error()),
        };
        self.pending.with(
            key_id,
            || KeyCounts {
                company_id: company_id.to_owned(),
                minutes: Vec::new(),
            },
            |k| match k.minutes.iter_mut().find(|(m, _)| *m == minute) {
                Some((_, c)) => c.add(&counts),
                None => k.minutes.push((minute, counts)),
            },
        );
    }

    /// Adds the gathered counts to the database (and prunes old minutes every so often).
    ///
    /// On failure the counts are put back, to be added by the next flush. The write is one
    /// transaction, so a failure adds nothing; only a commit whose acknowledgement is lost
    /// could count twice.
    pub async fn flush(&self, store: &dyn Store) {
        let mut last_prune = self.flushing.lock().await;
        let taken = self.pending.drain();
        let prune = last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY);
        let prune_before = prune.then(|| {
            let keep = i64::try_from(self.retention.as_micros()).unwrap_or(i64::MAX);
            minute_of(fieldwork_store::time::now_micros().saturating_sub(keep))
        });
        if taken.is_empty() && prune_before.is_none() {
            return;
        }
        let deltas: Vec<UsageDelta> = taken
            .iter()
            .flat_map(|(key_id, k)| {
                k.minutes.iter().map(|(minute, counts)| UsageDelta {
                    company_id: k.company_id.clone(),
                    key_id: key_id.clone(),
                    minute: *minute,
                    counts: *counts,
                })
            })
            .collect();
        match store.add_usage(deltas, prune_before).await {
            Ok(()) => {
                if prune {
                    *last_prune = Some(Instant::now());
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not record API usage figures; will retry");
                for (key_id, k) in taken {
                    for (minute, counts) in k.minutes {
                        self.restore(&key_id, &k.company_id, minute, counts);
                    }
                }
            }
        }
    }

    fn restore(&self, key_id: &str, company_id: &str, minute: i64, counts: UsageCounts) {
        self.pending.with(
            key_id,
            || KeyCounts {
                company_id: company_id.to_owned(),
                minutes: Vec::new(),
            },
            |k| match k.minutes.iter_mut().find(|(m, _)| *m == minute) {
                Some((_, c)) => c.add(&counts),
                None => k.minutes.push((minute, counts)),
            },
        );
    }
}

/// Every `every` until aborted: writes the usage figures and forgets idle rate-limit windows.
pub fn spawn_housekeeping(state: crate::AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    let store: DynStore = Arc::clone(&state.store);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            state.usage.flush(store.as_ref()).await;
            state.limits.housekeep().await;
        }
    })
}

#[cfg(test)]
mod tests {
    use fieldwork_store::usage::MINUTE_MICROS;

    use super::*;

    #[test]
    fn counts_are_grouped_by_key_and_minute() {
        let r = UsageRecorder::new(Duration::from_secs(60));
        r.record("co", "k1", StatusCode::OK, 1_000);
        r.record("co", "k1", StatusCode::TOO_MANY_REQUESTS, 2_000);
        r.record(
            "co",
            "k1",
            StatusCode::INTERNAL_SERVER_ERROR,
            MINUTE_MICROS + 5,
        );
        r.record("co", "k2", StatusCode::NOT_FOUND, 3_000);
        let mut all = r.pending.drain();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(all.len(), 2);
        let k1 = &all[0].1.minutes;
        assert_eq!(
            k1[0],
            (
                0,
                UsageCounts {
                    requests: 2,
                    rate_limited: 1,
                    client_errors: 1,
                    server_errors: 0
                }
            )
        );
        assert_eq!(k1[1].1.server_errors, 1);
        assert_eq!(all[1].1.minutes[0].1.client_errors, 1);
    }
}
