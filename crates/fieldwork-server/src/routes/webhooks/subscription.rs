//! HCP's `POST` / `DELETE /webhooks/subscription`: the company's primary endpoint.

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use fieldwork_types::{EndpointOut, SubscriptionIn};
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::extract::{HcpJson, MaxPlanCompany};
use crate::routes::Json;
use crate::services::webhooks;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/webhooks/subscription",
        post(create_subscription).delete(delete_subscription),
    )
}

async fn create_subscription(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<SubscriptionIn>,
) -> ApiResult<Json<EndpointOut>> {
    let store = state.store.as_ref();
    let e = webhooks::subscribe(store, state.webhooks.policy, &auth.company_id, input).await?;
    Ok(Json(webhooks::to_out(&e)))
}

async fn delete_subscription(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
) -> ApiResult<Json<Value>> {
    // HCP answers 200 whether or not a subscription existed.
    let e = webhooks::unsubscribe(state.store.as_ref(), &auth.company_id).await?;
    Ok(Json(match e {
        Some(e) => serde_json::to_value(webhooks::to_out(&e)).unwrap_or_default(),
        None => json!({ "enabled": false }),
    }))
}
