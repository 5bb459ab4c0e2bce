//! `GET /attachments/{id}/{file_name}` (Fieldwork addition): uploaded files, served back with
//! their content type to holders of the company's API key.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::ApiResult;
use crate::extract::MaxPlanCompany;
use crate::services::attachments;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/attachments/{attachment_id}/{file_name}",
        get(get_attachment),
    )
}

async fn get_attachment(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((attachment_id, file_name)): Path<(String, String)>,
) -> ApiResult<Response> {
    let file = attachments::load(
        state.store.as_ref(),
        &auth.company_id,
        &attachment_id,
        &file_name,
    )
    .await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        attachments::url_segment(&file.file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            // Served files never run as pages of this origin.
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        file.bytes,
    )
        .into_response())
}
