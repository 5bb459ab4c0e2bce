//! The delivery worker: claims due deliveries, sends each on its own task, and records the
//! outcomes in batches.
//!
//! A new message is first a queued fan-out: a claim leases it and gives one delivery per
//! endpoint that takes it (`fanout: true`); a first-try success is only logged, anything else
//! becomes a delivery row (`DeliveryOutcome::Held` for one not sent under the claim, due at
//! once). States of a delivery row: `pending` (due at `next_attempt_at`; a claim leases it and
//! moves `next_attempt_at` to the lease's end) → `succeeded`, or back to `pending` with a later
//! time, or `failed` when the schedule is exhausted or the endpoint answered `410 Gone`. A
//! crashed worker's leases expire, which makes the fan-outs and deliveries due again (at least
//! once).
//!
//! Isolation: each endpoint has `endpoint_concurrency` sending slots, so a slow or dead
//! endpoint holds only its own slots and never the healthy endpoints' ones. The worker claims
//! up to [`CLAIM_AHEAD`] times that many deliveries per endpoint: the ones beyond the free
//! slots wait in this process for a slot, so a finished request is followed by the next one
//! at once instead of after a claim's round trip through the database (which, on SQLite,
//! waits for the writer's current commit: that round trip held one endpoint to ~2,500
//! deliveries a second). A waiting delivery whose lease could run out before its request does
//! is not sent (a row's lease expires and it is claimed again; a fan-out delivery is held as a
//! row), so claiming ahead never sends a delivery twice at once. A delivery counts against
//! `max_in_flight` from its claim until its outcome is recorded.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{AttemptResult, ClaimRequest, CompletionRules, DeliveryOutcome};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use super::WebhookSettings;
use super::send;
use crate::DynStore;

/// Most deliveries claimed in one statement.
const CLAIM_BATCH: u32 = 512;
/// A worker that holds nearly all it may waits until this share (1/n) of a full claim is
/// free before claiming again: a claim costs about the same for 10 deliveries as for 500 (it
/// visits every endpoint with queued deliveries), and claiming each few freed slots made
/// PostgreSQL spend twice the CPU per delivery with 100 endpoints (BENCHMARKS.md).
const MIN_CLAIM_SHARE: u32 = 4;
/// Most outcomes recorded in one transaction (one set-based statement each for attempts and
/// deliveries, see the stores' `complete`).
const RECORD_BATCH: usize = 1024;
/// How long the recorder waits for more outcomes after the first of a batch: a recording
/// costs about the same for one outcome as for dozens, and recording each few at once doubled
/// PostgreSQL's statements per event when the worker's commits stopped waiting for the WAL
/// flush (BENCHMARKS.md). Only the bookkeeping waits: the deliveries have been sent.
const RECORD_LINGER: Duration = Duration::from_millis(2);
/// Deliveries claimed per endpoint, in multiples of its sending slots.
pub const CLAIM_AHEAD: u32 = 4;
/// How much of a claimed delivery's lease must be left, beyond the request's timeout, for it
/// to be sent: the outcome is recorded after the request, still under the lease.
const LEASE_MARGIN: Duration = Duration::from_secs(2);

/// What the worker holds for one endpoint: its claimed deliveries (sending or waiting) and
/// its sending slots.
struct Endpoint {
    claimed: u32,
    slots: Arc<Semaphore>,
}

/// Starts the worker; it stops when `cancel` fires (in-flight attempts finish or their
/// leases expire).
pub fn spawn(
    store: DynStore,
    settings: WebhookSettings,
    cancel: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(store, settings, cancel))
}

async fn run(store: DynStore, settings: WebhookSettings, cancel: CancellationToken) {
    let client = send::client(&settings);
    let (results_tx, results_rx) = mpsc::unbounded_channel::<AttemptResult>();
    // Recorded deliveries (count) and finished requests (endpoint id).
    let (freed_tx, mut freed_rx) = mpsc::unbounded_channel::<usize>();
    let (answered_tx, mut answered_rx) = mpsc::unbounded_channel::<String>();
    let rules = CompletionRules {
        disable_after_micros: i64::try_from(settings.disable_after.as_micros()).unwrap_or(i64::MAX),
    };
    tokio::spawn(record(store.clone(), rules, results_rx, freed_tx.clone()));
    let mut signal = store.deliveries_signal();
    let mut endpoints: HashMap<String, Endpoint> = HashMap::new();
    let per_endpoint = settings.endpoint_concurrency.saturating_mul(CLAIM_AHEAD);
    let min_claim = (CLAIM_BATCH.min(settings.max_in_flight) / MIN_CLAIM_SHARE).max(1);
    let mut total: u32 = 0;
    loop {
        let mut claimed_full = false;
        let free = settings.max_in_flight.saturating_sub(total);
        if free >= min_claim {
            let limit = CLAIM_BATCH.min(free);
            let request = ClaimRequest {
                now: now_micros(),
                lease_micros: i64::try_from(settings.lease.as_micros()).unwrap_or(i64::MAX),
                limit,
                per_endpoint,
                available: endpoints
                    .iter()
                    .map(|(id, e)| (id.clone(), per_endpoint.saturating_sub(e.claimed)))
                    .collect(),
            };
            // The latest start that leaves the request and its recording inside the lease.
            let send_by = (Instant::now() + settings.lease)
                .checked_sub(settings.timeout + LEASE_MARGIN)
                .unwrap_or_else(Instant::now);
            match store.claim_deliveries(&request).await {
                Ok(batch) => {
                    claimed_full = batch.len() as u32 == limit;
                    for d in batch {
                        let endpoint =
                            endpoints
                                .entry(d.endpoint_id.clone())
                                .or_insert_with(|| Endpoint {
                                    claimed: 0,
                                    slots: Arc::new(Semaphore::new(
                                        settings.endpoint_concurrency as usize,
                                    )),
                                });
                        total += 1;
                        if d.fanout && endpoint.claimed >= per_endpoint {
                            // No room at this endpoint (it is slow): the delivery becomes a
                            // row and waits its turn there, not here.
                            let _ = results_tx.send(send::held(&d));
                            continue;
                        }
                        endpoint.claimed += 1;
                        let (slots, client, settings, tx, answered, freed) = (
                            endpoint.slots.clone(),
                            client.clone(),
                            settings.clone(),
                            results_tx.clone(),
                            answered_tx.clone(),
                            freed_tx.clone(),
                        );
                        tokio::spawn(async move {
                            let slot = slots.clone().acquire_owned().await;
                            if slot.is_err() || Instant::now() > send_by {
                                // Not sent: a delivery row's lease expires and it is claimed
                                // again; a fan-out delivery becomes a row due at once.
                                if d.fanout {
                                    let _ = tx.send(send::held(&d));
                                } else {
                                    let _ = freed.send(1);
                                }
                                let _ = answered.send(d.endpoint_id);
                                return;
                            }
                            let result = send::attempt(&client, &settings, &d).await;
                            if matches!(result.outcome, DeliveryOutcome::Gone) {
                                // The endpoint is being disabled: its waiting deliveries stay.
                                slots.close();
                            }
                            drop(slot);
                            let _ = answered.send(d.endpoint_id);
                            let _ = tx.send(result);
                        });
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "webhook worker could not claim deliveries");
                }
            }
        }
        if !claimed_full || settings.max_in_flight.saturating_sub(total) < min_claim {
            tokio::select! {
                () = cancel.cancelled() => break,
                _ = signal.changed() => {}
                freed = freed_rx.recv() => match freed {
                    Some(n) => total -= n as u32,
                    // The recorder is gone (it only stops with the runtime): nothing to do.
                    None => break,
                },
                Some(endpoint) = answered_rx.recv() => release(&mut endpoints, &endpoint),
                () = tokio::time::sleep(settings.poll_interval) => {}
            }
        }
        while let Ok(n) = freed_rx.try_recv() {
            total -= n as u32;
        }
        while let Ok(endpoint) = answered_rx.try_recv() {
            release(&mut endpoints, &endpoint);
        }
        if cancel.is_cancelled() {
            break;
        }
    }
}

/// Notes that one of the endpoint's claimed deliveries has been sent (or given up).
fn release(endpoints: &mut HashMap<String, Endpoint>, endpoint: &str) {
    if let Some(e) = endpoints.get_mut(endpoint) {
        e.claimed -= 1;
        if e.claimed == 0 {
            endpoints.remove(endpoint);
        }
    }
}

/// Records outcomes as they arrive, many per transaction, then frees their worker slots.
/// A batch that cannot be recorded is retried; its leases keep others from sending it twice
/// meanwhile, and if they expire the deliveries are sent again (at least once).
async fn record(
    store: DynStore,
    rules: CompletionRules,
    mut results: mpsc::UnboundedReceiver<AttemptResult>,
    freed: mpsc::UnboundedSender<usize>,
) {
    while let Some(first) = results.recv().await {
        let mut batch = vec![first];
        let linger = tokio::time::Instant::now() + RECORD_LINGER;
        while batch.len() < RECORD_BATCH {
            match tokio::time::timeout_at(linger, results.recv()).await {
                Ok(Some(r)) => batch.push(r),
                Ok(None) | Err(_) => break,
            }
        }
        for log in &batch {
            tracing::debug!(
                delivery.id = %log.delivery_id,
                endpoint.id = %log.attempt.endpoint_id,
                message.id = %log.attempt.message_id,
                status = ?log.attempt.response_status_code,
                duration_ms = log.attempt.duration_ms,
                outcome = ?log.outcome,
                "webhook attempt"
            );
        }
        let mut wait = Duration::from_millis(100);
        while let Err(e) = store.complete_deliveries(batch.clone(), rules).await {
            tracing::warn!(error = %e, count = batch.len(), "could not record webhook attempts; retrying");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
        if freed.send(batch.len()).is_err() {
            return;
        }
    }
}
