//! The per-company cap on requests in progress, counted in this process's memory.
//!
//! It stays per process on every backend: a request in progress holds its slot for
//! milliseconds, so a shared count would cost two database writes per request to guard what
//! each server's own cap (and the database pool) already bounds. With N servers, a company may
//! have up to N × the cap in progress.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use super::Refusal;
use super::sharded::Sharded;

/// Requests in progress per company. A slot holds its company's counter, so giving it back is
/// one atomic decrement (no lookup, no allocation); counters at zero are dropped by
/// [`ConcurrencyCap::forget_idle`].
#[derive(Default)]
pub struct ConcurrencyCap {
    in_flight: Sharded<Arc<AtomicU32>>,
}

impl ConcurrencyCap {
    /// Takes one of the company's `limit` slots, or refuses when all are taken.
    pub fn enter(&self, company_id: &str, limit: u32) -> Result<InFlight, Refusal> {
        self.in_flight.with(company_id, Arc::default, |n| {
            // Under the shard's lock, so `forget_idle` never drops a counter being taken.
            n.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                (v < limit).then_some(v + 1)
            })
            .map(|_| InFlight {
                release: Some(Arc::clone(n)),
            })
            .map_err(|_| Refusal::TooManyConcurrent { limit })
        })
    }

    /// Drops the counters of companies with nothing in progress.
    pub fn forget_idle(&self) {
        self.in_flight.retain(|n| n.load(Ordering::Acquire) > 0);
    }

    /// Companies with a counter (for tests).
    #[cfg(test)]
    pub fn companies(&self) -> usize {
        self.in_flight.len()
    }
}

/// A company's slot among its requests in progress, given back when dropped.
pub struct InFlight {
    release: Option<Arc<AtomicU32>>,
}

impl InFlight {
    /// A slot that holds nothing (limits switched off).
    pub fn none() -> Self {
        Self { release: None }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(n) = self.release.take() {
            n.fetch_sub(1, Ordering::AcqRel);
        }
    }
}
