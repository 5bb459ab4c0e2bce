//! `/events`: HCP's calendar-event reads, plus Fieldwork's create, update and delete.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use fieldwork_types::{Deleted, Event, EventIn, ListOut};

use super::doc_list_out;
use crate::error::ApiResult;
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::events::{self, write};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/events", get(list_events).post(create_event))
        .route(
            "/events/{event_id}",
            get(get_event).put(update_event).delete(delete_event),
        )
}

async fn list_events(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<Event>>> {
    let doc_query = query.doc_query(events::SORTABLE)?;
    // `location_ids[]` is accepted and ignored: Fieldwork has no multi-location companies.
    query.array("location_ids")?;
    let page = events::list(state.store.as_ref(), &auth.company_id, &doc_query).await?;
    Ok(Json(doc_list_out("events", &doc_query, page)))
}

async fn create_event(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<EventIn>,
) -> ApiResult<(StatusCode, Json<Event>)> {
    let store = state.store.as_ref();
    let event = write::create(store, &auth.company_id, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(events::present(store, &auth.company_id, &event).await?),
    ))
}

async fn get_event(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(event_id): Path<String>,
) -> ApiResult<Json<Event>> {
    let store = state.store.as_ref();
    let event = events::load(store, &auth.company_id, &event_id).await?;
    Ok(Json(
        events::present(store, &auth.company_id, &event).await?,
    ))
}

async fn update_event(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(event_id): Path<String>,
    HcpJson(input): HcpJson<EventIn>,
) -> ApiResult<Json<Event>> {
    let store = state.store.as_ref();
    let event = write::update(store, &auth.company_id, &event_id, input).await?;
    Ok(Json(
        events::present(store, &auth.company_id, &event).await?,
    ))
}

async fn delete_event(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(event_id): Path<String>,
) -> ApiResult<Json<Deleted>> {
    write::delete(state.store.as_ref(), &auth.company_id, &event_id).await?;
    Ok(Json(Deleted {
        id: event_id,
        deleted: true,
    }))
}
