//! API usage figures: request counts per key and minute, gathered in memory and added up here.

/// What happened to a key's requests in one minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageCounts {
    /// Every request made with the key (any status).
    pub requests: i64,
    /// Requests refused with 429 (per-key limit or company concurrency cap).
    pub rate_limited: i64,
    /// Requests answered 4xx, 429s included.
    pub client_errors: i64,
    /// Requests answered 5xx.
    pub server_errors: i64,
}

impl UsageCounts {
    /// Adds another set of counts to this one.
    pub fn add(&mut self, other: &Self) {
        self.requests += other.requests;
        self.rate_limited += other.rate_limited;
        self.client_errors += other.client_errors;
        self.server_errors += other.server_errors;
    }
}

/// Counts to add to one key's minute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageDelta {
    pub company_id: String,
    pub key_id: String,
    /// Start of the minute, unix microseconds (a multiple of 60 s).
    pub minute: i64,
    pub counts: UsageCounts,
}

/// One stored minute of one key, with the key's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageMinute {
    pub key_id: String,
    pub key_name: String,
    /// Start of the minute, unix microseconds.
    pub minute: i64,
    pub counts: UsageCounts,
}

/// Microseconds in a minute.
pub const MINUTE_MICROS: i64 = 60_000_000;

/// The start of the minute holding `micros` (unix microseconds).
pub fn minute_of(micros: i64) -> i64 {
    micros.div_euclid(MINUTE_MICROS) * MINUTE_MICROS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_start_on_the_minute() {
        assert_eq!(minute_of(0), 0);
        assert_eq!(minute_of(MINUTE_MICROS - 1), 0);
        assert_eq!(minute_of(MINUTE_MICROS), MINUTE_MICROS);
        assert_eq!(minute_of(-1), -MINUTE_MICROS);
    }
}
