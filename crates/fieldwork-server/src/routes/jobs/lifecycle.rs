//! Fieldwork's job actions: `POST /jobs/{id}/on_my_way|start|finish|cancel`, and HCP's locks.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use fieldwork_types::CancelIn;

use crate::services::jobs::Job;

use crate::error::{ApiError, ApiResult};
use crate::extract::{MaxPlanCompany, json};
use crate::routes::Json;
use crate::services::invoices::{self, Terms};
use crate::services::jobs::{self, Expand, JobDoc, lifecycle};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/jobs/{job_id}/on_my_way", post(on_my_way))
        .route("/jobs/{job_id}/start", post(start))
        .route("/jobs/{job_id}/finish", post(finish))
        .route("/jobs/{job_id}/cancel", post(cancel))
}

/// Applies one transition and answers with the job.
async fn transition(
    state: &AppState,
    company_id: &str,
    job_id: &str,
    change: impl FnMut(&mut JobDoc) -> ApiResult<()>,
) -> ApiResult<Json<Job>> {
    let store = state.store.as_ref();
    Ok(Json(
        jobs::modify_present(store, company_id, job_id, true, change).await?,
    ))
}

async fn on_my_way(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Job>> {
    transition(&state, &auth.company_id, &job_id, lifecycle::on_my_way).await
}

async fn start(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Job>> {
    transition(&state, &auth.company_id, &job_id, lifecycle::start).await
}

async fn finish(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Job>> {
    // Finishing also makes the job's invoice, in the same write.
    let store = state.store.as_ref();
    let (job, _) =
        invoices::create::finish_job(store, &auth.company_id, &job_id, Terms::default()).await?;
    Ok(Json(
        jobs::present(store, &auth.company_id, &job, Expand::default()).await?,
    ))
}

async fn cancel(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Job>> {
    // The body is optional: an empty one cancels as the pro.
    let by = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        json::parse::<CancelIn>(&body)?.by
    };
    let by_customer = match by.as_deref() {
        None | Some("pro") => false,
        Some("customer") => true,
        Some(_) => return Err(ApiError::invalid("by", "must be pro or customer")),
    };
    transition(&state, &auth.company_id, &job_id, |doc| {
        lifecycle::cancel(doc, by_customer)
    })
    .await
}
