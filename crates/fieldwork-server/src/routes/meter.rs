//! Metering of requests made with an active API key: the request limits, the rate-limit
//! headers and the usage figures.
//!
//! Two layers share a [`Meter`] slot: [`limit`] runs after the body is read (so a 429 leaves
//! the connection reusable) and decides; [`report`] runs outside the timeout and panic layers,
//! so the 503s and 500s they make carry the headers and are counted too.

use std::sync::{Arc, OnceLock};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fieldwork_store::Plan;

use crate::error::ApiError;
use crate::extract::{KeyLookup, lookup_key};
use crate::limits::{RateState, Refusal};
use crate::state::AppState;

/// What [`limit`] learned about a request, for [`report`].
#[derive(Clone, Default)]
struct Meter(Arc<OnceLock<Metered>>);

struct Metered {
    company_id: String,
    key_id: String,
    /// `None` when limits are off or the company is not on `max` (its 403 has no limit).
    rate: Option<RateState>,
}

/// Adds the rate-limit headers to the response and counts it in the key's usage.
pub async fn report(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let meter = Meter::default();
    req.extensions_mut().insert(meter.clone());
    let mut response = next.run(req).await;
    if let Some(m) = meter.0.get() {
        if let Some(rate) = &m.rate {
            rate.apply(response.headers_mut());
        }
        let now = fieldwork_store::time::now_micros();
        state
            .usage
            .record(&m.company_id, &m.key_id, response.status(), now);
    }
    response
}

/// Looks up the key once (for the auth extractor too), applies the request limits, and holds
/// the company's concurrency slot until the handler has answered.
///
/// Requests without a valid key are passed on untouched: the handler's extractor answers 401,
/// and nothing is counted against any key.
pub async fn limit(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let lookup = match lookup_key(req.headers(), &state).await {
        Ok(lookup) => lookup,
        Err(e) => return e.into_response(),
    };
    let KeyLookup::Found(auth) = &lookup else {
        req.extensions_mut().insert(lookup);
        return next.run(req).await;
    };
    // Off `max`, the extractor answers 403 whatever the limits say.
    let admission = (auth.plan == Plan::Max).then(|| state.limits.admit(auth));
    if let Some(meter) = req.extensions().get::<Meter>() {
        let _ = meter.0.set(Metered {
            company_id: auth.company_id.clone(),
            key_id: auth.key_id.clone(),
            rate: admission.as_ref().and_then(|a| a.rate),
        });
    }
    req.extensions_mut().insert(lookup);
    match admission.map(|a| a.outcome) {
        None => next.run(req).await,
        Some(Ok(in_flight)) => {
            let response = next.run(req).await;
            drop(in_flight);
            response
        }
        Some(Err(refusal)) => ApiError::from(refusal).into_response(),
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::RateLimited { retry_after_secs } => Self::RateLimited { retry_after_secs },
            Refusal::TooManyConcurrent { limit } => Self::TooManyConcurrent { limit },
        }
    }
}
