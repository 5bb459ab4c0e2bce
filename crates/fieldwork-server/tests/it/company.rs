//! Company, schedule availability, booking windows, application.

use chrono::{Datelike, Duration, Utc, Weekday};
use fieldwork_test_support::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

backend_tests! {
    async fn company_profile() {
        let app = spawn_app().await;
        let r = app.get("/company").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["id"], app.company_id.as_str());
        assert_eq!(r.body["name"], "Test Co");
        assert_eq!(r.body["time_zone"], "America/New_York");
        assert_eq!(r.body["locations"], json!([]));
        assert!(r.body["service_areas_data"]["zip_codes"].is_array());
        // A plain UUID, as HCP's company ids.
        assert_eq!(app.company_id.len(), 36);
    }

    async fn schedule_availability_round_trip_and_validation() {
        let app = spawn_app().await;
        let r = app.get("/company/schedule_availability").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.body["daily_availabilities"]["data"]
                .as_array()
                .unwrap()
                .len(),
            5
        );

        let body = json!({
            "availability_buffer_in_days": 0,
            "daily_schedule_windows": [
                {"day_name": "saturday", "schedule_windows": [{"start_time": "09:00", "end_time": "11:00"}]},
                {"day_name": "Monday", "schedule_windows": [{"start_time": "13:00:00", "end_time": "17:00"}, {"start_time": "08:00", "end_time": "12:00"}]}
            ]
        });
        let r = app.put("/company/schedule_availability", body).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let expected = json!({
            "availability_buffer_in_days": 0,
            "daily_availabilities": {"data": [
                {"day_name": "monday", "schedule_windows": [{"start_time": "08:00", "end_time": "12:00"}, {"start_time": "13:00", "end_time": "17:00"}]},
                {"day_name": "saturday", "schedule_windows": [{"start_time": "09:00", "end_time": "11:00"}]}
            ]}
        });
        assert_eq!(r.body, expected);
        assert_eq!(
            app.get("/company/schedule_availability").await.body,
            expected
        );

        let r = app
            .put(
                "/company/schedule_availability",
                json!({"availability_buffer_in_days": 1, "daily_schedule_windows": [{"day_name": "monday", "schedule_windows": [{"start_time": "9", "end_time": "10:00"}]}]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body["daily_schedule_windows[0].schedule_windows[0].start_time"].is_string(),
            "{:?}",
            r.body
        );
        // A refused update changes nothing.
        assert_eq!(
            app.get("/company/schedule_availability").await.body,
            expected
        );
    }

    async fn booking_windows_follow_the_availability() {
        let app = spawn_app().await;
        app.put(
            "/company/schedule_availability",
            json!({"availability_buffer_in_days": 0, "daily_schedule_windows": [
                {"day_name": "saturday", "schedule_windows": [{"start_time": "09:00", "end_time": "11:00"}]}
            ]}),
        )
        .await;
        // The Monday at least a week from now: the next 7 days hold exactly one Saturday.
        let mut monday = Utc::now().date_naive() + Duration::days(7);
        while monday.weekday() != Weekday::Mon {
            monday += Duration::days(1);
        }
        let saturday = monday + Duration::days(5);
        let path = format!(
            "/company/schedule_availability/booking_windows?start_date={monday}&show_for_days=7&service_duration=60"
        );
        let r = app.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["show_for_days"], 7);
        assert_eq!(r.body["start_date"], monday.to_string());
        let windows = r.body["booking_windows"].as_array().unwrap();
        assert_eq!(windows.len(), 2, "{windows:?}");
        // 09:00 and 10:00 in New York are 14:00/15:00 UTC in winter and 13:00/14:00 in summer.
        let start = windows[0]["start_time"].as_str().unwrap();
        assert!(start.starts_with(&saturday.to_string()), "{start}");
        assert!(start.ends_with(":00:00Z"), "{start}");
        assert!(windows.iter().all(|w| w["available"] == true));
        // Without a duration, slots are 30 minutes (HCP's default).
        let r = app
            .get(&format!(
                "/company/schedule_availability/booking_windows?start_date={monday}"
            ))
            .await;
        assert_eq!(r.body["booking_windows"].as_array().unwrap().len(), 4);
        // Without a start date, the list starts at the next day with a window: a Saturday.
        let r = app
            .get("/company/schedule_availability/booking_windows")
            .await;
        let start =
            chrono::NaiveDate::parse_from_str(r.body["start_date"].as_str().unwrap(), "%Y-%m-%d")
                .unwrap();
        assert_eq!(start.weekday(), Weekday::Sat, "{:?}", r.body);
        // Dates too far away are refused rather than producing 5-digit years.
        let r = app
            .get("/company/schedule_availability/booking_windows?start_date=9999-12-31")
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }

    async fn booked_time_is_not_offered() {
        let app = spawn_app().await;
        app.put(
            "/company/schedule_availability",
            json!({"availability_buffer_in_days": 0, "daily_schedule_windows": [
                {"day_name": "saturday", "schedule_windows": [{"start_time": "09:00", "end_time": "11:00"}]}
            ]}),
        )
        .await;
        let mut saturday = Utc::now().date_naive() + Duration::days(7);
        while saturday.weekday() != Weekday::Sat {
            saturday += Duration::days(1);
        }
        let path = format!(
            "/company/schedule_availability/booking_windows?start_date={saturday}&show_for_days=1&service_duration=60"
        );
        let luis = app.create_employee("Luis").await;
        let kim = app.create_employee("Kim").await;
        let (c, a) = app.customer_with_address("Ana").await;
        // 09:00-10:00 company time (naive times are local to the company's zone).
        let book = |pros: Vec<&String>| {
            json!({"customer_id": c, "address_id": a, "assigned_employee_ids": pros,
                   "schedule": {"scheduled_start": format!("{saturday}T09:00:00"),
                                "scheduled_end": format!("{saturday}T10:00:00")}})
        };
        let available = |body: &Value| -> Vec<bool> {
            body["booking_windows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w["available"].as_bool().unwrap())
                .collect()
        };
        assert_eq!(app.post("/jobs", book(vec![&luis])).await.status, StatusCode::CREATED);
        // Kim is still free at 09:00.
        assert_eq!(available(&app.get(&path).await.body), vec![true, true]);
        let r = app.post("/jobs", book(vec![&kim])).await;
        assert_eq!(available(&app.get(&path).await.body), vec![false, true]);
        // Asking for Luis only; and once Kim's job is canceled, 09:00 is open again.
        let only_luis = format!("{path}&employee_ids[]={luis}");
        assert_eq!(available(&app.get(&only_luis).await.body), vec![false, true]);
        let kim_job = r.body["id"].as_str().unwrap();
        app.post(&format!("/jobs/{kim_job}/cancel"), json!({})).await;
        assert_eq!(available(&app.get(&path).await.body), vec![true, true]);
    }

    async fn application_enable_and_disable() {
        let app = spawn_app().await;
        let r = app.get("/application").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["state"], "enabled");
        assert_eq!(r.body["organization_id"], app.company_id.as_str());
        assert!(r.body["name"].is_string());
        let r = app.call(Method::POST, "/application/disable", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["state"], "disabled");
        assert_eq!(app.get("/application").await.body["state"], "disabled");
        let r = app.call(Method::POST, "/application/enable", None).await;
        assert_eq!(r.body["state"], "enabled");
    }
}
