//! Webhook endpoints, the message log, deliveries and attempts: the records the store keeps
//! for the webhook platform (the rules live in the server's `webhooks` module).

mod health;
pub use health::{HealthChange, health_changes};

use std::collections::HashMap;

/// Prefix of endpoint ids.
pub const ENDPOINT_PREFIX: &str = "wep";
/// Prefix of delivery ids.
pub const DELIVERY_PREFIX: &str = "dlv";
/// Prefix of attempt ids.
pub const ATTEMPT_PREFIX: &str = "atm";

/// A company's webhook endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub company_id: String,
    pub url: String,
    pub description: String,
    /// Event types delivered to it; empty means every type.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Why it was disabled (by an operator, a `410 Gone`, or failing too long).
    pub disabled_reason: Option<String>,
    /// The endpoint `POST /webhooks/subscription` manages (at most one per company).
    pub is_primary: bool,
    /// `whsec_…`: never logged (see the manual `Debug`).
    pub secret: String,
    /// The secret replaced by the last rotation, still signing until `previous_secret_expires_at`.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<i64>,
    /// When the current run of failures began (`None` after any success).
    pub failing_since: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("id", &self.id)
            .field("company_id", &self.company_id)
            .field("url", &self.url)
            .field("enabled", &self.enabled)
            .field("secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A new endpoint, validated by the caller.
#[derive(Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub is_primary: bool,
    pub secret: String,
}

/// A partial update of an endpoint; `None` keeps the value. Enabling clears the disabled
/// reason and the failure run.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// A recorded event (the outbound message log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub event_type: String,
    pub payload: String,
    pub created_at: i64,
    /// Insertion order, for streams that resume after the last message they saw.
    pub seq: i64,
}

/// Which messages a log page returns, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageQuery {
    pub event_type: Option<String>,
    /// Inclusive bounds on `created_at` (unix microseconds).
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
}

/// One delivery attempt as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: String,
    pub endpoint_id: String,
    pub message_id: String,
    pub created_at: i64,
    pub response_status_code: Option<i64>,
    pub duration_ms: i64,
    /// The start of the response body (the worker truncates it).
    pub response_body: Option<String>,
    pub error: Option<String>,
    /// When the next try is due; `None` after success or the last try.
    pub next_retry_at: Option<i64>,
}

/// A delivery claimed by a worker, with what it needs to send it.
#[derive(Clone)]
pub struct ClaimedDelivery {
    pub id: String,
    pub company_id: String,
    pub endpoint_id: String,
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
    pub url: String,
    pub secret: String,
    /// The previous secret while its grace period lasts.
    pub previous_secret: Option<String>,
    /// Tries made before this one.
    pub attempts: i64,
    /// The end of this claim's lease, as stored. A resend or recover while the delivery is
    /// being sent moves the stored lease on by a microsecond, so the recording of this attempt
    /// can tell (see [`AttemptResult::lease_until`]).
    pub lease_until: i64,
    /// Part of a message's fan-out: no delivery row exists yet, the lease is the
    /// message's, and the outcome decides whether one is made (see [`DeliveryOutcome::Held`]).
    pub fanout: bool,
}

impl std::fmt::Debug for ClaimedDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimedDelivery")
            .field("id", &self.id)
            .field("endpoint_id", &self.endpoint_id)
            .field("message_id", &self.message_id)
            .field("attempts", &self.attempts)
            .field("fanout", &self.fanout)
            .finish_non_exhaustive()
    }
}

/// What a worker asks for when it claims.
#[derive(Debug, Clone, Default)]
pub struct ClaimRequest {
    /// Unix microseconds.
    pub now: i64,
    /// How long the claim is held; after it, another worker may take the delivery again.
    pub lease_micros: i64,
    /// Most deliveries returned.
    pub limit: u32,
    /// Most deliveries of one endpoint returned, unless `available` says fewer.
    pub per_endpoint: u32,
    /// Endpoints with fewer free slots than `per_endpoint` (this worker's in-flight work).
    pub available: HashMap<String, u32>,
}

impl ClaimRequest {
    /// The part of a claim queued fan-outs may take: three quarters while delivery rows are
    /// due too, so retries are not starved by a stream of new events.
    pub fn fanout_limit(&self) -> u32 {
        self.limit - self.limit / 4
    }

    /// What is left of this claim for delivery rows once `fanned` was claimed from fan-outs
    /// (less room at their endpoints), or `None` when nothing is.
    pub fn for_rows(&self, fanned: &[ClaimedDelivery]) -> Option<ClaimRequest> {
        let rest = self.limit.saturating_sub(fanned.len() as u32);
        if rest == 0 {
            return None;
        }
        let mut rows = self.clone();
        rows.limit = rest;
        for d in fanned {
            let room = rows
                .available
                .entry(d.endpoint_id.clone())
                .or_insert(self.per_endpoint);
            *room = room.saturating_sub(1);
        }
        Some(rows)
    }
}

/// The outcomes of fan-out deliveries counted per message and lease, as the fan-outs' counts
/// of outcomes still to come are lowered.
pub fn outcomes_per_fanout<'a>(results: &[&'a AttemptResult]) -> Vec<(&'a str, i64, i32)> {
    let mut counts: HashMap<(&str, i64), i32> = HashMap::new();
    for r in results {
        *counts
            .entry((r.attempt.message_id.as_str(), r.lease_until))
            .or_default() += 1;
    }
    counts.into_iter().map(|((m, l), n)| (m, l, n)).collect()
}

/// How long a queued fan-out whose endpoints are all busy (no room in the claim) is passed
/// over before a claim takes it anyway, for the worker to hold as delivery rows. Claims look
/// past such messages (other endpoints' events are never stuck behind them), and a fast
/// endpoint busy for a moment gets them in order; what this bounds is the queue of a dead
/// endpoint's events that every claim passes over. Held any sooner, a fast endpoint's events
/// under a burst became rows, which cost more to send and made the burst last (BENCHMARKS.md).
pub const HOLD_BUSY_AFTER_MICROS: i64 = 10_000_000;

/// A fan-out delivery's id: `dlv_` + 32 hex digits of SHA-256 of `<message id>/<endpoint id>`,
/// the same at every claim of the message (and in both stores).
pub fn fanout_delivery_id(message_id: &str, endpoint_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(message_id)
        .chain_update("/")
        .chain_update(endpoint_id)
        .finalize();
    format!("dlv_{}", hex::encode(&digest[..16]))
}

/// How an attempt ended, decided by the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// 2xx: done.
    Succeeded,
    /// Failed; try again at this time (unix microseconds).
    Retry { at: i64 },
    /// Failed and the schedule is exhausted.
    Exhausted,
    /// `410 Gone`: the delivery fails and the endpoint is disabled.
    Gone,
    /// Not attempted: a fan-out delivery the worker could not send under its claim (the
    /// endpoint had no room, or the wait for a slot outlasted the lease). It becomes a
    /// delivery row due at once; no attempt is logged. Only fan-out deliveries end so.
    Held,
}

/// How far resends and recovers may have moved a claim's lease on (a microsecond each) for it
/// still to count as that claim's when the attempt is recorded ([`AttemptResult::lease_until`]).
/// A newer claim's lease ends at least a lease length after this one's.
pub const RESENT_LEASE_SLACK_MICROS: i64 = 1000;

/// The result of one attempt, recorded with [`crate::Store::complete_deliveries`].
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub delivery_id: String,
    pub company_id: String,
    pub outcome: DeliveryOutcome,
    pub attempt: Attempt,
    /// The claim's lease ([`ClaimedDelivery::lease_until`]). If the stored lease has moved on by up
    /// to [`RESENT_LEASE_SLACK_MICROS`] when the attempt is recorded, the delivery was resent (or
    /// recovered) while this attempt was under way: it stays pending and is due at once, so the
    /// resend is sent after this attempt, never beside it. If it is any other lease, this claim ran
    /// out and another took the delivery: only the attempt row is recorded.
    pub lease_until: i64,
    /// [`ClaimedDelivery::fanout`].
    pub fanout: bool,
}

/// Settings of [`crate::Store::complete_deliveries`] that come from configuration.
#[derive(Debug, Clone, Copy)]
pub struct CompletionRules {
    /// An endpoint whose failures began longer ago than this (microseconds) is disabled.
    pub disable_after_micros: i64,
}

/// States of a delivery row.
pub mod state {
    pub const PENDING: &str = "pending";
    pub const SUCCEEDED: &str = "succeeded";
    pub const FAILED: &str = "failed";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fanned(endpoint: &str) -> ClaimedDelivery {
        ClaimedDelivery {
            id: format!("dlv_{endpoint}"),
            company_id: "c".into(),
            endpoint_id: endpoint.into(),
            message_id: "m".into(),
            event_type: "job.created".into(),
            payload: "{}".into(),
            url: "http://127.0.0.1/".into(),
            secret: "whsec_x".into(),
            previous_secret: None,
            attempts: 0,
            lease_until: 1,
            fanout: true,
        }
    }

    /// Rows get what fan-outs left of the claim, with that much less room at their endpoints.
    #[test]
    fn rows_get_the_rest_of_a_claim() {
        let req = ClaimRequest {
            limit: 8,
            per_endpoint: 4,
            available: HashMap::from([("b".to_owned(), 2)]),
            ..Default::default()
        };
        assert_eq!(req.fanout_limit(), 6);
        let rows = req
            .for_rows(&[fanned("a"), fanned("b"), fanned("a")])
            .unwrap();
        assert_eq!(rows.limit, 5);
        assert_eq!(rows.available["a"], 2);
        assert_eq!(rows.available["b"], 1);
        let full: Vec<_> = (0..8).map(|_| fanned("a")).collect();
        assert!(req.for_rows(&full).is_none());
    }
}
