//! `/application`: the state of the company's API application.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use fieldwork_store::CompanyRecord;
use fieldwork_types::Application;

use crate::error::ApiResult;
use crate::extract::MaxPlanCompany;
use crate::routes::Json;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/application", get(get_application))
        .route("/application/enable", post(enable_application))
        .route("/application/disable", post(disable_application))
}

fn present(company: CompanyRecord) -> Application {
    Application {
        name: format!("{} API", company.name),
        state: company.application_state,
        organization_id: company.id,
    }
}

async fn get_application(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
) -> ApiResult<Json<Application>> {
    Ok(Json(present(
        state.store.get_company(&auth.company_id).await?,
    )))
}

async fn enable_application(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
) -> ApiResult<Json<Application>> {
    set_state(&state, &auth, "enabled").await
}

async fn disable_application(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
) -> ApiResult<Json<Application>> {
    set_state(&state, &auth, "disabled").await
}

async fn set_state(
    state: &AppState,
    auth: &MaxPlanCompany,
    new_state: &str,
) -> ApiResult<Json<Application>> {
    let company = state
        .store
        .set_application_state(&auth.company_id, new_state)
        .await?;
    Ok(Json(present(company)))
}
