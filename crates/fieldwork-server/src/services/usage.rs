//! Usage figures: the time range of a request, and stored minutes summed up per key.

use chrono::DateTime;
use fieldwork_store::time::format_ts;
use fieldwork_store::usage::minute_of;
use fieldwork_store::{UsageCounts, UsageMinute};
use fieldwork_types::{KeyUsageOut, UsageMinuteOut, UsageOut, UsageTotals};

use crate::error::ApiError;

/// Range when no `start` is given: the last day.
pub const DEFAULT_SPAN_MICROS: i64 = 24 * 3600 * 1_000_000;
/// Longest range one request may ask for (a little over the 30 days kept).
pub const MAX_SPAN_MICROS: i64 = 31 * 24 * 3600 * 1_000_000;

/// A validated `[start, end)` range in unix microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageRange {
    pub start: i64,
    pub end: i64,
}

impl UsageRange {
    /// Parses `start` and `end` (RFC 3339 or unix seconds; defaults: the day before `now`,
    /// and `now`). Unparsable values are 400; an empty or too long range is 422.
    pub fn parse(start: Option<&str>, end: Option<&str>, now: i64) -> Result<Self, ApiError> {
        let end = match end {
            Some(v) => parse_time("end", v)?,
            None => now,
        };
        let start = match start {
            Some(v) => parse_time("start", v)?,
            None => end.saturating_sub(DEFAULT_SPAN_MICROS),
        };
        if start >= end {
            return Err(ApiError::invalid("start", "must be before end"));
        }
        if end - start > MAX_SPAN_MICROS {
            return Err(ApiError::invalid(
                "end",
                "must be at most 31 days after start",
            ));
        }
        Ok(Self { start, end })
    }

    /// The stored minutes to read: every minute that overlaps the range.
    pub fn minutes(&self) -> (i64, i64) {
        (minute_of(self.start), self.end)
    }
}

fn parse_time(name: &str, raw: &str) -> Result<i64, ApiError> {
    parse_instant(raw)
        .ok_or_else(|| ApiError::bad_field(name, "must be an RFC 3339 time or unix seconds"))
}

/// A time given as RFC 3339 (`2026-11-27T10:00:00Z`) or unix seconds (`1795860000`), in unix
/// microseconds.
pub fn parse_instant(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
        raw.parse::<i64>()
            .ok()
            .and_then(|secs| secs.checked_mul(1_000_000))
    } else {
        DateTime::parse_from_rfc3339(raw)
            .ok()
            .map(|t| t.timestamp_micros())
    }
}

/// The answer of `GET /usage` from the stored minutes (ordered by minute, then key name).
pub fn summarize(range: UsageRange, rows: Vec<UsageMinute>) -> UsageOut {
    let mut totals = UsageCounts::default();
    let mut keys: Vec<(KeyUsageOut, UsageCounts)> = Vec::new();
    for row in rows {
        totals.add(&row.counts);
        let i = match keys.iter().position(|(k, _)| k.key_id == row.key_id) {
            Some(i) => i,
            None => {
                keys.push((
                    KeyUsageOut {
                        key_id: row.key_id.clone(),
                        key_name: row.key_name.clone(),
                        totals: UsageTotals::default(),
                        minutes: Vec::new(),
                    },
                    UsageCounts::default(),
                ));
                keys.len() - 1
            }
        };
        let (key, key_totals) = &mut keys[i];
        key_totals.add(&row.counts);
        key.minutes.push(UsageMinuteOut {
            minute: format_ts(row.minute),
            totals: out(row.counts),
        });
    }
    let mut keys: Vec<KeyUsageOut> = keys
        .into_iter()
        .map(|(mut k, t)| {
            k.totals = out(t);
            k
        })
        .collect();
    keys.sort_by(|a, b| (&a.key_name, &a.key_id).cmp(&(&b.key_name, &b.key_id)));
    UsageOut {
        start: format_ts(range.start),
        end: format_ts(range.end),
        totals: out(totals),
        keys,
    }
}

fn out(c: UsageCounts) -> UsageTotals {
    UsageTotals {
        requests: c.requests,
        rate_limited: c.rate_limited,
        client_errors: c.client_errors,
        server_errors: c.server_errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_860_030_000_000; // 2026-11-28T10:00:30Z

    #[test]
    fn ranges_default_to_the_last_day_and_accept_both_formats() {
        let r = UsageRange::parse(None, None, NOW).unwrap();
        assert_eq!((r.start, r.end), (NOW - DEFAULT_SPAN_MICROS, NOW));
        let r = UsageRange::parse(Some("2026-11-28T09:00:00Z"), Some("1795860000"), NOW).unwrap();
        assert_eq!(r.start, 1_795_856_400_000_000);
        assert_eq!(r.end, 1_795_860_000_000_000);
        let r = UsageRange::parse(Some("2026-11-28T09:59:30+00:00"), None, NOW).unwrap();
        assert_eq!(r.minutes().0, 1_795_859_940_000_000);
    }

    #[test]
    fn bad_ranges_are_refused() {
        let status = |s: Option<&str>, e: Option<&str>| {
            UsageRange::parse(s, e, NOW).unwrap_err().status().as_u16()
        };
        assert_eq!(status(Some("yesterday"), None), 400);
        assert_eq!(status(None, Some("-5")), 400);
        assert_eq!(status(Some("1795860030"), Some("1795860030")), 422);
        assert_eq!(status(Some("0"), None), 422);
    }

    #[test]
    fn minutes_are_summed_per_key_and_overall() {
        let row = |key: &str, name: &str, minute: i64, requests: i64| UsageMinute {
            key_id: key.into(),
            key_name: name.into(),
            minute,
            counts: UsageCounts {
                requests,
                rate_limited: 1,
                client_errors: 1,
                server_errors: 0,
            },
        };
        let out = summarize(
            UsageRange {
                start: 0,
                end: 120_000_000,
            },
            vec![
                row("k2", "zapier", 0, 5),
                row("k1", "app", 60_000_000, 2),
                row("k2", "zapier", 60_000_000, 1),
            ],
        );
        assert_eq!(out.totals.requests, 8);
        assert_eq!(out.totals.rate_limited, 3);
        assert_eq!(out.keys[0].key_name, "app");
        assert_eq!(out.keys[1].totals.requests, 6);
        assert_eq!(out.keys[1].minutes.len(), 2);
        assert_eq!(out.keys[1].minutes[1].minute, "1970-01-01T00:01:00Z");
    }
}
