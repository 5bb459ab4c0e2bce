//! `GET /webhooks/event_types`: the catalog with examples, or the company's last real payloads
//! of one type (`?name=job.created&recent=3`), which is what trigger-setup screens of
//! Zapier-style tools ask for.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use fieldwork_store::webhooks::MessageQuery;
use fieldwork_types::EventTypeOut;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::extract::{HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::state::AppState;
use crate::webhooks::catalog::{self, EVENT_TYPES};

/// Most recent payloads returned.
const MAX_RECENT: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/event_types", get(list_event_types))
}

async fn list_event_types(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<Value>> {
    let recent = query.int("recent", 1, MAX_RECENT)?;
    let name = query.text("name");
    if let Some(name) = name
        && catalog::find(name).is_none()
    {
        return Err(ApiError::bad_field("name", "is not an event type"));
    }
    if let Some(n) = recent {
        let name = name.ok_or_else(|| ApiError::bad_field("name", "is required with recent"))?;
        let q = MessageQuery {
            event_type: Some(name.to_owned()),
            page: 1,
            page_size: u32::try_from(n).unwrap_or(1),
            ..MessageQuery::default()
        };
        let page = state
            .store
            .list_webhook_messages(&auth.company_id, &q)
            .await?;
        let payloads: Vec<Value> = page
            .items
            .iter()
            .filter_map(|m| serde_json::from_str(&m.payload).ok())
            .collect();
        return Ok(Json(json!({ "name": name, "recent": payloads })));
    }
    let types: Vec<EventTypeOut> = EVENT_TYPES
        .iter()
        .filter(|t| name.is_none_or(|n| n == t.name))
        .map(|t| EventTypeOut {
            name: t.name.to_owned(),
            description: t.description.to_owned(),
            example: catalog::example(t),
        })
        .collect();
    Ok(Json(json!({ "event_types": types })))
}
