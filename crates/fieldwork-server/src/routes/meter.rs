//! Metering of requests made with an active API key: the request limits, the rate-limit
//! headers and the usage figures.
//!
//! Two steps of the request layer (`middleware::edge`) share a [`Metered`]: [`limit`] runs
//! after the body is read (so a 429 leaves the connection reusable) and decides; [`report`]
//! runs outside the timeout and panic catching, so the 503s and 500s they make carry the
//! headers and are counted too.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fieldwork_store::Plan;

use crate::error::ApiError;
use crate::extract::{KeyLookup, key_lookup, lookup_key, presented_key_hash};
use crate::limits::{Admission, RateState, Refusal};
use crate::state::AppState;

/// What [`limit`] learned about a request, for [`report`].
pub struct Metered {
    company_id: String,
    key_id: String,
    /// `None` when limits are off or the company is not on `max` (its 403 has no limit).
    rate: Option<RateState>,
}

/// Adds the rate-limit headers to the response and counts it in the key's usage.
pub fn report(state: &AppState, metered: &Metered, response: &mut Response) {
    if let Some(rate) = &metered.rate {
        rate.apply(response.headers_mut());
    }
    let now = fieldwork_store::time::now_micros();
    state
        .usage
        .record(&metered.company_id, &metered.key_id, response.status(), now);
}

/// Looks up the key once (for the auth extractor too), applies the request limits, and holds
/// the company's concurrency slot until the handler has answered; fills `metered` for
/// [`report`] before the handler runs, so that a panic or timeout in it is reported too.
///
/// Requests without a valid key are passed on untouched: the handler's extractor answers 401,
/// and nothing is counted against any key.
pub async fn limit(
    state: &AppState,
    mut req: Request,
    next: Next,
    metered: &mut Option<Metered>,
) -> Response {
    let (lookup, admission) = match decide(state, req.headers()).await {
        Ok(decided) => decided,
        Err(e) => return e.into_response(),
    };
    let KeyLookup::Found(auth) = &lookup else {
        req.extensions_mut().insert(lookup);
        return next.run(req).await;
    };
    *metered = Some(Metered {
        company_id: auth.company_id.clone(),
        key_id: auth.key_id.clone(),
        rate: admission.as_ref().and_then(|a| a.rate),
    });
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

/// Looks the request's key up and decides its limits: no admission for a missing or unknown
/// key, nor off `max` (the extractor answers 403 whatever the limits say). On shared windows
/// the store does both in one round trip.
async fn decide(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(KeyLookup, Option<Admission>), ApiError> {
    if !state.limits.is_shared() {
        let lookup = lookup_key(headers, state).await?;
        let admission = match &lookup {
            KeyLookup::Found(auth) if auth.plan == Plan::Max => Some(state.limits.admit(auth)),
            _ => None,
        };
        return Ok((lookup, admission));
    }
    let Some(key_hash) = presented_key_hash(headers) else {
        return Ok((KeyLookup::Missing, None));
    };
    let decided = state
        .limits
        .authenticate_and_admit(&key_hash, state.store.as_ref())
        .await?;
    let (auth, admission) = decided.map_or((None, None), |(auth, a)| (Some(auth), a));
    Ok((key_lookup(state, auth), admission))
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::RateLimited { retry_after_secs } => Self::RateLimited { retry_after_secs },
            Refusal::TooManyConcurrent { limit } => Self::TooManyConcurrent { limit },
        }
    }
}
