//! `/estimates`: HCP's estimate operations; the option sub-resources are in `options`.

mod options;

use crate::services::estimates::Estimate;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use fieldwork_store::reference::CompanyReference;
use fieldwork_types::{ApproveOut, DeclineOut, EstimateIn, ListOut, OptionIdsIn};

use super::doc_list_out;
use crate::error::ApiResult;
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::estimates::{self, approval};
use crate::state::AppState;

const EXPANDABLE: &[&str] = &["attachments"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/estimates", get(list_estimates).post(create_estimate))
        .route("/estimates/{estimate_id}", get(get_estimate))
        .route("/estimates/options/approve", post(approve_options))
        .route("/estimates/options/decline", post(decline_options))
        .merge(options::router())
}

async fn list_estimates(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<Estimate>>> {
    let doc_query = query.doc_query(estimates::list::SORTABLE)?;
    let attachments = !query.expand(EXPANDABLE)?.is_empty();
    // `location_ids[]` is accepted and ignored: Fieldwork has no multi-location companies.
    query.array("location_ids")?;
    // Estimates filter like jobs (same work_status words, same schedule ranges).
    let query_for =
        |reference: &CompanyReference| super::jobs::job_query(&query, &doc_query, reference);
    let store = state.store.as_ref();
    let page = estimates::list::list(store, &auth.company_id, query_for, attachments).await?;
    Ok(Json(doc_list_out("estimates", &doc_query, page)))
}

/// HCP's spec answers this create with 200, not 201.
async fn create_estimate(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<EstimateIn>,
) -> ApiResult<Json<Estimate>> {
    let store = state.store.as_ref();
    let (_, estimate) = estimates::create::create(store, &auth.company_id, input).await?;
    Ok(Json(estimate))
}

async fn get_estimate(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(estimate_id): Path<String>,
    query: HcpQuery,
) -> ApiResult<Json<Estimate>> {
    let attachments = !query.expand(EXPANDABLE)?.is_empty();
    let store = state.store.as_ref();
    let estimate = estimates::load(store, &auth.company_id, &estimate_id).await?;
    Ok(Json(
        estimates::present(store, &auth.company_id, &estimate, attachments).await?,
    ))
}

async fn approve_options(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<OptionIdsIn>,
) -> ApiResult<Json<ApproveOut>> {
    let store = state.store.as_ref();
    Ok(Json(
        approval::approve(store, &auth.company_id, input.option_ids).await?,
    ))
}

async fn decline_options(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<OptionIdsIn>,
) -> ApiResult<Json<DeclineOut>> {
    let store = state.store.as_ref();
    Ok(Json(
        approval::decline(store, &auth.company_id, input.option_ids).await?,
    ))
}
