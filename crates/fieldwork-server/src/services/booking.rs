//! Booking windows: the slots of the coming days a customer could book, from the company's
//! weekly availability, its booking buffer and (once jobs exist) the time already booked.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use fieldwork_types::{BookingWindow, BookingWindows, ScheduleAvailability};

use super::company::{DAY_NAMES, minutes_of_day};

/// Most days one request may ask for.
pub const MAX_DAYS: u32 = 60;
/// How far from today a requested start date may be, in days (about ten years).
pub const MAX_START_OFFSET_DAYS: i64 = 3653;
/// Slot length when the request names none (HCP's documented default).
pub const DEFAULT_SLOT_MINUTES: u32 = 30;

/// Whether the weekday of `date` has any schedule window.
fn has_windows(availability: &ScheduleAvailability, date: NaiveDate) -> bool {
    let day_name = DAY_NAMES[date.weekday().num_days_from_monday() as usize];
    availability
        .daily_availabilities
        .data
        .iter()
        .any(|d| d.day_name == day_name && !d.schedule_windows.is_empty())
}

/// What a booking-windows request asks for.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    /// First local date to show; `None` means the first bookable day.
    pub start_date: Option<NaiveDate>,
    pub show_for_days: u32,
    /// Slot length in minutes; `None` means HCP's default of 30.
    pub service_duration: Option<u32>,
}

/// Booked UTC intervals of one bookable employee (or of the whole company when it has no
/// bookable employees).
pub type BusyTimes = Vec<(DateTime<Utc>, DateTime<Utc>)>;

/// Computes the windows. `busy` holds the booked intervals of each bookable employee; a slot
/// is shown with `available: false` when every one of them is booked during it.
pub fn windows(
    availability: &ScheduleAvailability,
    tz: Tz,
    now: DateTime<Utc>,
    request: &BookingRequest,
    busy: &[BusyTimes],
) -> BookingWindows {
    let today = now.with_timezone(&tz).date_naive();
    let first_bookable =
        today + Duration::days(i64::from(availability.availability_buffer_in_days));
    // HCP: without a start date, show from the next day that has a booking window.
    let start = request.start_date.unwrap_or_else(|| {
        (0..7)
            .map(|d| first_bookable + Duration::days(d))
            .find(|date| has_windows(availability, *date))
            .unwrap_or(first_bookable)
    });
    let mut out = Vec::new();
    for offset in 0..request.show_for_days {
        let date = start + Duration::days(i64::from(offset));
        if date < first_bookable {
            continue;
        }
        let day_name = DAY_NAMES[date.weekday().num_days_from_monday() as usize];
        let Some(day) = availability
            .daily_availabilities
            .data
            .iter()
            .find(|d| d.day_name == day_name)
        else {
            continue;
        };
        for w in &day.schedule_windows {
            let (Some(from), Some(to)) =
                (minutes_of_day(&w.start_time), minutes_of_day(&w.end_time))
            else {
                continue;
            };
            let step = request
                .service_duration
                .unwrap_or(DEFAULT_SLOT_MINUTES)
                .max(1);
            let mut slot = from;
            while slot + step <= to {
                if let (Some(s), Some(e)) = (local(tz, date, slot), local(tz, date, slot + step))
                    && s > now
                {
                    let taken = !busy.is_empty()
                        && busy
                            .iter()
                            .all(|times| times.iter().any(|(bs, be)| *bs < e && *be > s));
                    out.push(BookingWindow {
                        start_time: fmt(s),
                        end_time: fmt(e),
                        available: !taken,
                    });
                }
                slot += step;
            }
        }
    }
    BookingWindows {
        booking_windows: out,
        show_for_days: request.show_for_days,
        start_date: start.format("%Y-%m-%d").to_string(),
    }
}

/// The UTC instant of a local date plus minutes; a time skipped by a DST change has none.
fn local(tz: Tz, date: NaiveDate, minutes: u32) -> Option<DateTime<Utc>> {
    let naive: NaiveDateTime = date.and_hms_opt(0, 0, 0)? + Duration::minutes(i64::from(minutes));
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn fmt(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses `start_date`: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` or RFC 3339 (its date is used).
pub fn parse_start_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d")
        .ok()
        .filter(|_| {
            s.len() == 10
                || s.as_bytes()
                    .get(10)
                    .is_some_and(|b| *b == b'T' || *b == b' ')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldwork_types::{DailyAvailabilities, DailyScheduleWindows, ScheduleWindow};

    fn weekdays_8_to_12(buffer: u32) -> ScheduleAvailability {
        ScheduleAvailability {
            availability_buffer_in_days: buffer,
            daily_availabilities: DailyAvailabilities {
                data: ["monday", "tuesday", "wednesday", "thursday", "friday"]
                    .iter()
                    .map(|d| DailyScheduleWindows {
                        day_name: (*d).into(),
                        schedule_windows: vec![ScheduleWindow {
                            start_time: "08:00".into(),
                            end_time: "12:00".into(),
                        }],
                    })
                    .collect(),
            },
        }
    }

    #[test]
    fn splits_windows_and_skips_weekends() {
        // Friday 2026-11-27 10:00 UTC, company in New York.
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
        let req = BookingRequest {
            start_date: None,
            show_for_days: 1,
            service_duration: Some(120),
        };
        let out = windows(
            &weekdays_8_to_12(1),
            chrono_tz::America::New_York,
            now,
            &req,
            &[],
        );
        // Sat 28 is the first bookable day but closed, as is Sun 29: the list starts on Mon 30,
        // with two slots (08-10, 10-12 local = 13-15, 15-17 UTC).
        assert_eq!(out.start_date, "2026-11-30");
        assert_eq!(out.booking_windows.len(), 2);
        assert_eq!(out.booking_windows[0].start_time, "2026-11-30T13:00:00Z");
        assert_eq!(out.booking_windows[1].end_time, "2026-11-30T17:00:00Z");
        assert!(out.booking_windows.iter().all(|w| w.available));
    }

    #[test]
    fn busy_time_is_not_available() {
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
        let req = BookingRequest {
            start_date: NaiveDate::from_ymd_opt(2026, 11, 30),
            show_for_days: 1,
            service_duration: Some(60),
        };
        let busy = [(
            Utc.with_ymd_and_hms(2026, 11, 30, 14, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap(),
        )];
        let out = windows(
            &weekdays_8_to_12(0),
            chrono_tz::America::New_York,
            now,
            &req,
            &[busy.to_vec()],
        );
        let avail: Vec<bool> = out.booking_windows.iter().map(|w| w.available).collect();
        assert_eq!(avail, vec![true, false, true, true]);
        // With a second employee free all morning, nothing is full.
        let out = windows(
            &weekdays_8_to_12(0),
            chrono_tz::America::New_York,
            now,
            &req,
            &[busy.to_vec(), Vec::new()],
        );
        assert!(out.booking_windows.iter().all(|w| w.available));
    }

    #[test]
    fn buffer_hides_near_days() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 5, 0, 0).unwrap(); // Monday
        let req = BookingRequest {
            start_date: NaiveDate::from_ymd_opt(2026, 11, 30),
            show_for_days: 3,
            service_duration: None,
        };
        let out = windows(
            &weekdays_8_to_12(2),
            chrono_tz::America::New_York,
            now,
            &req,
            &[],
        );
        // Only Wednesday, in 30-minute slots (the default): 08:00-12:00 is 8 slots.
        assert_eq!(out.booking_windows.len(), 8);
        assert!(
            out.booking_windows
                .iter()
                .all(|w| w.start_time.starts_with("2026-12-02"))
        );
    }

    #[test]
    fn parses_start_dates() {
        assert!(parse_start_date("2026-11-30").is_some());
        assert!(parse_start_date("2026-11-30T08:00:00").is_some());
        assert!(parse_start_date("2026-11-30x").is_none());
        assert!(parse_start_date("nope").is_none());
    }
}
