//! `/jobs`: HCP's job operations, plus Fieldwork's lifecycle actions (on my way, start, finish,
//! cancel) that HCP performs only in its apps.

mod lifecycle;
mod line_items;
mod parts;
mod schedule;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use fieldwork_store::docs::DocQuery;
use fieldwork_store::reference::CompanyReference;
use fieldwork_types::{JobIn, ListOut};

use crate::services::jobs::Job;

use super::doc_list_out;
use crate::error::ApiResult;
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::jobs::{self, Expand, list::JobFilter};
use crate::services::times;
use crate::state::AppState;

const EXPANDABLE: &[&str] = &["attachments", "appointments"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list_jobs).post(create_job))
        .route("/jobs/{job_id}", get(get_job))
        .merge(lifecycle::router())
        .merge(line_items::router())
        .merge(parts::router())
        .merge(schedule::router())
}

async fn list_jobs(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<Job>>> {
    let doc_query = query.doc_query(jobs::list::SORTABLE)?;
    let expand = Expand::from_list(&query.expand(EXPANDABLE)?);
    // `location_ids[]` is accepted and ignored: Fieldwork has no multi-location companies.
    query.array("location_ids")?;
    let query_for = |reference: &CompanyReference| job_query(&query, &doc_query, reference);
    let store = state.store.as_ref();
    let page = jobs::list::list(store, &auth.company_id, query_for, expand).await?;
    Ok(Json(doc_list_out("jobs", &doc_query, page)))
}

/// `base` (the page and sort) with the filters of `GET /jobs` (and of `GET /estimates`, which
/// filters alike), local times read in the company's time zone as `reference` has it.
pub(super) fn job_query(
    query: &HcpQuery,
    base: &DocQuery,
    reference: &CompanyReference,
) -> ApiResult<DocQuery> {
    let filter = job_filter(query, &reference.company.profile.time_zone)?;
    Ok(DocQuery {
        filter: filter.to_doc_filter()?,
        ..base.clone()
    })
}

fn job_filter(query: &HcpQuery, tz: &str) -> ApiResult<JobFilter> {
    let tz = times::zone(tz);
    let range = |min: &str, max: &str| -> ApiResult<(Option<i64>, Option<i64>)> {
        Ok((
            times::parse_query(min, query.text(min), tz)?,
            times::parse_query(max, query.text(max), tz)?,
        ))
    };
    Ok(JobFilter {
        scheduled_start: range("scheduled_start_min", "scheduled_start_max")?,
        scheduled_end: range("scheduled_end_min", "scheduled_end_max")?,
        employee_ids: query.array("employee_ids")?,
        customer_id: query.text("customer_id").map(str::to_owned),
        work_status: query.array("work_status")?,
    })
}

async fn create_job(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<JobIn>,
) -> ApiResult<(StatusCode, Json<Job>)> {
    let store = state.store.as_ref();
    let job = jobs::create::create(store, &auth.company_id, input).await?;
    Ok((StatusCode::CREATED, Json(job)))
}

async fn get_job(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    query: HcpQuery,
) -> ApiResult<Json<Job>> {
    let expand = Expand::from_list(&query.expand(EXPANDABLE)?);
    let store = state.store.as_ref();
    let (job, epochs) = jobs::load_with_epochs(store, &auth.company_id, &job_id).await?;
    let job = jobs::present_at(store, &auth.company_id, &job, expand, epochs).await?;
    Ok(Json(job))
}
