//! `Authorization: Token <key>` of a company on the MAX plan.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use fieldwork_store::{KeyAuth, Plan};

use crate::error::ApiError;
use crate::keys::hash_key;
use crate::state::AppState;

/// The company a request acts for, proven by an active API key of a MAX-plan company.
#[derive(Debug, Clone)]
pub struct MaxPlanCompany {
    pub company_id: String,
    pub key_id: String,
    pub key_name: String,
}

/// Who the request's key belongs to, looked up once per request (by the metering layer, which
/// needs it for the limits) and left in the request's extensions for this extractor.
#[derive(Debug, Clone)]
pub enum KeyLookup {
    /// No `Authorization: Token …` header.
    Missing,
    /// A key that is unknown or revoked.
    Unknown,
    /// An active key.
    Found(KeyAuth),
}

impl FromRequestParts<AppState> for MaxPlanCompany {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Taken, not cloned: one extractor per request needs it.
        let lookup = match parts.extensions.remove::<KeyLookup>() {
            Some(lookup) => lookup,
            None => lookup_key(&parts.headers, state).await?,
        };
        let KeyLookup::Found(auth) = lookup else {
            return Err(ApiError::Unauthorized);
        };
        // Checked on every request (the plan comes with the key), so a company moved off
        // `max` is refused at once.
        if auth.plan != Plan::Max {
            return Err(ApiError::PlanRequired);
        }
        Ok(Self {
            company_id: auth.company_id,
            key_id: auth.key_id,
            key_name: auth.key_name,
        })
    }
}

/// Looks up the key of the `Authorization` header and notes it as used.
pub async fn lookup_key(headers: &HeaderMap, state: &AppState) -> Result<KeyLookup, ApiError> {
    let Some(key_hash) = presented_key_hash(headers) else {
        return Ok(KeyLookup::Missing);
    };
    let auth = state.store.authenticate(&key_hash).await?;
    Ok(key_lookup(state, auth))
}

/// The stored form of the key of the `Authorization: Token …` header, if there is one.
pub fn presented_key_hash(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(token_of)
        .map(hash_key)
}

/// The lookup of a presented key (`None`: unknown or revoked), noting a found key as used.
pub fn key_lookup(state: &AppState, auth: Option<KeyAuth>) -> KeyLookup {
    match auth {
        Some(auth) => {
            state.key_usage.touch(&auth.key_id);
            KeyLookup::Found(auth)
        }
        None => KeyLookup::Unknown,
    }
}

/// The key of a `Token <key>` header value (scheme case-insensitive, as HTTP schemes are).
fn token_of(value: &str) -> Option<&str> {
    let (scheme, key) = value.trim().split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("token") && !key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::token_of;

    #[test]
    fn parses_token_scheme_only() {
        assert_eq!(token_of("Token abc"), Some("abc"));
        assert_eq!(token_of("token  abc "), Some("abc"));
        assert_eq!(token_of("Bearer abc"), None);
        assert_eq!(token_of("Token "), None);
        assert_eq!(token_of("abc"), None);
    }
}
