//! A `multipart/form-data` body with one file in its `file` part, as HCP's attachment
//! uploads send it.

use axum::extract::{FromRequest, Multipart, Request};

use crate::error::ApiError;
use crate::services::attachments::Upload;
use crate::state::AppState;

/// The `file` part of a multipart body. Not multipart or malformed: 400; no `file` part: 422.
#[derive(Debug)]
pub struct FileUpload(pub Upload);

impl FromRequest<AppState> for FileUpload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let mut multipart =
            Multipart::from_request(req, state)
                .await
                .map_err(|_| ApiError::BadRequest {
                    field: None,
                    reason: "The request body must be multipart/form-data with a `file` part"
                        .into(),
                })?;
        let malformed = |_| ApiError::BadRequest {
            field: None,
            reason: "Malformed multipart/form-data body".into(),
        };
        while let Some(field) = multipart.next_field().await.map_err(malformed)? {
            if field.name() != Some("file") {
                continue;
            }
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await.map_err(malformed)?;
            return Ok(Self(Upload {
                file_name,
                content_type,
                bytes: bytes.to_vec(),
            }));
        }
        Err(ApiError::invalid("file", "is missing"))
    }
}
