//! Request limits: at most N requests per API key in any rolling window, and at most M requests
//! of one company in progress at once.
//!
//! The key windows are exact sliding windows in this process's memory (`window.rs`), or, when
//! several servers share a database, kept in it (`shared.rs`) so the limit holds across all of
//! them. The concurrency cap is per process (`concurrency.rs`).

mod concurrency;
mod headers;
pub mod sharded;
mod shared;
pub mod window;

use std::sync::Arc;
use std::time::{Duration, Instant};

use fieldwork_store::{
    KeyAuth, Plan, SharedRateWindows, Store, StoreError, WindowCount, WindowRule,
};
use serde::{Deserialize, Serialize};

use concurrency::ConcurrencyCap;
pub use concurrency::InFlight;
pub use headers::RateState;
use sharded::Sharded;
use shared::SharedWindows;
use window::SlidingWindow;

/// The longest window a server may be configured with (`rate_limit_window_secs`).
pub const MAX_WINDOW_SECS: u64 = 3600;

/// Where the key windows are kept (`rate_limit_scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// One window per key for every server on the database: in the database on PostgreSQL,
    /// in memory on SQLite (one server process per database file).
    Shared,
    /// One window per key in each server process's memory.
    Process,
}

/// The server-wide limit settings (companies may override the two numbers).
#[derive(Debug, Clone, Copy)]
pub struct LimitSettings {
    /// `false` turns both limits off (and the rate-limit headers with them).
    pub enabled: bool,
    /// Requests per key per window, unless the company has its own number.
    pub per_window: u32,
    /// Length of the rolling window.
    pub window: Duration,
    /// Requests of a company in progress at once, unless the company has its own number.
    pub concurrency: u32,
    /// Where the key windows are kept.
    pub scope: Scope,
}

/// Why a request was refused with 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The key used up its requests of the window; retry after `retry_after_secs`.
    RateLimited { retry_after_secs: u64 },
    /// The company already has `limit` requests in progress.
    TooManyConcurrent { limit: u32 },
}

/// The outcome of a decision: the window's state for the headers (`None` when limits are off)
/// and, when admitted, the concurrency slot to hold until the response is made.
pub struct Admission {
    pub rate: Option<RateState>,
    pub outcome: Result<InFlight, Refusal>,
}

/// Both limits, shared by every request of the process.
pub struct RequestLimits {
    settings: LimitSettings,
    /// Origin of the in-memory windows' microsecond clock.
    epoch: Instant,
    /// The in-memory windows: the only ones in `process` scope, the fallback in `shared`.
    windows: Sharded<SlidingWindow>,
    /// The database's windows, when they are the ones in force.
    shared: Option<SharedWindows>,
    in_flight: ConcurrencyCap,
}

impl RequestLimits {
    /// Limits with the given settings, nothing counted yet, and the windows in memory.
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            settings,
            epoch: Instant::now(),
            windows: Sharded::default(),
            shared: None,
            in_flight: ConcurrencyCap::default(),
        }
    }

    /// Limits whose key windows are `store`'s shared ones when the settings ask for `shared`
    /// scope and the store has them; in memory otherwise.
    pub fn for_store(settings: LimitSettings, store: &dyn Store) -> Self {
        let shared = (settings.enabled && settings.scope == Scope::Shared)
            .then(|| store.shared_rate_windows())
            .flatten();
        Self::with_shared(settings, shared)
    }

    /// Limits whose key windows are `shared` (in memory when `None`).
    pub fn with_shared(
        settings: LimitSettings,
        shared: Option<Arc<dyn SharedRateWindows>>,
    ) -> Self {
        let rule = WindowRule {
            default_limit: settings.per_window,
            window_secs: u32::try_from(settings.window.as_secs()).unwrap_or(u32::MAX),
        };
        Self {
            shared: shared.map(|s| SharedWindows::new(s, rule)),
            ..Self::new(settings)
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &LimitSettings {
        &self.settings
    }

    /// Where the key windows are, for the start-up log.
    pub fn describe(&self) -> &'static str {
        match (self.settings.enabled, self.is_shared()) {
            (false, _) => "off",
            (true, true) => "per key in the database, shared by every server on it",
            (true, false) => "per key in this process's memory",
        }
    }

    /// Whether the key windows are the database's (then use [`Self::authenticate_and_admit`]).
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Decides a request made with `auth`'s key on this process's windows: the concurrency
    /// cap first (a request refused for it does not use up the key's window), then the window.
    pub fn admit(&self, auth: &KeyAuth) -> Admission {
        if !self.settings.enabled {
            return Admission {
                rate: None,
                outcome: Ok(InFlight::none()),
            };
        }
        let limit = auth.limits.per_minute.unwrap_or(self.settings.per_window);
        let window = self.window_micros();
        let now = self.now_micros();
        let in_flight = match self.enter(auth) {
            Ok(slot) => slot,
            Err(refusal) => {
                let state = self
                    .windows
                    .with(&auth.key_id, SlidingWindow::default, |w| {
                        w.peek(now, limit, window)
                    });
                return Admission {
                    rate: Some(RateState::new(limit, self.settings.window, state)),
                    outcome: Err(refusal),
                };
            }
        };
        let state = self
            .windows
            .with(&auth.key_id, SlidingWindow::default, |w| {
                w.admit(now, limit, window)
            });
        self.decided(
            RateState::new(limit, self.settings.window, state),
            state.admitted,
            in_flight,
        )
    }

    /// Looks up the key of `key_hash` and decides its request on the database's windows, in one
    /// round trip: the window first, then the concurrency cap (a request it refuses gets its
    /// count taken back). `None`: no active key has this hash; no admission: not on `max`.
    ///
    /// When the shared windows fail but the database answers (a broken table, say), the
    /// request is looked up alone and decided on this process's window, with a warning: the
    /// limit then holds per server, never not at all, and no 5xx comes of it. A database that
    /// does not answer fails the lookup as it would without limits (503).
    pub async fn authenticate_and_admit(
        &self,
        key_hash: &str,
        store: &dyn Store,
    ) -> Result<Option<(KeyAuth, Option<Admission>)>, StoreError> {
        let Some(shared) = &self.shared else {
            return self.authenticate_locally(key_hash, store).await;
        };
        let (auth, count) = match shared.count(key_hash).await {
            Ok(None) => return Ok(None),
            Ok(Some(found)) => found,
            Err(e @ StoreError::Unavailable(_)) => return Err(e),
            Err(e) => {
                shared.warn(
                    "shared rate limit failed; limiting per server meanwhile",
                    &e,
                );
                return self.authenticate_locally(key_hash, store).await;
            }
        };
        let Some(count) = count else {
            return Ok(Some((auth, None)));
        };
        let rate = |count: WindowCount| {
            RateState::new(
                count.limit,
                self.settings.window,
                shared::window_state(&count),
            )
        };
        if !count.admitted {
            return Ok(Some((
                auth,
                Some(self.decided(rate(count), false, InFlight::none())),
            )));
        }
        let admission = match self.enter(&auth) {
            Ok(slot) => self.decided(rate(count), true, slot),
            Err(refusal) => {
                shared.uncount(&auth.key_id, count.sec).await;
                Admission {
                    rate: Some(rate(shared::uncounted(&count))),
                    outcome: Err(refusal),
                }
            }
        };
        Ok(Some((auth, Some(admission))))
    }

    /// Forgets idle in-memory windows and in-flight counters and, once a minute, deletes idle keys' shared windows.
    pub async fn housekeep(&self) {
        let (now, window) = (self.now_micros(), self.window_micros());
        self.windows.retain(|w| !w.is_idle(now, window));
        self.in_flight.forget_idle();
        if let Some(shared) = &self.shared {
            shared.prune_if_due().await;
        }
    }

    /// Keys tracked in memory (for tests).
    pub fn tracked_keys(&self) -> usize {
        self.windows.len()
    }

    async fn authenticate_locally(
        &self,
        key_hash: &str,
        store: &dyn Store,
    ) -> Result<Option<(KeyAuth, Option<Admission>)>, StoreError> {
        let auth = store.authenticate(key_hash).await?;
        Ok(auth.map(|auth| {
            let admission = (auth.plan == Plan::Max).then(|| self.admit(&auth));
            (auth, admission)
        }))
    }

    /// The admission of a window's decision, holding `slot` when admitted.
    fn decided(&self, rate: RateState, admitted: bool, slot: InFlight) -> Admission {
        let outcome = if admitted {
            Ok(slot)
        } else {
            Err(Refusal::RateLimited {
                retry_after_secs: rate.reset_secs.max(1),
            })
        };
        Admission {
            rate: Some(rate),
            outcome,
        }
    }

    fn enter(&self, auth: &KeyAuth) -> Result<InFlight, Refusal> {
        let limit = auth.limits.concurrency.unwrap_or(self.settings.concurrency);
        self.in_flight.enter(&auth.company_id, limit)
    }

    fn now_micros(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn window_micros(&self) -> u64 {
        u64::try_from(self.settings.window.as_micros()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests;
