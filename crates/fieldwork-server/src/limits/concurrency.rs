//! The per-company cap on requests in progress, counted in this process's memory.
//!
//! It stays per process on every backend: a request in progress holds its slot for
//! milliseconds, so a shared count would cost two database writes per request to guard what
//! each server's own cap (and the database pool) already bounds. With N servers, a company may
//! have up to N × the cap in progress.

use std::sync::Arc;

use super::Refusal;
use super::sharded::Sharded;

/// Requests in progress per company; an entry exists only while one is.
#[derive(Default)]
pub struct ConcurrencyCap {
    in_flight: Arc<Sharded<u32>>,
}

impl ConcurrencyCap {
    /// Takes one of the company's `limit` slots, or refuses when all are taken.
    pub fn enter(&self, company_id: &str, limit: u32) -> Result<InFlight, Refusal> {
        let entered = self.in_flight.with(
            company_id,
            || 0,
            |n| {
                let entered = *n < limit;
                if entered {
                    *n += 1;
                }
                entered
            },
        );
        if !entered {
            // A refused first request leaves a zero entry behind; drop it.
            self.in_flight.update_or_remove(company_id, |n| *n > 0);
            return Err(Refusal::TooManyConcurrent { limit });
        }
        Ok(InFlight {
            release: Some((Arc::clone(&self.in_flight), company_id.to_owned())),
        })
    }

    /// Companies with a request in progress (for tests).
    #[cfg(test)]
    pub fn companies(&self) -> usize {
        self.in_flight.len()
    }
}

/// A company's slot among its requests in progress, given back when dropped.
pub struct InFlight {
    release: Option<(Arc<Sharded<u32>>, String)>,
}

impl InFlight {
    /// A slot that holds nothing (limits switched off).
    pub fn none() -> Self {
        Self { release: None }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some((in_flight, company_id)) = self.release.take() {
            in_flight.update_or_remove(&company_id, |n| {
                *n = n.saturating_sub(1);
                *n > 0
            });
        }
    }
}
