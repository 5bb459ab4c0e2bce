//! Webhook endpoint rules shared by the API and the CLI: URL and event-filter validation, the
//! HCP subscription (one primary endpoint per company), secret rotation.

use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::webhooks::{self as store_wh, Endpoint, NewEndpoint};
use fieldwork_store::{Store, StoreError};
use fieldwork_types::{EndpointIn, EndpointOut, SubscriptionIn};

use crate::error::{ApiError, ApiResult};
use crate::services::validate::MAX_TEXT;
use crate::webhooks::ssrf::{self, AddressPolicy};
use crate::webhooks::{catalog, signing};

/// Longest accepted URL.
const MAX_URL: usize = 2048;
/// Most endpoints per company (each multiplies every event's deliveries).
pub const MAX_ENDPOINTS: usize = 100;
/// Longest grace period of a rotation: a week.
const MAX_GRACE_SECS: u64 = 7 * 24 * 3600;

/// A checked webhook URL: http(s), and no address the SSRF policy refuses.
pub async fn validate_url(url: Option<String>, policy: AddressPolicy) -> ApiResult<String> {
    let url = url
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ApiError::invalid("url", "is required"))?;
    if url.len() > MAX_URL {
        return Err(ApiError::invalid(
            "url",
            format!("is longer than {MAX_URL} characters"),
        ));
    }
    ssrf::check_url(&url, policy)
        .await
        .map_err(|e| ApiError::invalid("url", e.0))?;
    Ok(url)
}

/// A checked event filter: known names, no duplicates; empty means every type.
pub fn validate_events(events: Option<Vec<String>>) -> ApiResult<Vec<String>> {
    let mut events = events.unwrap_or_default();
    for e in &events {
        if catalog::find(e).is_none() {
            return Err(ApiError::invalid(
                "events",
                format!(
                    "contains {e:?}, which is not an event type (see GET /webhooks/event_types)"
                ),
            ));
        }
    }
    events.sort_unstable();
    events.dedup();
    Ok(events)
}

fn validate_description(d: Option<String>) -> ApiResult<String> {
    let d = d.unwrap_or_default();
    if d.len() > MAX_TEXT {
        return Err(ApiError::invalid(
            "description",
            format!("is longer than {MAX_TEXT} characters"),
        ));
    }
    Ok(d)
}

async fn check_room(store: &dyn Store, company_id: &str) -> ApiResult<()> {
    if store.list_webhook_endpoints(company_id).await?.len() >= MAX_ENDPOINTS {
        return Err(ApiError::invalid(
            "url",
            format!("cannot be added: a company has at most {MAX_ENDPOINTS} webhook endpoints"),
        ));
    }
    Ok(())
}

/// Creates an endpoint with a fresh secret.
pub async fn create(
    store: &dyn Store,
    policy: AddressPolicy,
    company_id: &str,
    input: EndpointIn,
) -> ApiResult<Endpoint> {
    let new = NewEndpoint {
        url: validate_url(input.url, policy).await?,
        description: validate_description(input.description)?,
        event_types: validate_events(input.events)?,
        is_primary: false,
        secret: signing::generate_secret(),
    };
    check_room(store, company_id).await?;
    Ok(store.create_webhook_endpoint(company_id, new).await?)
}

/// Applies `PUT /webhooks/endpoints/{id}`.
pub async fn update(
    store: &dyn Store,
    policy: AddressPolicy,
    company_id: &str,
    id: &str,
    input: fieldwork_types::EndpointPatch,
) -> ApiResult<Endpoint> {
    store.get_webhook_endpoint(company_id, id).await?;
    let url = match input.url {
        Some(u) => Some(validate_url(Some(u), policy).await?),
        None => None,
    };
    let patch = store_wh::EndpointPatch {
        url,
        description: input
            .description
            .map(|d| validate_description(Some(d)))
            .transpose()?,
        event_types: input.events.map(|e| validate_events(Some(e))).transpose()?,
        enabled: input.enabled,
    };
    Ok(store.update_webhook_endpoint(company_id, id, patch).await?)
}

/// HCP's `POST /webhooks/subscription`: creates or updates the primary endpoint and enables it.
pub async fn subscribe(
    store: &dyn Store,
    policy: AddressPolicy,
    company_id: &str,
    input: SubscriptionIn,
) -> ApiResult<Endpoint> {
    let url = match input.url {
        Some(u) => Some(validate_url(Some(u), policy).await?),
        None => None,
    };
    let events = input.events.map(|e| validate_events(Some(e))).transpose()?;
    // Two concurrent first subscriptions: the loser of the unique "primary" race updates.
    for _ in 0..2 {
        let primary = primary(store, company_id).await?;
        if let Some(p) = primary {
            let patch = store_wh::EndpointPatch {
                url: url.clone(),
                description: None,
                event_types: events.clone(),
                enabled: Some(true),
            };
            return Ok(store
                .update_webhook_endpoint(company_id, &p.id, patch)
                .await?);
        }
        let Some(url) = url.clone() else {
            return Err(ApiError::invalid(
                "url",
                "is required to subscribe for the first time",
            ));
        };
        check_room(store, company_id).await?;
        let new = NewEndpoint {
            url,
            description: "HCP webhook subscription".into(),
            event_types: events.clone().unwrap_or_default(),
            is_primary: true,
            secret: signing::generate_secret(),
        };
        match store.create_webhook_endpoint(company_id, new).await {
            Ok(e) => return Ok(e),
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable)
}

/// HCP's `DELETE /webhooks/subscription`: disables the primary endpoint (idempotent).
pub async fn unsubscribe(store: &dyn Store, company_id: &str) -> ApiResult<Option<Endpoint>> {
    let Some(p) = primary(store, company_id).await? else {
        return Ok(None);
    };
    let patch = store_wh::EndpointPatch {
        enabled: Some(false),
        ..Default::default()
    };
    Ok(Some(
        store
            .update_webhook_endpoint(company_id, &p.id, patch)
            .await?,
    ))
}

async fn primary(store: &dyn Store, company_id: &str) -> ApiResult<Option<Endpoint>> {
    Ok(store
        .list_webhook_endpoints(company_id)
        .await?
        .into_iter()
        .find(|e| e.is_primary))
}

/// Replaces the secret; with a grace period the old one keeps signing until it ends.
pub async fn rotate(
    store: &dyn Store,
    company_id: &str,
    id: &str,
    grace_secs: Option<u64>,
) -> ApiResult<Endpoint> {
    let grace = grace_secs.unwrap_or(0);
    if grace > MAX_GRACE_SECS {
        return Err(ApiError::invalid(
            "grace_period_secs",
            format!("must be at most {MAX_GRACE_SECS} (a week)"),
        ));
    }
    let expires = (grace > 0).then(|| now_micros() + i64::try_from(grace).unwrap_or(0) * 1_000_000);
    let secret = signing::generate_secret();
    Ok(store
        .rotate_webhook_secret(company_id, id, &secret, expires)
        .await?)
}

/// The API form of an endpoint (without its secret).
pub fn to_out(e: &Endpoint) -> EndpointOut {
    EndpointOut {
        id: e.id.clone(),
        url: e.url.clone(),
        description: e.description.clone(),
        events: e.event_types.clone(),
        enabled: e.enabled,
        disabled_reason: e.disabled_reason.clone(),
        primary: e.is_primary,
        failing_since: e.failing_since.map(format_ts),
        created_at: format_ts(e.created_at),
        updated_at: format_ts(e.updated_at),
    }
}
