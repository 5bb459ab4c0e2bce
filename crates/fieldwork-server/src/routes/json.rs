//! JSON answers, serialized into a buffer each thread keeps: `axum::Json` starts from 128 bytes
//! and grows by doubling, so a page of 50 jobs (115 kB) was reallocated and copied ten times
//! (a sixteenth of the page's instructions, BENCHMARKS.md). Here the buffer keeps its size from
//! one answer to the next and the answer gets one exact copy.

use std::cell::RefCell;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

use crate::error::ApiError;

/// Past this a thread's buffer is let go after the answer (a rare large export does not keep
/// its memory on every thread).
const MAX_KEPT: usize = 1 << 20;

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A value answered as `application/json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let body = BUFFER.with_borrow_mut(|buf| {
            buf.clear();
            let written =
                serde_json::to_writer(&mut *buf, &self.0).map(|()| Bytes::copy_from_slice(buf));
            if buf.capacity() > MAX_KEPT {
                *buf = Vec::new();
            }
            written
        });
        match body {
            Ok(body) => answer(body),
            Err(e) => {
                ApiError::Internal(format!("an answer does not serialize: {e}")).into_response()
            }
        }
    }
}

/// JSON text answered as it is, as `application/json`.
pub(super) fn answer(body: impl Into<Body>) -> Response {
    let json = HeaderValue::from_static("application/json");
    ([(header::CONTENT_TYPE, json)], body.into()).into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use serde_json::json;

    use super::*;

    async fn answered(value: serde_json::Value) -> (Response, Vec<u8>) {
        let mut response = Json(&value).into_response();
        let body = std::mem::take(response.body_mut());
        (response, to_bytes(body, usize::MAX).await.unwrap().to_vec())
    }

    /// Answers one after another on one thread (the buffer reused, larger then smaller, and
    /// one past the kept size) each read back as exactly their own JSON.
    #[tokio::test(flavor = "current_thread")]
    async fn each_answer_is_its_own_json() {
        let big = "x".repeat(MAX_KEPT + 10);
        for value in [
            json!({"jobs": vec![json!({"id": "job_1", "notes": "é \"q\""}); 200]}),
            json!({"page": 1}),
            json!({"big": big}),
            json!([]),
        ] {
            let (response, body) = answered(value.clone()).await;
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
            assert_eq!(body, serde_json::to_vec(&value).unwrap());
        }
    }
}
