//! `/estimates/{estimate_id}/options…`: creating options and their line items, notes, links,
//! schedule and attachments.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use fieldwork_types::{
    EstimateOption, EstimateOptionIn, EstimateUrlOut, JobLink, JobLinkIn, LineItem,
    LineItemsBulkIn, LineItemsOut, ListOut, Note, NoteIn, ScheduleIn, ScheduleOut,
};

use crate::error::ApiResult;
use crate::extract::{FileUpload, HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::routes::pages;
use crate::services::attachments;
use crate::services::estimates::{options, schedule};
use crate::state::AppState;

const OPTION: &str = "/estimates/{estimate_id}/options/{option_id}";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/estimates/{estimate_id}/options", post(create_option))
        .route(
            &format!("{OPTION}/attachments"),
            // The body was already read and capped at `max_body_bytes` by `buffer_body`;
            // axum's own 2 MB multipart default would undercut a larger configured limit.
            post(create_attachment).layer(DefaultBodyLimit::disable()),
        )
        .route(&format!("{OPTION}/line_items"), get(list_line_items))
        .route(
            &format!("{OPTION}/line_items/bulk_update"),
            put(bulk_update_line_items),
        )
        .route(&format!("{OPTION}/links"), post(create_link))
        .route(&format!("{OPTION}/schedule"), put(update_schedule))
        .route(&format!("{OPTION}/notes"), post(create_note))
        .route(&format!("{OPTION}/notes/{{note_id}}"), delete(delete_note))
}

async fn create_option(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(estimate_id): Path<String>,
    HcpJson(input): HcpJson<EstimateOptionIn>,
) -> ApiResult<(StatusCode, Json<EstimateOption>)> {
    let store = state.store.as_ref();
    let option = options::add(store, &auth.company_id, &estimate_id, input).await?;
    Ok((StatusCode::CREATED, Json(option)))
}

/// HCP answers 202 with the estimate's URL.
async fn create_attachment(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((estimate_id, option_id)): Path<(String, String)>,
    FileUpload(upload): FileUpload,
) -> ApiResult<(StatusCode, Json<EstimateUrlOut>)> {
    let store = state.store.as_ref();
    let company = auth.company_id.as_str();
    options::check_exists(store, company, &estimate_id, &option_id).await?;
    let attachment = attachments::save(store, company, upload).await?;
    options::add_attachment(store, company, &estimate_id, &option_id, attachment).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(EstimateUrlOut {
            estimate_url: format!("/estimates/{estimate_id}"),
        }),
    ))
}

async fn list_line_items(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((estimate_id, option_id)): Path<(String, String)>,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<LineItem>>> {
    let store = state.store.as_ref();
    let lines = options::line_items(store, &auth.company_id, &estimate_id, &option_id).await?;
    Ok(Json(pages::page_of("line_items", &query, lines)?))
}

async fn bulk_update_line_items(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((estimate_id, option_id)): Path<(String, String)>,
    HcpJson(input): HcpJson<LineItemsBulkIn>,
) -> ApiResult<Json<LineItemsOut>> {
    let store = state.store.as_ref();
    let line_items =
        options::bulk_update(store, &auth.company_id, &estimate_id, &option_id, input).await?;
    Ok(Json(LineItemsOut { line_items }))
}

async fn create_link(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((estimate_id, option_id)): Path<(String, String)>,
    HcpJson(input): HcpJson<JobLinkIn>,
) -> ApiResult<(StatusCode, Json<JobLink>)> {
    let store = state.store.as_ref();
    let link = options::add_link(store, &auth.company_id, &estimate_id, &option_id, input).await?;
    Ok((StatusCode::CREATED, Json(link)))
}

async fn update_schedule(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((estimate_id, option_id)): Path<(String, String)>,
    HcpJson(input): HcpJson<ScheduleIn>,
) -> ApiResult<Json<ScheduleOut>> {
    let store = state.store.as_ref();
    Ok(Json(
        schedule::set(store, &auth.company_id, &estimate_id, &option_id, input).await?,
    ))
}

async fn create_note(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((estimate_id, option_id)): Path<(String, String)>,
    HcpJson(input): HcpJson<NoteIn>,
) -> ApiResult<(StatusCode, Json<Note>)> {
    let store = state.store.as_ref();
    let note = options::add_note(store, &auth.company_id, &estimate_id, &option_id, input).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// The spec documents a bare 200; Fieldwork answers `{id, deleted: true}` like line items.
async fn delete_note(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((estimate_id, option_id, note_id)): Path<(String, String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let store = state.store.as_ref();
    options::delete_note(store, &auth.company_id, &estimate_id, &option_id, &note_id).await?;
    Ok(Json(serde_json::json!({ "id": note_id, "deleted": true })))
}
