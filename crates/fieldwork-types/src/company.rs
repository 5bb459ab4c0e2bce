//! The company (account), its schedule availability, booking windows and the application state.

use serde::{Deserialize, Serialize};

/// `GET /company`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Company {
    /// A plain UUID, as HCP uses for companies.
    pub id: String,
    pub name: String,
    pub support_email: Option<String>,
    pub phone_number: Option<String>,
    pub logo_url: Option<String>,
    pub address: Option<CompanyAddress>,
    pub website: Option<String>,
    /// Minutes, as a string (the spec types it so).
    pub default_arrival_window: Option<String>,
    /// IANA time zone.
    pub time_zone: String,
    pub service_areas_data: ServiceAreasData,
    pub locations: Vec<Company>,
}

/// The company's street address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompanyAddress {
    pub street: Option<String>,
    pub street_line_2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// Zip codes the company serves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceAreasData {
    pub zip_codes: Vec<String>,
}

/// One opening window of a weekday, local wall-clock times `HH:MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleWindow {
    pub start_time: String,
    pub end_time: String,
}

/// The windows of one weekday (`day_name` is `monday` … `sunday`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyScheduleWindows {
    pub day_name: String,
    pub schedule_windows: Vec<ScheduleWindow>,
}

/// `GET /company/schedule_availability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleAvailability {
    pub availability_buffer_in_days: u32,
    pub daily_availabilities: DailyAvailabilities,
}

/// The `{data: [...]}` wrapper HCP puts around the weekdays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyAvailabilities {
    pub data: Vec<DailyScheduleWindows>,
}

/// Body of `PUT /company/schedule_availability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleAvailabilityIn {
    pub availability_buffer_in_days: Option<serde_json::Value>,
    pub daily_schedule_windows: Option<Vec<DailyScheduleWindows>>,
}

/// One bookable window (UTC timestamps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingWindow {
    pub start_time: String,
    pub end_time: String,
    pub available: bool,
}

/// `GET /company/schedule_availability/booking_windows`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingWindows {
    pub booking_windows: Vec<BookingWindow>,
    pub show_for_days: u32,
    pub start_date: String,
}

/// `GET /application`: the state of the company's API application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub name: String,
    /// `enabled`, `disabled` or `pending`.
    pub state: String,
    pub organization_id: String,
}
