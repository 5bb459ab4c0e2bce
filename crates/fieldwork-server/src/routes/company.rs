//! `/company`, its schedule availability and booking windows.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::Utc;
use fieldwork_types::{BookingWindows, Company, ScheduleAvailability, ScheduleAvailabilityIn};

use crate::error::{ApiError, ApiResult};
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::booking::{self, BookingRequest, MAX_DAYS};
use crate::services::company;
use crate::services::jobs;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/company", get(get_company))
        .route(
            "/company/schedule_availability",
            get(get_schedule_availability).put(update_schedule_availability),
        )
        .route(
            "/company/schedule_availability/booking_windows",
            get(get_booking_windows),
        )
}

async fn get_company(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
) -> ApiResult<Json<Company>> {
    Ok(Json(
        state.store.get_company(&auth.company_id).await?.profile,
    ))
}

async fn get_schedule_availability(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
) -> ApiResult<Json<ScheduleAvailability>> {
    Ok(Json(
        state
            .store
            .get_company(&auth.company_id)
            .await?
            .availability,
    ))
}

async fn update_schedule_availability(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<ScheduleAvailabilityIn>,
) -> ApiResult<Json<ScheduleAvailability>> {
    let availability = company::availability(input)?;
    Ok(Json(
        state
            .store
            .set_schedule_availability(&auth.company_id, availability)
            .await?,
    ))
}

async fn get_booking_windows(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<BookingWindows>> {
    let show_for_days = query
        .int("show_for_days", 1, i64::from(MAX_DAYS))?
        .unwrap_or(7);
    let service_duration = query.int("service_duration", 1, 24 * 60)?;
    let start_date = match query.text("start_date") {
        None => None,
        Some(s) => {
            let date = booking::parse_start_date(s).ok_or_else(|| {
                ApiError::bad_field(
                    "start_date",
                    "must be a date like 2026-11-30 or 2026-11-30T08:00:00",
                )
            })?;
            let today = Utc::now().date_naive();
            if (date - today).num_days().abs() > booking::MAX_START_OFFSET_DAYS {
                return Err(ApiError::bad_field(
                    "start_date",
                    "must be within ten years of today",
                ));
            }
            Some(date)
        }
    };
    let only = query.array("employee_ids")?;
    let company = state.store.get_company(&auth.company_id).await?;
    let tz = company.profile.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let request = BookingRequest {
        start_date,
        show_for_days: u32::try_from(show_for_days).unwrap_or(7),
        service_duration: service_duration.and_then(|d| u32::try_from(d).ok()),
    };
    // Booked time over a span that surely covers the days shown (the first shown day can lie
    // up to a week past the start or the booking buffer).
    let now = Utc::now();
    let first = start_date.map_or(now, |d| {
        d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
    });
    let from = first - chrono::Duration::days(1);
    let to = first
        + chrono::Duration::days(
            i64::from(company.availability.availability_buffer_in_days) + 9 + show_for_days,
        );
    let busy = jobs::busy::busy_times(
        state.store.as_ref(),
        &auth.company_id,
        from.timestamp_micros(),
        to.timestamp_micros(),
        &only,
    )
    .await?;
    Ok(Json(booking::windows(
        &company.availability,
        tz,
        now,
        &request,
        &busy,
    )))
}
