//! `/vendors`: Fieldwork's addition, listed the way HCP lists.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use fieldwork_types::{ListOut, Vendor, VendorIn, VendorPatch};

use super::list_out;
use crate::error::ApiResult;
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::vendors;
use crate::state::AppState;

const SORTABLE: &[&str] = &["created_at", "updated_at", "name"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/vendors", get(list_vendors).post(create_vendor))
        .route(
            "/vendors/{vendor_id}",
            get(get_vendor).put(update_vendor).delete(delete_vendor),
        )
}

async fn list_vendors(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<Vendor>>> {
    let list = query.list(SORTABLE)?;
    let page = state
        .store
        .list_vendors(&auth.company_id, query.text("q"), &list)
        .await?;
    Ok(Json(list_out("vendors", &list, page)))
}

async fn create_vendor(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<VendorIn>,
) -> ApiResult<(StatusCode, Json<Vendor>)> {
    let vendor = state
        .store
        .create_vendor(&auth.company_id, vendors::new_vendor(input)?)
        .await?;
    Ok((StatusCode::CREATED, Json(vendor)))
}

async fn get_vendor(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(vendor_id): Path<String>,
) -> ApiResult<Json<Vendor>> {
    Ok(Json(
        state.store.get_vendor(&auth.company_id, &vendor_id).await?,
    ))
}

async fn update_vendor(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(vendor_id): Path<String>,
    HcpJson(input): HcpJson<VendorPatch>,
) -> ApiResult<Json<Vendor>> {
    let patch = vendors::patch(input)?;
    Ok(Json(
        state
            .store
            .update_vendor(&auth.company_id, &vendor_id, patch)
            .await?,
    ))
}

/// Answers `{"id": …, "deleted": true}`, the shape HCP uses for deletions.
async fn delete_vendor(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(vendor_id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    state
        .store
        .delete_vendor(&auth.company_id, &vendor_id)
        .await?;
    Ok(Json(
        serde_json::json!({ "id": vendor_id, "deleted": true }),
    ))
}
