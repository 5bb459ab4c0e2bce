//! `GET /usage` (Fieldwork's addition): the company's API usage per key and minute.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use fieldwork_types::UsageOut;

use crate::error::ApiResult;
use crate::extract::{HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::usage::{UsageRange, summarize};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/usage", get(get_usage))
}

async fn get_usage(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<UsageOut>> {
    let range = UsageRange::parse(
        query.text("start"),
        query.text("end"),
        fieldwork_store::time::now_micros(),
    )?;
    // This process's counts are written first, so the figures include every request it
    // answered before this one (other servers' counts arrive with their next flush).
    state.usage.flush(state.store.as_ref()).await;
    let (from, to) = range.minutes();
    let rows = state.store.list_usage(&auth.company_id, from, to).await?;
    Ok(Json(summarize(range, rows)))
}
