//! The delivery worker: claims due deliveries, sends each on its own task, and records the
//! outcomes in batches.
//!
//! States of a delivery: `pending` (due at `next_attempt_at`; claimed while its lease lasts)
//! → `succeeded`, or back to `pending` with a later time, or `failed` when the schedule is
//! exhausted or the endpoint answered `410 Gone`. A crashed worker's leases expire and the
//! deliveries are claimed again (at least once).
//!
//! Isolation: the worker counts its in-flight requests per endpoint and claims at most
//! `endpoint_concurrency` for any endpoint, so a slow or dead endpoint holds only its own
//! slots and never the healthy endpoints' ones. An endpoint's slot is free as soon as its
//! request has finished (the delivery stays leased until its outcome is recorded, so it cannot
//! be claimed again meanwhile); `max_in_flight` counts deliveries until they are recorded.

use std::collections::HashMap;
use std::time::Duration;

use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{AttemptResult, ClaimRequest, CompletionRules};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::WebhookSettings;
use super::send;
use crate::DynStore;

/// Most deliveries claimed in one statement.
const CLAIM_BATCH: u32 = 512;
/// Most outcomes recorded in one transaction (one set-based statement each for attempts and
/// deliveries, see the stores' `complete`).
const RECORD_BATCH: usize = 1024;

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
    tokio::spawn(record(store.clone(), rules, results_rx, freed_tx));
    let mut signal = store.outbox_signal();
    let mut in_flight: HashMap<String, u32> = HashMap::new();
    let mut total: u32 = 0;
    loop {
        let mut claimed_full = false;
        if total < settings.max_in_flight {
            let limit = CLAIM_BATCH.min(settings.max_in_flight - total);
            let request = ClaimRequest {
                now: now_micros(),
                lease_micros: i64::try_from(settings.lease.as_micros()).unwrap_or(i64::MAX),
                limit,
                per_endpoint: settings.endpoint_concurrency,
                available: in_flight
                    .iter()
                    .map(|(id, n)| (id.clone(), settings.endpoint_concurrency.saturating_sub(*n)))
                    .collect(),
            };
            match store.claim_deliveries(&request).await {
                Ok(batch) => {
                    claimed_full = batch.len() as u32 == limit;
                    for d in batch {
                        *in_flight.entry(d.endpoint_id.clone()).or_default() += 1;
                        total += 1;
                        let (client, settings, tx, answered) = (
                            client.clone(),
                            settings.clone(),
                            results_tx.clone(),
                            answered_tx.clone(),
                        );
                        tokio::spawn(async move {
                            let result = send::attempt(&client, &settings, &d).await;
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
        if !claimed_full || total >= settings.max_in_flight {
            tokio::select! {
                () = cancel.cancelled() => break,
                _ = signal.changed() => {}
                freed = freed_rx.recv() => match freed {
                    Some(n) => total -= n as u32,
                    // The recorder is gone (it only stops with the runtime): nothing to do.
                    None => break,
                },
                Some(endpoint) = answered_rx.recv() => release(&mut in_flight, &endpoint),
                () = tokio::time::sleep(settings.poll_interval) => {}
            }
        }
        while let Ok(n) = freed_rx.try_recv() {
            total -= n as u32;
        }
        while let Ok(endpoint) = answered_rx.try_recv() {
            release(&mut in_flight, &endpoint);
        }
        if cancel.is_cancelled() {
            break;
        }
    }
}

fn release(in_flight: &mut HashMap<String, u32>, endpoint: &str) {
    if let Some(n) = in_flight.get_mut(endpoint) {
        *n -= 1;
        if *n == 0 {
            in_flight.remove(endpoint);
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
        while batch.len() < RECORD_BATCH {
            match results.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
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
