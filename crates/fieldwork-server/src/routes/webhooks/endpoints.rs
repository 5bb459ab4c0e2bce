//! `/webhooks/endpoints`: several endpoints per company, each with its URL, filter, secret and
//! state; its attempts; recover and test.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use fieldwork_store::OutboxEvent;
use fieldwork_store::time::format_ts;
use fieldwork_types::{
    AttemptOut, EndpointIn, EndpointOut, EndpointPatch, ListOut, QueuedOut, RecoverIn, RotateIn,
    SecretOut,
};
use serde_json::{Value, json};

use super::super::list_out;
use crate::error::{ApiError, ApiResult};
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany, json};
use crate::routes::Json;
use crate::services::{times, webhooks};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/webhooks/endpoints",
            get(list_endpoints).post(create_endpoint),
        )
        .route(
            "/webhooks/endpoints/{endpoint_id}",
            get(get_endpoint)
                .put(update_endpoint)
                .delete(delete_endpoint),
        )
        .route("/webhooks/endpoints/{endpoint_id}/secret", get(get_secret))
        .route(
            "/webhooks/endpoints/{endpoint_id}/secret/rotate",
            post(rotate_secret),
        )
        .route(
            "/webhooks/endpoints/{endpoint_id}/attempts",
            get(list_attempts),
        )
        .route("/webhooks/endpoints/{endpoint_id}/recover", post(recover))
        .route("/webhooks/endpoints/{endpoint_id}/test", post(send_test))
}

async fn list_endpoints(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
) -> ApiResult<Json<Value>> {
    let all = state.store.list_webhook_endpoints(&auth.company_id).await?;
    let out: Vec<EndpointOut> = all.iter().map(webhooks::to_out).collect();
    Ok(Json(json!({ "endpoints": out })))
}

async fn create_endpoint(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<EndpointIn>,
) -> ApiResult<(StatusCode, Json<EndpointOut>)> {
    let policy = state.webhooks.policy;
    let e = webhooks::create(state.store.as_ref(), policy, &auth.company_id, input).await?;
    Ok((StatusCode::CREATED, Json(webhooks::to_out(&e))))
}

async fn get_endpoint(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
) -> ApiResult<Json<EndpointOut>> {
    let e = state
        .store
        .get_webhook_endpoint(&auth.company_id, &id)
        .await?;
    Ok(Json(webhooks::to_out(&e)))
}

async fn update_endpoint(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
    HcpJson(input): HcpJson<EndpointPatch>,
) -> ApiResult<Json<EndpointOut>> {
    let policy = state.webhooks.policy;
    let e = webhooks::update(state.store.as_ref(), policy, &auth.company_id, &id, input).await?;
    Ok(Json(webhooks::to_out(&e)))
}

async fn delete_endpoint(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .delete_webhook_endpoint(&auth.company_id, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get_secret(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
) -> ApiResult<Json<SecretOut>> {
    let e = state
        .store
        .get_webhook_endpoint(&auth.company_id, &id)
        .await?;
    Ok(Json(secret_out(&e)))
}

fn secret_out(e: &fieldwork_store::webhooks::Endpoint) -> SecretOut {
    let now = fieldwork_store::time::now_micros();
    SecretOut {
        secret: e.secret.clone(),
        previous_secret_expires_at: e
            .previous_secret_expires_at
            .filter(|t| *t > now)
            .map(format_ts),
    }
}

async fn rotate_secret(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<SecretOut>> {
    let input: RotateIn = json::parse(&body)?;
    let e = webhooks::rotate(
        state.store.as_ref(),
        &auth.company_id,
        &id,
        input.grace_period_secs,
    )
    .await?;
    Ok(Json(secret_out(&e)))
}

async fn list_attempts(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<AttemptOut>>> {
    let list = query.list(&["created_at"])?;
    let page = state
        .store
        .list_webhook_attempts(&auth.company_id, &id, &list)
        .await?;
    let page = fieldwork_store::Page {
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|a| AttemptOut {
                id: a.id,
                message_id: a.message_id,
                created_at: format_ts(a.created_at),
                response_status_code: a.response_status_code,
                duration_ms: a.duration_ms,
                response_body: a.response_body,
                error: a.error,
                next_retry_at: a.next_retry_at.map(format_ts),
            })
            .collect(),
    };
    Ok(Json(list_out("attempts", &list, page)))
}

async fn recover(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
    HcpJson(input): HcpJson<RecoverIn>,
) -> ApiResult<Json<QueuedOut>> {
    let since = input
        .since
        .ok_or_else(|| ApiError::invalid("since", "is required"))?;
    let since = times::parse("since", &since, chrono_tz::Tz::UTC)?;
    let queued = state
        .store
        .recover_webhook_endpoint(&auth.company_id, &id, since)
        .await?;
    Ok(Json(QueuedOut { queued }))
}

async fn send_test(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // HCP's test ping is `{"foo":"bar"}`; receivers written for HCP answer it with 200.
    let event = OutboxEvent::new("ping", r#"{"foo":"bar"}"#.to_owned());
    let message_id = event.id.clone();
    state
        .store
        .emit_to_endpoint(&auth.company_id, &id, event)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "message_id": message_id })),
    ))
}
