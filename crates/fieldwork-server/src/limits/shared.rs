//! The key windows kept in the database (PostgreSQL), so the limit holds across every server
//! on it: the store counts the request in the same round trip as the key lookup.

use std::sync::Arc;
use std::time::{Duration, Instant};

use fieldwork_store::{KeyAuth, SharedRateWindows, StoreResult, WindowCount, WindowRule};
use parking_lot::Mutex;

use super::window::WindowState;

/// Keys with no request for this long are deleted from the table: the longest window any
/// server may be configured with, so no server loses a count it still needs.
const IDLE_SECS: u64 = super::MAX_WINDOW_SECS;

/// How often a server deletes idle keys' rows.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// At most one warning per this interval while the shared windows fail.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// The store's shared windows, with the bookkeeping of this server around them.
pub struct SharedWindows {
    store: Arc<dyn SharedRateWindows>,
    rule: WindowRule,
    last_prune: Mutex<Option<Instant>>,
    last_warning: Mutex<Option<Instant>>,
}

impl SharedWindows {
    /// Windows of `rule` in `store`.
    pub fn new(store: Arc<dyn SharedRateWindows>, rule: WindowRule) -> Self {
        Self {
            store,
            rule,
            last_prune: Mutex::new(None),
            last_warning: Mutex::new(None),
        }
    }

    /// Looks up the key and, for a `max` company, counts the request (see the store's trait).
    pub async fn count(
        &self,
        key_hash: &str,
    ) -> StoreResult<Option<(KeyAuth, Option<WindowCount>)>> {
        self.store.authenticate_and_count(key_hash, self.rule).await
    }

    /// Takes back a count; a failure leaves the request counted (stricter, never looser).
    pub async fn uncount(&self, key_id: &str, sec: i64) {
        if let Err(e) = self.store.uncount(key_id, sec).await {
            self.warn("could not take back a refused request's count", &e);
        }
    }

    /// Deletes idle keys' rows if the last pruning is a minute old.
    pub async fn prune_if_due(&self) {
        {
            let mut last = self.last_prune.lock();
            if last.is_some_and(|at| at.elapsed() < PRUNE_EVERY) {
                return;
            }
            *last = Some(Instant::now());
        }
        if let Err(e) = self.store.prune_rate_windows(IDLE_SECS).await {
            self.warn("could not delete idle rate-limit windows", &e);
        }
    }

    /// Logs a failure of the shared windows, at most once per [`WARN_EVERY`].
    pub fn warn(&self, what: &str, e: &dyn std::error::Error) {
        let mut last = self.last_warning.lock();
        if last.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
            *last = Some(Instant::now());
            tracing::warn!(error = %e, "{what}");
        }
    }
}

/// A shared window's count as the headers report it (second granularity).
pub fn window_state(count: &WindowCount) -> WindowState {
    WindowState {
        admitted: count.admitted,
        remaining: count.limit.saturating_sub(count.counted),
        reset_micros: count.reset_secs * 1_000_000,
    }
}

/// The state after an admitted request's count was taken back.
pub fn uncounted(count: &WindowCount) -> WindowCount {
    let counted = count.counted.saturating_sub(1);
    WindowCount {
        admitted: false,
        counted,
        reset_secs: if counted == 0 { 0 } else { count.reset_secs },
        ..*count
    }
}
