//! The retry schedule (`5s,5m,30m,2h,5h,10h,10h`), its jitter, and `Retry-After`.

use std::time::Duration;

use rand::Rng;

/// Delays between attempts: the first attempt is immediate, then one retry per entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(pub Vec<Duration>);

impl RetrySchedule {
    /// Parses a comma-separated list of durations with a unit each: `ms`, `s`, `m`, `h`, `d`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let delays = s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(parse_duration)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(delays))
    }

    /// The delay before retry number `retry` (0-based), if the schedule has one.
    pub fn delay(&self, retry: usize) -> Option<Duration> {
        self.0.get(retry).copied()
    }
}

/// Parses `500ms`, `5s`, `5m`, `2h`, `1d`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{s:?} lacks a unit (ms, s, m, h or d)"))?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{s:?} does not start with a number"))?;
    let ms = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("{s:?} has an unknown unit (use ms, s, m, h or d)")),
    };
    Ok(Duration::from_millis(n.saturating_mul(ms)))
}

/// `delay` moved randomly by up to `percent` either way.
pub fn jitter(delay: Duration, percent: u32) -> Duration {
    if percent == 0 {
        return delay;
    }
    let f = f64::from(percent.min(100)) / 100.0;
    let factor = rand::rng().random_range(1.0 - f..=1.0 + f);
    delay.mul_f64(factor)
}

/// Longest `Retry-After` honoured, so a receiver cannot park a delivery for months.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// A `Retry-After` value in seconds (the HTTP-date form is rare for webhooks and ignored).
pub fn retry_after(value: &str) -> Option<Duration> {
    let secs: u64 = value.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_default_schedule() {
        let s = RetrySchedule::parse("5s,5m,30m,2h,5h,10h,10h").unwrap();
        assert_eq!(s.0.len(), 7);
        assert_eq!(s.delay(0), Some(Duration::from_secs(5)));
        assert_eq!(s.delay(3), Some(Duration::from_secs(7200)));
        assert_eq!(s.delay(7), None);
        assert_eq!(
            RetrySchedule::parse("200ms, 1s").unwrap().0,
            vec![Duration::from_millis(200), Duration::from_secs(1)]
        );
        assert!(RetrySchedule::parse("5").is_err());
        assert!(RetrySchedule::parse("5y").is_err());
        assert_eq!(RetrySchedule::parse("").unwrap().0.len(), 0);
    }

    #[test]
    fn jitter_stays_within_bounds() {
        for _ in 0..100 {
            let d = jitter(Duration::from_secs(100), 20);
            assert!(
                d >= Duration::from_secs(80) && d <= Duration::from_secs(120),
                "{d:?}"
            );
        }
        assert_eq!(jitter(Duration::from_secs(5), 0), Duration::from_secs(5));
    }

    #[test]
    fn retry_after_is_seconds_and_capped() {
        assert_eq!(retry_after("30"), Some(Duration::from_secs(30)));
        assert_eq!(retry_after("999999999"), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
