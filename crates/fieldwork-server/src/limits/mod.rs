//! Request limits: at most N requests per API key in any rolling window, and at most M requests
//! of one company in progress at once. In memory, per server process.

mod headers;
pub mod sharded;
pub mod window;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use fieldwork_store::KeyAuth;

pub use headers::RateState;
use sharded::Sharded;
use window::SlidingWindow;

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
}

/// Why a request was refused with 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The key used up its requests of the window; retry after `retry_after_secs`.
    RateLimited { retry_after_secs: u64 },
    /// The company already has `limit` requests in progress.
    TooManyConcurrent { limit: u32 },
}

/// The outcome of [`RequestLimits::admit`]: the window's state for the headers (`None` when
/// limits are off) and, when admitted, the concurrency slot to hold until the response is made.
pub struct Admission {
    pub rate: Option<RateState>,
    pub outcome: Result<InFlight, Refusal>,
}

/// Both limits, shared by every request of the process.
pub struct RequestLimits {
    settings: LimitSettings,
    /// Origin of the windows' microsecond clock.
    epoch: Instant,
    windows: Sharded<SlidingWindow>,
    /// Requests in progress per company. A slot holds its company's counter, so giving it
    /// back is one atomic decrement; counters at zero are dropped with the idle windows.
    in_flight: Sharded<Arc<AtomicU32>>,
}

impl RequestLimits {
    /// Limits with the given settings and nothing counted yet.
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            settings,
            epoch: Instant::now(),
            windows: Sharded::default(),
            in_flight: Sharded::default(),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &LimitSettings {
        &self.settings
    }

    /// Decides a request made with `auth`'s key: the concurrency cap first (a request refused
    /// for it does not use up the key's window), then the key's window.
    pub fn admit(&self, auth: &KeyAuth) -> Admission {
        if !self.settings.enabled {
            return Admission {
                rate: None,
                outcome: Ok(InFlight { release: None }),
            };
        }
        let limit = auth.limits.per_minute.unwrap_or(self.settings.per_window);
        let window = self.window_micros();
        let now = self.now_micros();
        let in_flight = match self.enter(&auth.company_id, auth.limits.concurrency) {
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
        let rate = RateState::new(limit, self.settings.window, state);
        let outcome = if state.admitted {
            Ok(in_flight)
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

    /// Forgets keys with nothing in their window, so memory follows the keys active lately.
    pub fn evict_idle(&self) {
        let (now, window) = (self.now_micros(), self.window_micros());
        self.windows.retain(|w| !w.is_idle(now, window));
        // Taking a slot increments under the shard's lock, so a zero seen here stays zero.
        self.in_flight.retain(|n| n.load(Ordering::Acquire) > 0);
    }

    /// Keys currently tracked (for tests).
    pub fn tracked_keys(&self) -> usize {
        self.windows.len()
    }

    fn enter(&self, company_id: &str, own_limit: Option<u32>) -> Result<InFlight, Refusal> {
        let limit = own_limit.unwrap_or(self.settings.concurrency);
        self.in_flight.with(company_id, Arc::default, |n| {
            // Under the shard's lock, so no eviction races; releases need no lock.
            n.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                (v < limit).then_some(v + 1)
            })
            .map(|_| InFlight {
                release: Some(Arc::clone(n)),
            })
            .map_err(|_| Refusal::TooManyConcurrent { limit })
        })
    }

    fn now_micros(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn window_micros(&self) -> u64 {
        u64::try_from(self.settings.window.as_micros()).unwrap_or(u64::MAX)
    }
}

/// A company's slot among its requests in progress, given back when dropped.
pub struct InFlight {
    release: Option<Arc<AtomicU32>>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(n) = self.release.take() {
            n.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use fieldwork_store::{CompanyLimits, Plan};

    use super::*;

    fn auth(key: &str, company: &str, limits: CompanyLimits) -> KeyAuth {
        KeyAuth {
            key_id: key.into(),
            key_name: key.into(),
            company_id: company.into(),
            plan: Plan::Max,
            limits,
        }
    }

    fn limits(per_window: u32, concurrency: u32) -> RequestLimits {
        RequestLimits::new(LimitSettings {
            enabled: true,
            per_window,
            window: Duration::from_secs(60),
            concurrency,
        })
    }

    #[test]
    fn keys_have_separate_windows_and_company_limits_override_the_default() {
        let l = limits(2, 100);
        let a = auth("a", "co", CompanyLimits::default());
        let b = auth("b", "co", CompanyLimits::default());
        for _ in 0..2 {
            assert!(l.admit(&a).outcome.is_ok());
        }
        let refused = l.admit(&a);
        assert!(matches!(
            refused.outcome,
            Err(Refusal::RateLimited {
                retry_after_secs: 60
            })
        ));
        assert_eq!(refused.rate.unwrap().remaining, 0);
        assert!(l.admit(&b).outcome.is_ok());
        let own = auth(
            "c",
            "co2",
            CompanyLimits {
                per_minute: Some(1),
                concurrency: None,
            },
        );
        assert_eq!(l.admit(&own).rate.unwrap().limit, 1);
        assert!(l.admit(&own).outcome.is_err());
    }

    #[test]
    fn the_concurrency_cap_counts_requests_in_progress_per_company() {
        let l = limits(1000, 2);
        let a = auth("a", "co", CompanyLimits::default());
        let first = l.admit(&a).outcome.ok().unwrap();
        let _second = l.admit(&a).outcome.ok().unwrap();
        let third = l.admit(&a);
        assert!(matches!(
            third.outcome,
            Err(Refusal::TooManyConcurrent { limit: 2 })
        ));
        // The refused request did not use up the key's window.
        assert_eq!(third.rate.unwrap().remaining, 998);
        // Another company is not affected.
        assert!(
            l.admit(&auth("b", "other", CompanyLimits::default()))
                .outcome
                .is_ok()
        );
        drop(first);
        assert!(l.admit(&a).outcome.is_ok());
    }

    #[test]
    fn in_flight_counters_are_dropped_once_no_request_is_in_progress() {
        let l = limits(1000, 1);
        let a = auth("a", "co", CompanyLimits::default());
        let slot = l.admit(&a).outcome.ok().unwrap();
        assert!(l.admit(&a).outcome.is_err());
        assert_eq!(l.in_flight.len(), 1);
        drop(slot);
        assert_eq!(l.in_flight.len(), 1);
        l.evict_idle();
        assert!(l.in_flight.is_empty());
    }

    #[test]
    fn switched_off_admits_everything_without_state() {
        let l = RequestLimits::new(LimitSettings {
            enabled: false,
            per_window: 1,
            window: Duration::from_secs(60),
            concurrency: 1,
        });
        let a = auth("a", "co", CompanyLimits::default());
        let held: Vec<_> = (0..5).map(|_| l.admit(&a)).collect();
        assert!(held.iter().all(|x| x.outcome.is_ok() && x.rate.is_none()));
        assert_eq!(l.tracked_keys(), 0);
    }
}
