//! Cross-cutting layers: request timeout, panics as 500s, logging of 5xx causes.

use std::any::Any;
use std::time::Duration;

use axum::extract::{Request, State};
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
