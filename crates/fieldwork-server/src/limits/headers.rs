//! The rate-limit headers: the IETF draft's `RateLimit-Policy` / `RateLimit` and the widely
//! used `X-RateLimit-*`, all from one [`RateState`].

use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::window::WindowState;

/// A key's window as reported to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateState {
    /// Requests allowed per window.
    pub limit: u32,
    /// Window length in seconds.
    pub window_secs: u64,
    /// Requests left in the window ending now.
    pub remaining: u32,
    /// Whole seconds (rounded up) until the oldest counted request leaves the window, so that
    /// at least one more request passes; 0 when nothing is counted.
    pub reset_secs: u64,
}

impl RateState {
    /// The reported state of a window decision.
    pub fn new(limit: u32, window: Duration, state: WindowState) -> Self {
        Self {
            limit,
            window_secs: window.as_secs(),
            remaining: state.remaining,
            reset_secs: state.reset_micros.div_ceil(1_000_000),
        }
    }

    /// Adds the five headers to a response.
    pub fn apply(&self, headers: &mut HeaderMap) {
        let (q, w, r, t) = (
            self.limit,
            self.window_secs,
            self.remaining,
            self.reset_secs,
        );
        // Numbers convert without a string in between; only the two structured values format.
        let structured = |value: String| HeaderValue::from_str(&value).ok();
        if let Some(v) = structured(format!("\"per-key\";q={q};w={w}")) {
            headers.insert(HeaderName::from_static("ratelimit-policy"), v);
        }
        if let Some(v) = structured(format!("\"per-key\";r={r};t={t}")) {
            headers.insert(HeaderName::from_static("ratelimit"), v);
        }
        headers.insert(HeaderName::from_static("x-ratelimit-limit"), q.into());
        headers.insert(HeaderName::from_static("x-ratelimit-remaining"), r.into());
        headers.insert(HeaderName::from_static("x-ratelimit-reset"), t.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_follow_the_draft_syntax() {
        let state = RateState::new(
            150,
            Duration::from_secs(60),
            WindowState {
                admitted: true,
                remaining: 149,
                reset_micros: 59_000_001,
            },
        );
        let mut h = HeaderMap::new();
        state.apply(&mut h);
        assert_eq!(h["ratelimit-policy"], "\"per-key\";q=150;w=60");
        assert_eq!(h["ratelimit"], "\"per-key\";r=149;t=60");
        assert_eq!(h["x-ratelimit-limit"], "150");
        assert_eq!(h["x-ratelimit-remaining"], "149");
        assert_eq!(h["x-ratelimit-reset"], "60");
    }
}
