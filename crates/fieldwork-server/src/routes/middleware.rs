//! Cross-cutting layers: request timeout, panics as 500s, logging of 5xx causes.

use std::any::Any;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorCause};
use crate::state::AppState;

/// Answers 503 when a handler takes longer than `request_timeout_secs`.
pub async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = Duration::from_secs(state.config.request_timeout_secs.max(1));
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::Unavailable.into_response(),
    }
}

/// Turns a caught panic into a generic 500 (the message is logged, not sent).
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panic".to_owned());
    ApiError::Internal(format!("handler panicked: {message}")).into_response()
}

/// Logs the cause of every 5xx once, at the boundary.
pub async fn log_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    if response.status().is_server_error() {
        let cause = response
            .extensions()
            .get::<ErrorCause>()
            .map(|c| c.0.as_str())
            .unwrap_or("-");
        tracing::error!(http.method = %method, http.path = %path, status = response.status().as_u16(), error.cause = cause, "request failed");
    }
    response
}

/// Reads the whole request body (up to `max_body_bytes`) before routing and authentication.
///
/// A response sent while the client is still sending its body forces the server to drop the
/// connection, which clients that reuse connections see as a reset on their *next* request.
/// Reading first keeps every error response on a reusable connection; a body over the limit
/// is answered 413 with `Connection: close`.
pub async fn buffer_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let chunked = headers.contains_key(header::TRANSFER_ENCODING);
    if !chunked && declared.unwrap_or(0) == 0 {
        return next.run(req).await;
    }
    let limit = state.config.max_body_bytes;
    let too_large = || {
        let mut r = ApiError::PayloadTooLarge { limit }.into_response();
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        r
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        // Over the limit, or the client stopped sending: either way the connection is done.
        Err(_) => too_large(),
    }
}

/// Answers 404 for paths with an encoded NUL (`%00`): no id contains one, and PostgreSQL cannot
/// even compare text holding it.
pub async fn reject_nul_in_path(req: Request, next: Next) -> Response {
    let path = req.uri().path().as_bytes();
    let has_nul = path
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0');
    if has_nul {
        return ApiError::NoRoute.into_response();
    }
    next.run(req).await
}
