//! JSON bodies with HCP-shaped rejections: 400 naming the field, 413 over the limit.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_LENGTH;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body parsed into `T`. An empty body reads as `{}`.
#[derive(Debug)]
pub struct HcpJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for HcpJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.config.max_body_bytes;
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        let body: Body = req.into_body();
        let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
            if is_length_limit(&e) {
                ApiError::PayloadTooLarge { limit }
            } else {
                ApiError::BadRequest {
                    field: None,
                    reason: "Could not read the request body".into(),
                }
            }
        })?;
        parse(&bytes).map(HcpJson)
    }
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.to_string().contains("length limit") {
            return true;
        }
        source = err.source();
    }
    false
}

/// Parses a body, naming the field of a type error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    // No database stores NUL inside text (PostgreSQL refuses it); refuse it at the edge.
    if has_escaped_nul(bytes) {
        return Err(ApiError::BadRequest {
            field: None,
            reason: "JSON strings must not contain NUL characters (\\u0000)".into(),
        });
    }
    // serde fills structs from arrays by position; HCP bodies are always objects.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::BadRequest {
            field: None,
            reason: "The request body must be a JSON object".into(),
        });
    }
    // Most bodies are good: parse without tracking the path (a tenth of a 50-line bulk update's
    // instructions, BENCHMARKS.md), and only a failed parse again with it, for the message.
    if let Ok(value) = T::deserialize(&mut serde_json::Deserializer::from_slice(bytes)) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::BadRequest {
                field: None,
                reason: format!("Malformed JSON in request body: {inner}"),
            };
        }
        let reason = strip_position(&inner.to_string());
        if path.is_empty() || path == "." {
            ApiError::BadRequest {
                field: None,
                reason: format!("Invalid request body: {reason}"),
            }
        } else {
            ApiError::bad_field(path, reason)
        }
    })
}

/// Whether the body holds a `\u0000` escape (a real one: its backslash is not itself escaped).
fn has_escaped_nul(bytes: &[u8]) -> bool {
    bytes.windows(6).enumerate().any(|(i, w)| {
        w[0] == b'\\'
            && w[1] == b'u'
            && &w[2..] == b"0000"
            && bytes[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

/// serde_json appends " at line 1 column 17"; the field name says more to a client.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldwork_types::CustomerIn;

    #[test]
    fn names_the_field_of_a_type_error() {
        let err = parse::<CustomerIn>(br#"{"first_name": 5}"#).unwrap_err();
        match err {
            ApiError::BadRequest { field, reason } => {
                assert_eq!(field.as_deref(), Some("first_name"));
                assert!(reason.contains("invalid type"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_a_plain_400() {
        let err = parse::<CustomerIn>(b"{\"first_name\": ").unwrap_err();
        assert!(matches!(err, ApiError::BadRequest { field: None, .. }));
    }

    #[test]
    fn arrays_and_scalars_are_refused() {
        for body in [&b"[\"Ada\"]"[..], b"12", b"\"x\"", b"null"] {
            assert!(parse::<CustomerIn>(body).is_err());
        }
    }

    #[test]
    fn nul_escapes_are_refused_but_escaped_backslashes_are_not() {
        assert!(parse::<CustomerIn>(br#"{"first_name": "a\u0000b"}"#).is_err());
        let c: CustomerIn = parse(br#"{"first_name": "a\\u0000b"}"#).unwrap();
        assert_eq!(c.first_name.as_deref(), Some("a\\u0000b"));
    }

    #[test]
    fn empty_body_is_an_empty_object() {
        let c: CustomerIn = parse(b"").unwrap();
        assert!(c.first_name.is_none());
    }
}
