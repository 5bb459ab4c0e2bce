//! Calendar events: time blocked on the schedule that is not a job (meetings, training, …).

use serde::{Deserialize, Serialize};

use crate::Employee;

/// A calendar event as HCP returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `evt_` + 32 hex.
    pub id: String,
    pub name: String,
    pub note: Option<String>,
    pub tags: Vec<String>,
    /// An iCalendar RRULE (`FREQ=WEEKLY;BYDAY=MO`), or null for a one-off event.
    pub recurrence_rule: Option<String>,
    pub address: Option<EventAddress>,
    pub assigned_employees: Vec<Employee>,
    pub schedule: EventSchedule,
    pub all_day: bool,
    pub created_at: String,
    pub updated_at: String,
    pub company_name: String,
    pub company_id: String,
}

/// Where an event takes place.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventAddress {
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub street_line_2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
}

/// When an event takes place: UTC times plus the IANA zone it was planned in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSchedule {
    pub start_time: String,
    pub end_time: String,
    pub time_zone: String,
}

/// The schedule part of an event request. Times are ISO-8601; naive ones are read in
/// `time_zone` (default: the company's). All-day events may give dates.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EventScheduleIn {
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// Body of Fieldwork's `POST /events` and `PUT /events/{event_id}` (a partial update: absent
/// fields are kept, `null` clears).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EventIn {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub note: Option<Option<String>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub recurrence_rule: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub address: Option<Option<EventAddress>>,
    #[serde(default)]
    pub assigned_employee_ids: Option<Vec<String>>,
    #[serde(default)]
    pub schedule: Option<EventScheduleIn>,
    #[serde(default)]
    pub all_day: Option<bool>,
}

/// The answer of `DELETE /events/{event_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deleted {
    pub id: String,
    pub deleted: bool,
}
