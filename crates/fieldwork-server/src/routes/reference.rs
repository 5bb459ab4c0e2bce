//! Tags, lead sources and job types.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use fieldwork_types::{JobType, LeadSource, ListOut, NameIn, Tag};

use super::list_out;
use crate::error::{ApiError, ApiResult};
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::validate;
use crate::state::AppState;

const SORTABLE: &[&str] = &["created_at", "name"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tags", get(list_tags).post(create_tag))
        .route("/tags/{tag_id}", put(update_tag))
        .route(
            "/lead_sources",
            get(list_lead_sources).post(create_lead_source),
        )
        .route("/lead_sources/{lead_source_id}", put(update_lead_source))
        .route(
            "/job_fields/job_types",
            get(list_job_types).post(create_job_type),
        )
        .route("/job_fields/job_types/{job_type_id}", put(update_job_type))
}

fn name(input: NameIn) -> ApiResult<String> {
    validate::required("name", input.name, validate::MAX_TEXT)
}

async fn list_tags(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<Tag>>> {
    let list = query.list(SORTABLE)?;
    let page = state.store.list_tags(&auth.company_id, &list).await?;
    Ok(Json(list_out("tags", &list, page)))
}

async fn create_tag(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<NameIn>,
) -> ApiResult<(StatusCode, Json<Tag>)> {
    let tag = state
        .store
        .create_tag(&auth.company_id, &name(input)?)
        .await?;
    Ok((StatusCode::CREATED, Json(tag)))
}

async fn update_tag(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(tag_id): Path<String>,
    HcpJson(input): HcpJson<NameIn>,
) -> ApiResult<Json<Tag>> {
    Ok(Json(
        state
            .store
            .update_tag(&auth.company_id, &tag_id, &name(input)?)
            .await?,
    ))
}

async fn list_lead_sources(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<LeadSource>>> {
    let list = query.list(SORTABLE)?;
    let page = state
        .store
        .list_lead_sources(&auth.company_id, query.text("q"), &list)
        .await?;
    Ok(Json(list_out("lead_sources", &list, page)))
}

async fn create_lead_source(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<NameIn>,
) -> ApiResult<(StatusCode, Json<LeadSource>)> {
    let source = state
        .store
        .create_lead_source(&auth.company_id, &name(input)?)
        .await?;
    Ok((StatusCode::CREATED, Json(source)))
}

/// Only editable lead sources can be renamed, as in HCP; built-in ones answer 422.
async fn update_lead_source(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
    HcpJson(input): HcpJson<NameIn>,
) -> ApiResult<Json<LeadSource>> {
    let new_name = name(input)?;
    let current = state.store.get_lead_source(&auth.company_id, &id).await?;
    if !current.editable {
        return Err(ApiError::invalid(
            "lead_source",
            "is built in and cannot be edited",
        ));
    }
    Ok(Json(
        state
            .store
            .update_lead_source(&auth.company_id, &id, &new_name)
            .await?,
    ))
}

async fn list_job_types(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<JobType>>> {
    let list = query.list(SORTABLE)?;
    let page = state
        .store
        .list_job_types(&auth.company_id, query.text("name"), &list)
        .await?;
    Ok(Json(list_out("job_types", &list, page)))
}

/// HCP answers this create with 200, not 201.
async fn create_job_type(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<NameIn>,
) -> ApiResult<Json<JobType>> {
    Ok(Json(
        state
            .store
            .create_job_type(&auth.company_id, &name(input)?)
            .await?,
    ))
}

async fn update_job_type(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
    HcpJson(input): HcpJson<NameIn>,
) -> ApiResult<Json<JobType>> {
    Ok(Json(
        state
            .store
            .update_job_type(&auth.company_id, &id, &name(input)?)
            .await?,
    ))
}
