//! The one place that decides every error body: HCP's own shapes.
//!
//! - 401 `{"message":"Unauthorized"}`, 403/413/429/5xx `{"message": …}`
//! - 400 `{"message": …, "<field>": "<reason>"}` (HCP's `{message, attr1}`)
//! - 404 `{"error":{"message":"customer not found"}}`
//! - 422 `{"message": …, "errors":{"<field>":["<reason>"]}}` (Rails style, plus a sentence)

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fieldwork_store::StoreError;
use serde_json::{Value, json};

/// An error answered to an API client.
#[derive(Debug)]
pub enum ApiError {
    /// Missing, unknown or revoked key.
    Unauthorized,
    /// The company is not on the plan the API needs.
    PlanRequired,
    /// No such object in this company (`what` is e.g. `customer`).
    NotFound(String),
    /// Unknown path.
    NoRoute,
    /// Known path, other method.
    MethodNotAllowed,
    /// Malformed input: JSON syntax, wrong types, bad query parameters.
    BadRequest {
        field: Option<String>,
        reason: String,
    },
    /// Well-formed input that breaks a rule (missing required field, duplicate name, …).
    Unprocessable { field: String, reason: String },
    /// The key used up its requests of the rate-limit window.
    RateLimited { retry_after_secs: u64 },
    /// The company already has its maximum of requests in progress.
    TooManyConcurrent { limit: u32 },
    /// Body over the configured limit.
    PayloadTooLarge { limit: usize },
    /// The database is unreachable or the request timed out; retry later.
    Unavailable,
    /// A bug; the cause is logged, never sent.
    Internal(String),
}

impl ApiError {
    /// A 400 naming the offending field.
    pub fn bad_field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::BadRequest {
            field: Some(field.into()),
            reason: reason.into(),
        }
    }

    /// A 422 naming the offending field.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Unprocessable {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::PlanRequired => StatusCode::FORBIDDEN,
            Self::NotFound(_) | Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } | Self::TooManyConcurrent { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON body of this error.
    pub fn body(&self) -> Value {
        match self {
            Self::Unauthorized => json!({ "message": "Unauthorized" }),
            Self::PlanRequired => json!({
                "message": "The API is only available to companies on the MAX plan. \
                            Upgrade this company's plan to use it."
            }),
            Self::NotFound(what) => json!({ "error": { "message": format!("{what} not found") } }),
            Self::NoRoute => json!({ "error": { "message": "route not found" } }),
            Self::MethodNotAllowed => json!({ "message": "Method not allowed" }),
            Self::BadRequest {
                field: Some(field),
                reason,
            } => {
                json!({ "message": format!("{field} {reason}"), field.as_str(): reason })
            }
            Self::BadRequest {
                field: None,
                reason,
            } => json!({ "message": reason }),
            Self::Unprocessable { field, reason } => json!({
                "message": format!("{field} {reason}"),
                "errors": { field.as_str(): [reason] }
            }),
            Self::PayloadTooLarge { limit } => json!({
                "message": format!("Request body is larger than the limit of {limit} bytes")
            }),
            Self::RateLimited { retry_after_secs } => json!({
                "message": format!(
                    "Rate limit exceeded for this API key. Retry in {retry_after_secs} seconds."
                )
            }),
            Self::TooManyConcurrent { limit } => json!({
                "message": format!(
                    "Too many concurrent requests: this company may have at most {limit} \
                     requests in progress at once. Retry when one has finished."
                )
            }),
            Self::Unavailable => {
                json!({ "message": "Service temporarily unavailable, please retry" })
            }
            Self::Internal(_) => json!({ "message": "Internal server error" }),
        }
    }
}

/// The cause of a 5xx, attached to the response for the logging middleware.
#[derive(Debug, Clone)]
pub struct ErrorCause(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        match self {
            Self::Internal(cause) => {
                response.extensions_mut().insert(ErrorCause(cause));
            }
            Self::RateLimited { retry_after_secs } => {
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            // A request slot frees as soon as one finishes; a second is a polite pause.
            Self::TooManyConcurrent { .. } => {
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what.to_owned()),
            StoreError::Conflict { .. } => Self::invalid("name", "has already been taken"),
            StoreError::Unavailable(_) => Self::Unavailable,
            StoreError::Other(source) => Self::Internal(source.to_string()),
        }
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
