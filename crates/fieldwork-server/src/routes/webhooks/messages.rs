//! `GET /webhooks/messages` (the outbound event log) and `POST /webhooks/messages/{id}/resend`.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use chrono_tz::Tz;
use fieldwork_store::time::format_ts;
use fieldwork_store::webhooks::MessageQuery;
use fieldwork_types::{ListOut, MessageOut, QueuedOut};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::extract::{HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::times;
use crate::state::AppState;
use crate::webhooks::catalog;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks/messages", get(list_messages))
        .route(
            "/webhooks/messages/{message_id}/resend",
            post(resend_message),
        )
}

async fn list_messages(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<MessageOut>>> {
    let list = query.list(&["created_at"])?;
    let event_type = query.text("event").map(str::to_owned);
    if let Some(t) = &event_type
        && catalog::find(t).is_none()
        && t != "ping"
    {
        return Err(ApiError::bad_field("event", "is not an event type"));
    }
    let q = MessageQuery {
        event_type,
        since: times::parse_query("since", query.text("since"), Tz::UTC)?,
        until: times::parse_query("until", query.text("until"), Tz::UTC)?,
        page: list.page,
        page_size: list.page_size,
    };
    let page = state
        .store
        .list_webhook_messages(&auth.company_id, &q)
        .await?;
    let page = fieldwork_store::Page {
        total: page.total,
        items: page
            .items
            .into_iter()
            .map(|m| MessageOut {
                payload: serde_json::from_str(&m.payload).unwrap_or(Value::Null),
                id: m.id,
                event: m.event_type,
                created_at: format_ts(m.created_at),
            })
            .collect(),
    };
    Ok(Json(super::super::list_out("messages", &list, page)))
}

async fn resend_message(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
) -> ApiResult<Json<QueuedOut>> {
    let queued = state
        .store
        .resend_webhook_message(&auth.company_id, &id)
        .await?;
    Ok(Json(QueuedOut { queued }))
}
