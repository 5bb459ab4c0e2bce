//! Fieldwork's event writes (`POST /events`, `PUT` and `DELETE /events/{event_id}`): HCP's API
//! only reads events, but businesses and tests need a way to put them on the calendar.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use fieldwork_store::Store;
use fieldwork_store::StoreError;
use fieldwork_store::docs::{DocKind, DocWrite, VERSION_CONFLICT};
use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_types::{EventAddress, EventIn};

use super::doc::{EventDoc, StoredEvent};
use super::{PREFIX, load};
use crate::error::{ApiError, ApiResult};
use crate::services::jobs::create::check_employees;
use crate::services::times;
use crate::services::validate::{self, MAX_NOTES, MAX_TEXT};

/// Longest event accepted.
const MAX_DURATION_MICROS: i64 = 366 * 86_400_000_000;
/// Longest recurrence rule accepted.
const MAX_RULE: usize = 500;
const FREQUENCIES: &[&str] = &[
    "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY",
];
const MAX_ATTEMPTS: usize = 5;

/// Validates a new event and stores it.
pub async fn create(store: &dyn Store, company_id: &str, input: EventIn) -> ApiResult<StoredEvent> {
    let doc = apply(store, company_id, None, input).await?;
    let now = now_micros();
    let event = StoredEvent {
        id: new_id(PREFIX),
        version: 1,
        created_at: now,
        updated_at: now,
        doc,
    };
    store
        .write_docs(company_id, vec![DocWrite::Insert(event.to_doc(now))])
        .await?;
    Ok(event)
}

/// Applies a partial update: absent fields are kept, `null` clears.
pub async fn update(
    store: &dyn Store,
    company_id: &str,
    id: &str,
    input: EventIn,
) -> ApiResult<StoredEvent> {
    for _ in 0..MAX_ATTEMPTS {
        let mut event = load(store, company_id, id).await?;
        event.doc = apply(store, company_id, Some(event.doc.clone()), input.clone()).await?;
        let now = now_micros();
        match store
            .write_docs(company_id, vec![DocWrite::Update(event.to_doc(now))])
            .await
        {
            Ok(stored) => {
                event.version = stored[0].version;
                event.updated_at = now;
                return Ok(event);
            }
            Err(StoreError::Conflict { constraint }) if constraint == VERSION_CONFLICT => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable)
}

/// Removes an event.
pub async fn delete(store: &dyn Store, company_id: &str, id: &str) -> ApiResult<()> {
    let write = DocWrite::Delete {
        kind: DocKind::Event,
        id: id.to_owned(),
    };
    store.write_docs(company_id, vec![write]).await?;
    Ok(())
}

/// The event `input` makes of `current` (`None`: a new event, which needs a name and a start).
async fn apply(
    store: &dyn Store,
    company_id: &str,
    current: Option<EventDoc>,
    input: EventIn,
) -> ApiResult<EventDoc> {
    let creating = current.is_none();
    let mut doc = current.unwrap_or_default();
    match input.name {
        Some(name) => doc.name = validate::required("name", Some(name), MAX_TEXT)?,
        None if creating => return Err(ApiError::invalid("name", "is missing")),
        None => {}
    }
    if let Some(note) = input.note {
        doc.note = validate::text("note", note, MAX_NOTES)?;
    }
    if let Some(tags) = input.tags {
        doc.tags = validate::tags("tags", Some(tags))?.unwrap_or_default();
    }
    if let Some(rule) = input.recurrence_rule {
        doc.recurrence_rule = rule.map(recurrence_rule).transpose()?.flatten();
    }
    if let Some(address) = input.address {
        doc.address = address.map(clean_address).transpose()?.flatten();
    }
    if let Some(ids) = input.assigned_employee_ids {
        let mut unique: Vec<String> = Vec::new();
        for id in ids {
            if !unique.contains(&id) {
                unique.push(id);
            }
        }
        check_employees(store, company_id, "assigned_employee_ids", &unique).await?;
        doc.employee_ids = unique;
    }
    if let Some(all_day) = input.all_day {
        doc.all_day = all_day;
    }
    let s = input.schedule.unwrap_or_default();
    let tz_name = match s.time_zone.filter(|z| !z.trim().is_empty()) {
        Some(z) => {
            let z = z.trim().to_owned();
            z.parse::<Tz>()
                .map_err(|_| ApiError::invalid("schedule.time_zone", "is not an IANA time zone"))?;
            z
        }
        None if !doc.time_zone.is_empty() => doc.time_zone.clone(),
        None => store.get_company(company_id).await?.profile.time_zone,
    };
    let tz = times::zone(&tz_name);
    doc.time_zone = tz_name;
    let given = |v: Option<String>| v.filter(|t| !t.trim().is_empty());
    let (start_in, end_in) = (given(s.start_time), given(s.end_time));
    if creating && start_in.is_none() {
        return Err(ApiError::invalid("schedule.start_time", "is missing"));
    }
    if let Some(t) = &start_in {
        doc.start = times::parse("schedule.start_time", t, tz)?;
    }
    let end_is_date = end_in.as_deref().is_some_and(is_date);
    match &end_in {
        Some(t) => doc.end = times::parse("schedule.end_time", t, tz)?,
        None if creating && doc.all_day => doc.end = doc.start,
        None if creating => return Err(ApiError::invalid("schedule.end_time", "is missing")),
        None => {}
    }
    if doc.all_day {
        // All-day events run from local midnight of the first day to local midnight after
        // the last one; an end given as a date names the last day.
        let last_day = if end_is_date {
            local_day(doc.end, tz)
        } else {
            local_day((doc.end - 1).max(doc.start), tz)
        };
        doc.start = midnight(local_day(doc.start, tz), tz)?;
        doc.end = midnight(
            last_day.checked_add_days(Days::new(1)).unwrap_or(last_day),
            tz,
        )?;
    }
    if doc.end <= doc.start {
        return Err(ApiError::invalid(
            "schedule.end_time",
            "must be after the start time",
        ));
    }
    if doc.end - doc.start > MAX_DURATION_MICROS {
        return Err(ApiError::invalid(
            "schedule.end_time",
            "is more than 366 days after the start time",
        ));
    }
    Ok(doc)
}

fn is_date(value: &str) -> bool {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").is_ok()
}

fn local_day(micros: i64, tz: Tz) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}

fn midnight(day: NaiveDate, tz: Tz) -> ApiResult<i64> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| tz.from_local_datetime(&t).earliest())
        .map(|t| t.timestamp_micros())
        .ok_or_else(|| ApiError::invalid("schedule.start_time", "is out of range"))
}

/// An iCalendar RRULE (`FREQ=WEEKLY;BYDAY=MO`, optionally prefixed `RRULE:`): `KEY=VALUE`
/// parts with a known `FREQ`. Blank clears.
fn recurrence_rule(rule: String) -> ApiResult<Option<String>> {
    let Some(rule) = validate::text("recurrence_rule", Some(rule), MAX_RULE)? else {
        return Ok(None);
    };
    let body = rule.strip_prefix("RRULE:").unwrap_or(&rule);
    let bad = || {
        ApiError::invalid(
            "recurrence_rule",
            "must be an iCalendar RRULE such as FREQ=WEEKLY;BYDAY=MO",
        )
    };
    let mut freq = None;
    for part in body.split(';') {
        let (key, value) = part.split_once('=').ok_or_else(bad)?;
        if key.is_empty() || value.is_empty() {
            return Err(bad());
        }
        if key.eq_ignore_ascii_case("FREQ") {
            freq = Some(value.to_ascii_uppercase());
        }
    }
    match freq {
        Some(f) if FREQUENCIES.contains(&f.as_str()) => Ok(Some(rule)),
        _ => Err(bad()),
    }
}

/// Trims every part; an address with nothing in it is none.
fn clean_address(a: EventAddress) -> ApiResult<Option<EventAddress>> {
    let f = |name: &str, v: Option<String>| validate::text(&format!("address.{name}"), v, MAX_TEXT);
    let a = EventAddress {
        street: f("street", a.street)?,
        street_line_2: f("street_line_2", a.street_line_2)?,
        city: f("city", a.city)?,
        state: f("state", a.state)?,
        zip: f("zip", a.zip)?,
    };
    Ok((a != EventAddress::default()).then_some(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recurrence_rules() {
        assert_eq!(
            recurrence_rule("FREQ=WEEKLY;BYDAY=MO".into())
                .unwrap()
                .as_deref(),
            Some("FREQ=WEEKLY;BYDAY=MO")
        );
        assert!(recurrence_rule("RRULE:FREQ=DAILY;COUNT=5".into()).is_ok());
        assert_eq!(recurrence_rule("  ".into()).unwrap(), None);
        for bad in [
            "WEEKLY",
            "FREQ=SOMETIMES",
            "BYDAY=MO",
            "FREQ=DAILY;;",
            "FREQ=",
        ] {
            assert!(recurrence_rule(bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_are_trimmed_and_empty_is_none() {
        let a = clean_address(EventAddress {
            city: Some(" Oakland ".into()),
            ..EventAddress::default()
        })
        .unwrap()
        .unwrap();
        assert_eq!(a.city.as_deref(), Some("Oakland"));
        assert_eq!(clean_address(EventAddress::default()).unwrap(), None);
    }
}
