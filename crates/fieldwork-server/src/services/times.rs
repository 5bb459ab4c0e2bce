//! Times in requests: ISO-8601 with an offset, or local to the company's time zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use fieldwork_store::Store;

use crate::error::{ApiError, ApiResult};

/// Earliest and latest accepted times (years 1970–9999), so every time fits the store.
const MIN_MICROS: i64 = 0;
const MAX_MICROS: i64 = 253_402_300_799_000_000;

/// The company's zone, UTC when its name is unknown.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The company's time zone as stored now: for times given without an offset, and the dates
/// of invoices.
pub async fn company_zone(store: &dyn Store, company_id: &str) -> ApiResult<Tz> {
    let company = store.get_company(company_id).await?;
    Ok(zone(&company.profile.time_zone))
}

/// Parses `2026-03-23T15:30:00Z`, `…+02:00`, a naive `2026-03-23T15:30:00` (local to `tz`, as
/// HCP's examples are) or a date `2026-03-23` (local midnight). Returns unix microseconds.
pub fn parse(field: &str, value: &str, tz: Tz) -> ApiResult<i64> {
    let v = value.trim();
    let bad = || ApiError::invalid(field, "is not a valid ISO-8601 time");
    let utc: DateTime<Utc> = if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        t.with_timezone(&Utc)
    } else if let Some(naive) = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
    {
        tz.from_local_datetime(&naive)
            .earliest()
            .ok_or_else(bad)?
            .with_timezone(&Utc)
    } else if let Ok(date) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let midnight = date.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
        tz.from_local_datetime(&midnight)
            .earliest()
            .ok_or_else(bad)?
            .with_timezone(&Utc)
    } else {
        return Err(bad());
    };
    let micros = utc.timestamp_micros();
    if !(MIN_MICROS..=MAX_MICROS).contains(&micros) {
        return Err(ApiError::invalid(field, "is out of range"));
    }
    Ok(micros)
}

/// Like [`parse`] for a query parameter: a bad value is a 400 naming it.
pub fn parse_query(name: &str, value: Option<&str>, tz: Tz) -> ApiResult<Option<i64>> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            parse(name, v, tz)
                .map_err(|_| ApiError::bad_field(name, "is not a valid ISO-8601 time"))
        })
        .transpose()
}

/// The UTC date (`YYYY-MM-DD`) of a time.
pub fn date(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_naive_and_dates() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let z = parse("t", "2026-03-23T15:30:00Z", ny).unwrap();
        assert_eq!(parse("t", "2026-03-23T11:30:00-04:00", ny).unwrap(), z);
        assert_eq!(parse("t", "2026-03-23T11:30:00", ny).unwrap(), z);
        assert_eq!(
            parse("t", "2026-03-23", Tz::UTC).unwrap(),
            z - 15 * 3_600_000_000 - 30 * 60_000_000
        );
        assert!(parse("t", "yesterday", ny).is_err());
        assert!(parse("t", "1969-12-31T00:00:00Z", ny).is_err());
        assert_eq!(date(z), "2026-03-23");
    }
}
