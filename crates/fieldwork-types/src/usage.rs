//! `GET /usage` (Fieldwork's addition): a company's API usage per key and minute.

use serde::{Deserialize, Serialize};

/// Request counts of a minute, a key or a whole range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageTotals {
    /// Every request made with the key(s), whatever the answer.
    pub requests: i64,
    /// Requests refused with 429 (rate limit or concurrency cap).
    pub rate_limited: i64,
    /// Requests answered 4xx (the 429s included).
    pub client_errors: i64,
    /// Requests answered 5xx.
    pub server_errors: i64,
}

/// One minute of one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageMinuteOut {
    /// Start of the minute, RFC 3339 UTC.
    pub minute: String,
    #[serde(flatten)]
    pub totals: UsageTotals,
}

/// One key's usage over the range, minute by minute (minutes without requests left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyUsageOut {
    pub key_id: String,
    pub key_name: String,
    pub totals: UsageTotals,
    pub minutes: Vec<UsageMinuteOut>,
}

/// The answer of `GET /usage`: every minute overlapping `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageOut {
    pub start: String,
    pub end: String,
    pub totals: UsageTotals,
    /// Keys with requests in the range, by name.
    pub keys: Vec<KeyUsageOut>,
}
