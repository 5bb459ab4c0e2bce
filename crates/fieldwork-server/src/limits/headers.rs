//! The rate-limit headers: the IETF draft's `RateLimit-Policy` / `RateLimit` and the widely
//! used `X-RateLimit-*`, all from one [`RateState`].

use std::cell::RefCell;
use std::sync::OnceLock;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use bytes::Bytes;

use super::window::WindowState;

const POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const STATE: HeaderName = HeaderName::from_static("ratelimit");
const X_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const X_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const X_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

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

/// The two values that depend only on the policy, of the policy last used on this thread
/// (nearly always the server's default): cloning them is a reference count, not a format.
type PolicyValues = (u32, u64, HeaderValue, HeaderValue);

/// Header values of the numbers below this are made once, from text that lives as long as the
/// process (a few kilobytes): cloning a value made from static text touches no shared counter,
/// where a shared one would be a cache line both cores write on every response.
const SMALL_NUMBERS: u64 = 1024;

/// `n` as a header value.
fn number(n: u64) -> HeaderValue {
    static SMALL: OnceLock<Box<[&'static str]>> = OnceLock::new();
    let small = SMALL.get_or_init(|| {
        (0..SMALL_NUMBERS)
            .map(|n| &*Box::leak(n.to_string().into_boxed_str()))
            .collect()
    });
    usize::try_from(n)
        .ok()
        .and_then(|i| small.get(i))
        .map_or_else(
            || HeaderValue::from(n),
            |text| HeaderValue::from_static(text),
        )
}

thread_local! {
    static LAST_POLICY: RefCell<Option<PolicyValues>> = const { RefCell::new(None) };
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
    ///
    /// They are on every response, so they are made with as few allocations as possible
    /// (BENCHMARKS.md, issue 6): the policy's two values come from a per-thread cache, the two
    /// `X-` numbers from a table of small numbers, and only `RateLimit` is formatted.
    pub fn apply(&self, headers: &mut HeaderMap) {
        let (policy, limit) = self.policy_values();
        let mut r = itoa::Buffer::new();
        let mut t = itoa::Buffer::new();
        let (r, t) = (r.format(self.remaining), t.format(self.reset_secs));
        // Exactly as long as its capacity, so the bytes become the value without a copy.
        const PREFIX: &str = "\"per-key\";r=";
        let mut text = String::with_capacity(PREFIX.len() + r.len() + 3 + t.len());
        for part in [PREFIX, r, ";t=", t] {
            text.push_str(part);
        }
        headers.insert(POLICY, policy);
        if let Ok(state) = HeaderValue::from_maybe_shared(Bytes::from(text)) {
            headers.insert(STATE, state);
        }
        headers.insert(X_LIMIT, limit);
        headers.insert(X_REMAINING, number(u64::from(self.remaining)));
        headers.insert(X_RESET, number(self.reset_secs));
    }

    /// `RateLimit-Policy` and `X-RateLimit-Limit` of this state's policy.
    fn policy_values(&self) -> (HeaderValue, HeaderValue) {
        let (q, w) = (self.limit, self.window_secs);
        LAST_POLICY.with_borrow_mut(|last| match last {
            Some((lq, lw, policy, limit)) if *lq == q && *lw == w => {
                (policy.clone(), limit.clone())
            }
            _ => {
                let policy = HeaderValue::from_str(&format!("\"per-key\";q={q};w={w}"))
                    .expect("digits and ASCII punctuation");
                let limit = HeaderValue::from(q);
                *last = Some((q, w, policy.clone(), limit.clone()));
                (policy, limit)
            }
        })
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

    #[test]
    fn a_different_policy_on_the_same_thread_gets_its_own_values() {
        for (limit, remaining) in [(150, 3), (7, 0), (150, 149)] {
            let state = RateState {
                limit,
                window_secs: 60,
                remaining,
                reset_secs: 12,
            };
            let mut h = HeaderMap::new();
            state.apply(&mut h);
            assert_eq!(h["ratelimit-policy"], format!("\"per-key\";q={limit};w=60"));
            assert_eq!(h["x-ratelimit-limit"], limit.to_string());
            assert_eq!(h["ratelimit"], format!("\"per-key\";r={remaining};t=12"));
            assert_eq!(h["x-ratelimit-remaining"], remaining.to_string());
        }
    }

    #[test]
    fn numbers_inside_and_beyond_the_table() {
        for n in [0, 1, 149, SMALL_NUMBERS - 1, SMALL_NUMBERS, 1_000_000_000] {
            assert_eq!(number(n), n.to_string());
        }
    }
}
