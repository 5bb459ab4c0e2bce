//! Company settings: the weekly schedule availability.

use fieldwork_types::{
    DailyAvailabilities, DailyScheduleWindows, ScheduleAvailability, ScheduleAvailabilityIn,
    ScheduleWindow,
};

use crate::error::{ApiError, ApiResult};

/// Weekday names as HCP spells them, Monday first.
pub const DAY_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Longest booking buffer accepted, in days.
const MAX_BUFFER_DAYS: u64 = 365;

/// Validates a `PUT /company/schedule_availability` body into the stored shape.
///
/// Times are local wall-clock `HH:MM` (`HH:MM:SS` and full ISO-8601 date-times are accepted and
/// reduced to their time of day). A day given twice is refused; windows of a day are sorted and
/// must not overlap.
pub fn availability(input: ScheduleAvailabilityIn) -> ApiResult<ScheduleAvailability> {
    let buffer = match input.availability_buffer_in_days {
        None | Some(serde_json::Value::Null) => {
            return Err(ApiError::bad_field(
                "availability_buffer_in_days",
                "is required",
            ));
        }
        Some(v) => v
            .as_u64()
            .or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .filter(|d| *d <= MAX_BUFFER_DAYS)
            .ok_or_else(|| {
                ApiError::bad_field(
                    "availability_buffer_in_days",
                    format!("must be a whole number from 0 to {MAX_BUFFER_DAYS}"),
                )
            })?,
    };
    let days = input
        .daily_schedule_windows
        .ok_or_else(|| ApiError::bad_field("daily_schedule_windows", "is required"))?;
    let mut out: Vec<DailyScheduleWindows> = Vec::with_capacity(days.len());
    for (i, day) in days.into_iter().enumerate() {
        let field = format!("daily_schedule_windows[{i}]");
        let name = day.day_name.trim().to_ascii_lowercase();
        if !DAY_NAMES.contains(&name.as_str()) {
            return Err(ApiError::bad_field(
                format!("{field}.day_name"),
                format!("must be one of {}", DAY_NAMES.join(", ")),
            ));
        }
        if out.iter().any(|d| d.day_name == name) {
            return Err(ApiError::bad_field(
                format!("{field}.day_name"),
                "is given twice",
            ));
        }
        let mut windows: Vec<(u32, u32)> = Vec::with_capacity(day.schedule_windows.len());
        for (j, w) in day.schedule_windows.iter().enumerate() {
            let wfield = format!("{field}.schedule_windows[{j}]");
            let start = minutes_of_day(&w.start_time).ok_or_else(|| {
                ApiError::bad_field(format!("{wfield}.start_time"), "must be a time like 08:00")
            })?;
            let end = minutes_of_day(&w.end_time).ok_or_else(|| {
                ApiError::bad_field(format!("{wfield}.end_time"), "must be a time like 17:00")
            })?;
            if end <= start {
                return Err(ApiError::bad_field(
                    format!("{wfield}.end_time"),
                    "must be after start_time",
                ));
            }
            windows.push((start, end));
        }
        windows.sort_unstable();
        if windows.windows(2).any(|p| p[1].0 < p[0].1) {
            return Err(ApiError::bad_field(
                format!("{field}.schedule_windows"),
                "must not overlap",
            ));
        }
        out.push(DailyScheduleWindows {
            day_name: name,
            schedule_windows: windows
                .into_iter()
                .map(|(s, e)| ScheduleWindow {
                    start_time: hhmm(s),
                    end_time: hhmm(e),
                })
                .collect(),
        });
    }
    out.sort_by_key(|d| DAY_NAMES.iter().position(|n| *n == d.day_name));
    Ok(ScheduleAvailability {
        availability_buffer_in_days: u32::try_from(buffer).unwrap_or(0),
        daily_availabilities: DailyAvailabilities { data: out },
    })
}

/// Minutes since midnight of `HH:MM`, `HH:MM:SS` or the time part of an ISO-8601 date-time.
/// `24:00` is accepted as the end of the day.
pub fn minutes_of_day(s: &str) -> Option<u32> {
    let s = s.trim();
    let time = match s.find('T') {
        Some(i) => &s[i + 1..],
        None => s,
    };
    let time = time.trim_end_matches('Z');
    let mut parts = time.split(':');
    let h: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    if let Some(sec) = parts.next() {
        let sec: f64 = sec.get(..2).unwrap_or(sec).parse().ok()?;
        if !(0.0..60.0).contains(&sec) {
            return None;
        }
    }
    if parts.next().is_some() || m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// `HH:MM` of minutes since midnight.
pub fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: serde_json::Value) -> ScheduleAvailabilityIn {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn parses_times() {
        assert_eq!(minutes_of_day("08:30"), Some(510));
        assert_eq!(minutes_of_day("08:30:00"), Some(510));
        assert_eq!(minutes_of_day("2024-01-01T13:00:00"), Some(780));
        assert_eq!(minutes_of_day("24:00"), Some(1440));
        assert_eq!(minutes_of_day("25:00"), None);
        assert_eq!(minutes_of_day("8"), None);
    }

    #[test]
    fn validates_and_normalises() {
        let a = availability(input(json!({
            "availability_buffer_in_days": 2,
            "daily_schedule_windows": [
                {"day_name": "Tuesday", "schedule_windows": [{"start_time": "13:00", "end_time": "17:00"}, {"start_time": "08:00", "end_time": "12:00"}]},
                {"day_name": "monday", "schedule_windows": []}
            ]
        })))
        .unwrap();
        assert_eq!(a.availability_buffer_in_days, 2);
        assert_eq!(a.daily_availabilities.data[0].day_name, "monday");
        assert_eq!(
            a.daily_availabilities.data[1].schedule_windows[0].start_time,
            "08:00"
        );
    }

    #[test]
    fn refuses_bad_input() {
        for bad in [
            json!({"daily_schedule_windows": []}),
            json!({"availability_buffer_in_days": -1, "daily_schedule_windows": []}),
            json!({"availability_buffer_in_days": 1}),
            json!({"availability_buffer_in_days": 1, "daily_schedule_windows": [{"day_name": "funday", "schedule_windows": []}]}),
            json!({"availability_buffer_in_days": 1, "daily_schedule_windows": [{"day_name": "monday", "schedule_windows": [{"start_time": "10:00", "end_time": "09:00"}]}]}),
            json!({"availability_buffer_in_days": 1, "daily_schedule_windows": [{"day_name": "monday", "schedule_windows": [{"start_time": "08:00", "end_time": "12:00"}, {"start_time": "11:00", "end_time": "13:00"}]}]}),
        ] {
            assert!(availability(input(bad.clone())).is_err(), "{bad}");
        }
    }
}
