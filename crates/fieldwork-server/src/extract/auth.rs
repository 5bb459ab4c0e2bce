//! `Authorization: Token <key>` of a company on the MAX plan.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use fieldwork_store::Plan;

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

impl FromRequestParts<AppState> for MaxPlanCompany {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(token_of)
            .ok_or(ApiError::Unauthorized)?;
        let auth = state
            .store
            .authenticate(&hash_key(key))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        state.key_usage.touch(&auth.key_id);
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
