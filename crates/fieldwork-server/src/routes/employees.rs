//! `GET /employees` (HCP has no employee writes).

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use fieldwork_types::{Employee, ListOut};

use super::list_out;
use crate::error::ApiResult;
use crate::extract::{HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::state::AppState;

const SORTABLE: &[&str] = &[
    "created_at",
    "updated_at",
    "first_name",
    "last_name",
    "email",
];

pub fn router() -> Router<AppState> {
    Router::new().route("/employees", get(list_employees))
}

async fn list_employees(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<Employee>>> {
    let list = query.list(SORTABLE)?;
    query.array("location_ids")?;
    let page = state.store.list_employees(&auth.company_id, &list).await?;
    Ok(Json(list_out("employees", &list, page)))
}
