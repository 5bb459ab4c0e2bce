//! The request layer: tracing, logging of 5xx causes, metering, panics as 500s, the request
//! timeout, body buffering and the request limits, as one middleware.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use tracing::Instrument;

use super::meter::{self, Metered};
use crate::error::{ApiError, ErrorCause};
use crate::state::AppState;

/// Takes every request through the shared steps, outermost first:
///
/// 1. a `request` span and start/finish events, at debug level (what `TraceLayer` gave);
/// 2. the cause of a 5xx, logged once ([`log_failure`]);
/// 3. the rate-limit headers and usage counting ([`meter::report`]), outside 4 and 5 so their
///    500s and 503s count too;
/// 4. a panic becomes a generic 500 ([`panic_response`]);
/// 5. past `request_timeout_secs`, a 503;
/// 6. the body is read whole first ([`read_body`]: 413 over `max_body_bytes`);
/// 7. an encoded NUL in the path is a 404;
/// 8. the request limits ([`meter::limit`]), then the router.
///
/// All of it inside a [`fieldwork_store::request::scope`], so that the store calls of one
/// request share their readings of the database's state.
///
/// One layer rather than one per step: each `from_fn` layer boxes a future and clones the
/// service inside it on every request, and eight of them with `TraceLayer` and
/// `CatchPanicLayer` cost more instructions than the handler of `GET /customers/{id}`.
pub async fn edge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let span = tracing::debug_span!(
        "request",
        method = %req.method(),
        uri = %req.uri(),
        version = ?req.version(),
    );
    let started = (!span.is_disabled()).then(Instant::now);
    // The store calls of one request share what they read of the database's state.
    fieldwork_store::request::scope(async move {
        tracing::debug!("started processing request");
        let (method, uri) = (req.method().clone(), req.uri().clone());
        let mut metered = None;
        let mut response = match AssertUnwindSafe(guarded(&state, req, next, &mut metered))
            .catch_unwind()
            .await
        {
            Ok(response) => response,
            Err(panic) => panic_response(panic),
        };
        if let Some(metered) = &metered {
            meter::report(&state, metered, &mut response);
        }
        log_failure(&method, &uri, &response);
        if let Some(started) = started {
            tracing::debug!(
                latency_ms = started.elapsed().as_millis() as u64,
                status = response.status().as_u16(),
                "finished processing request"
            );
        }
        response
    })
    .instrument(span)
    .await
}

/// Steps 5 to 8 of [`edge`]: the timeout around the rest.
async fn guarded(
    state: &AppState,
    req: Request,
    next: Next,
    metered: &mut Option<Metered>,
) -> Response {
    let limit = Duration::from_secs(state.config.request_timeout_secs.max(1));
    let admitted = async {
        let req = match read_body(state, req).await {
            Ok(req) => req,
            Err(too_large) => return too_large,
        };
        if has_encoded_nul(req.uri().path()) {
            return ApiError::NoRoute.into_response();
        }
        meter::limit(state, req, next, metered).await
    };
    match tokio::time::timeout(limit, admitted).await {
        Ok(response) => response,
        Err(_) => ApiError::Unavailable.into_response(),
    }
}

/// Turns a caught panic into a generic 500 (the message is logged, not sent).
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panic".to_owned());
    ApiError::Internal(format!("handler panicked: {message}")).into_response()
}

/// Logs the cause of a 5xx once, at the boundary.
fn log_failure(method: &Method, uri: &Uri, response: &Response) {
    if !response.status().is_server_error() {
        return;
    }
    let cause = response
        .extensions()
        .get::<ErrorCause>()
        .map(|c| c.0.as_str())
        .unwrap_or("-");
    tracing::error!(http.method = %method, http.path = %uri.path(), status = response.status().as_u16(), error.cause = cause, "request failed");
}

/// Reads the whole request body (up to `max_body_bytes`) before routing and authentication.
///
/// A response sent while the client is still sending its body forces the server to drop the
/// connection, which clients that reuse connections see as a reset on their *next* request.
/// Reading first keeps every error response on a reusable connection; a body over the limit
/// is answered 413 with `Connection: close`.
async fn read_body(state: &AppState, req: Request) -> Result<Request, Response> {
    let headers = req.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let chunked = headers.contains_key(header::TRANSFER_ENCODING);
    if !chunked && declared.unwrap_or(0) == 0 {
        return Ok(req);
    }
    let limit = state.config.max_body_bytes;
    let too_large = || {
        let mut r = ApiError::PayloadTooLarge { limit }.into_response();
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        r
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(Request::from_parts(parts, Body::from(bytes))),
        // Over the limit, or the client stopped sending: either way the connection is done.
        Err(_) => Err(too_large()),
    }
}

/// Whether a path has an encoded NUL (`%00`): no id contains one, and PostgreSQL cannot even
/// compare text holding it, so such paths are answered 404.
fn has_encoded_nul(path: &str) -> bool {
    path.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::middleware::from_fn_with_state;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::edge;
    use crate::error::{ApiError, ErrorCause};
    use crate::{AppState, Config};

    async fn panics() -> &'static str {
        panic!("boom")
    }

    /// Panics, timeouts and handler errors as the layer answers them (no route of the API
    /// panics or hangs on purpose, so these are not covered by the integration tests).
    #[tokio::test]
    async fn panics_are_500s_and_slow_handlers_503s() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::defaults();
        config.database_url = format!("sqlite://{}", dir.path().join("t.db").display());
        config.request_timeout_secs = 1;
        let store = crate::store::open(&config, true).await.expect("store");
        let state = AppState::new(store, config);
        let app = Router::new()
            .route("/panic", get(panics))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .route(
                "/fail",
                get(|| async { ApiError::Internal("disk on fire".into()) }),
            )
            .route("/ok/{x}", get(|| async { "ok" }))
            .layer(from_fn_with_state(state.clone(), edge))
            .with_state(state);
        let get = |path: &str| {
            let request = Request::get(path).body(Body::empty()).expect("request");
            app.clone().oneshot(request)
        };

        let panicked = get("/panic").await.expect("response");
        assert_eq!(panicked.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let cause = panicked.extensions().get::<ErrorCause>().expect("cause");
        assert_eq!(cause.0, "handler panicked: boom");

        let slow = get("/slow").await.expect("response");
        assert_eq!(slow.status(), StatusCode::SERVICE_UNAVAILABLE);

        let failed = get("/fail").await.expect("response");
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(failed.extensions().get::<ErrorCause>().is_some());

        assert_eq!(
            get("/ok/a%00b").await.expect("response").status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get("/ok/ab").await.expect("response").status(),
            StatusCode::OK
        );
    }
}
