//! `/leads`: HCP's lead operations, plus Fieldwork's `POST /leads/{id}/lose`.

use crate::services::leads::Lead;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use fieldwork_types::{ConvertIn, ConvertOut, LeadIn, LineItem, ListOut};

use super::doc_list_out;
use super::pages::page_of;
use crate::error::ApiResult;
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::leads::{self, convert, list::LeadFilter};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list_leads).post(create_lead))
        .route("/leads/{lead_id}", get(get_lead))
        .route("/leads/{lead_id}/convert", post(convert_lead))
        .route("/leads/{lead_id}/lose", post(lose_lead))
        .route("/leads/{lead_id}/line_items", get(list_line_items))
}

async fn list_leads(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<Lead>>> {
    let mut doc_query = query.doc_query(leads::list::SORTABLE)?;
    // `location_ids[]` is accepted and ignored: Fieldwork has no multi-location companies.
    query.array("location_ids")?;
    let filter = LeadFilter {
        employee_ids: query.array("employee_ids")?,
        customer_id: query.text("customer_id").map(str::to_owned),
        status: query.text("status").map(str::to_owned),
        tag_ids: query.array("tag_ids")?,
        lead_sources: query.array("lead_source")?,
    };
    doc_query.filter = filter.to_doc_filter()?;
    let page = leads::list::list(state.store.as_ref(), &auth.company_id, &doc_query).await?;
    Ok(Json(doc_list_out("leads", &doc_query, page)))
}

async fn create_lead(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<LeadIn>,
) -> ApiResult<(StatusCode, Json<Lead>)> {
    let store = state.store.as_ref();
    let (_, lead) = leads::create::create(store, &auth.company_id, input).await?;
    Ok((StatusCode::CREATED, Json(lead)))
}

async fn get_lead(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(lead_id): Path<String>,
) -> ApiResult<Json<Lead>> {
    let store = state.store.as_ref();
    let lead = leads::load(store, &auth.company_id, &lead_id).await?;
    Ok(Json(leads::present(store, &auth.company_id, &lead).await?))
}

/// The spec answers 201 with `{job_id, estimate_id}`.
async fn convert_lead(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(lead_id): Path<String>,
    HcpJson(input): HcpJson<ConvertIn>,
) -> ApiResult<(StatusCode, Json<ConvertOut>)> {
    let store = state.store.as_ref();
    let out = convert::convert(store, &auth.company_id, &lead_id, input).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

async fn lose_lead(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(lead_id): Path<String>,
) -> ApiResult<Json<Lead>> {
    let store = state.store.as_ref();
    let lead = convert::lose(store, &auth.company_id, &lead_id).await?;
    Ok(Json(leads::present(store, &auth.company_id, &lead).await?))
}

async fn list_line_items(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(lead_id): Path<String>,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<LineItem>>> {
    let lead = leads::load(state.store.as_ref(), &auth.company_id, &lead_id).await?;
    Ok(Json(page_of("line_items", &query, lead.doc.line_items)?))
}
