//! Time as stored (unix microseconds) and as sent on the wire (`2026-11-27T06:17:03Z`).

use chrono::{DateTime, SecondsFormat, Utc};

/// Now, in unix microseconds.
pub fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

/// Formats unix microseconds as an RFC 3339 UTC timestamp with whole seconds.
pub fn format_ts(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}
