//! One delivery attempt: sign, POST, read a little of the answer, decide the outcome.

use std::time::{Duration, Instant};

use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{
    ATTEMPT_PREFIX, Attempt, AttemptResult, ClaimedDelivery, DeliveryOutcome,
};
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER, USER_AGENT};

use super::WebhookSettings;
use super::schedule::{jitter, retry_after};
use super::signing;
use super::ssrf;

/// Most bytes of a response body kept in the attempt log.
pub const MAX_LOGGED_BODY: usize = 2048;

/// The HTTP client deliveries use: the SSRF-guarded resolver, no redirects (a redirect could
/// lead anywhere), no proxy from the environment, the configured timeout.
///
/// Idle connections are kept per host up to what the worker can have in flight: endpoints of
/// one host (a receiving service's many hooks) share the pool, and a pool capped at one
/// endpoint's slots closed most connections after each request and opened new ones (a third
/// of the server's CPU with 100 endpoints on one host, BENCHMARKS.md).
pub fn client(settings: &WebhookSettings) -> reqwest::Client {
    reqwest::Client::builder()
        .dns_resolver(ssrf::resolver(settings.policy))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
        .pool_max_idle_per_host(settings.max_in_flight as usize)
        .build()
        .expect("the HTTP client builds")
}

/// Sends one delivery and returns what to record.
pub async fn attempt(
    client: &reqwest::Client,
    settings: &WebhookSettings,
    d: &ClaimedDelivery,
) -> AttemptResult {
    let started_at = now_micros();
    let clock = Instant::now();
    let answer = post(client, settings, d).await;
    let duration_ms = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (status, body, error, wait) = match answer {
        Ok(a) => (Some(a.status), Some(a.body), None, a.retry_after),
        Err(e) => (None, None, Some(e), None),
    };
    let outcome = decide(settings, d.attempts, status, wait);
    let next_retry_at = match outcome {
        DeliveryOutcome::Retry { at } => Some(at),
        _ => None,
    };
    AttemptResult {
        delivery_id: d.id.clone(),
        company_id: d.company_id.clone(),
        outcome,
        lease_until: d.lease_until,
        fanout: d.fanout,
        attempt: Attempt {
            id: new_id(ATTEMPT_PREFIX),
            endpoint_id: d.endpoint_id.clone(),
            message_id: d.message_id.clone(),
            created_at: started_at,
            response_status_code: status.map(i64::from),
            duration_ms,
            response_body: body,
            error,
            next_retry_at,
        },
    }
}

/// What to record for a fan-out delivery not sent under its claim: a delivery row, due at once.
pub fn held(d: &ClaimedDelivery) -> AttemptResult {
    AttemptResult {
        delivery_id: d.id.clone(),
        company_id: d.company_id.clone(),
        outcome: DeliveryOutcome::Held,
        lease_until: d.lease_until,
        fanout: d.fanout,
        attempt: Attempt {
            id: String::new(),
            endpoint_id: d.endpoint_id.clone(),
            message_id: d.message_id.clone(),
            created_at: now_micros(),
            response_status_code: None,
            duration_ms: 0,
            response_body: None,
            error: None,
            next_retry_at: None,
        },
    }
}

/// The outcome of an attempt: 2xx succeeds, 410 disables, anything else retries on the
/// schedule (later if `Retry-After` asks) until it runs out.
pub fn decide(
    settings: &WebhookSettings,
    attempts_before: i64,
    status: Option<u16>,
    retry_after: Option<Duration>,
) -> DeliveryOutcome {
    match status {
        Some(s) if (200..300).contains(&s) => return DeliveryOutcome::Succeeded,
        Some(410) => return DeliveryOutcome::Gone,
        _ => {}
    }
    let retry = usize::try_from(attempts_before).unwrap_or(usize::MAX);
    match settings.schedule.delay(retry) {
        None => DeliveryOutcome::Exhausted,
        Some(delay) => {
            let wait = jitter(delay, settings.jitter_percent).max(retry_after.unwrap_or_default());
            let micros = i64::try_from(wait.as_micros()).unwrap_or(i64::MAX);
            DeliveryOutcome::Retry {
                at: now_micros().saturating_add(micros),
            }
        }
    }
}

struct Answer {
    status: u16,
    body: String,
    retry_after: Option<Duration>,
}

async fn post(
    client: &reqwest::Client,
    settings: &WebhookSettings,
    d: &ClaimedDelivery,
) -> Result<Answer, String> {
    let url = reqwest::Url::parse(&d.url).map_err(|e| format!("invalid URL: {e}"))?;
    ssrf::check_literal(&url, settings.policy)?;
    let timestamp = now_micros() / 1_000_000;
    let body = d.payload.as_bytes();
    let mut secrets = vec![d.secret.as_str()];
    secrets.extend(d.previous_secret.as_deref());
    let mut request = client
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(
            USER_AGENT,
            concat!("Fieldwork-Webhooks/", env!("CARGO_PKG_VERSION")),
        );
    for (name, value) in signing::headers(&secrets, &d.message_id, timestamp, body) {
        request = request.header(name, value);
    }
    let mut response = request
        .body(d.payload.clone())
        .send()
        .await
        .map_err(describe)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(retry_after);
    // Keep the start of the body only; a huge or endless answer must not hold the worker.
    let mut kept = Vec::new();
    while kept.len() < MAX_LOGGED_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    kept.truncate(MAX_LOGGED_BODY);
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(&kept).into_owned(),
        retry_after,
    })
}

/// A transport error with its causes ("error sending request" alone says nothing).
fn describe(e: reqwest::Error) -> String {
    let mut msg = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
