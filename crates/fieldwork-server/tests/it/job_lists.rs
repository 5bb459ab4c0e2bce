//! Job lists over a span of scheduled start (read day by day on SQLite), and reference data
//! (employees, job types, company) and customers seen by the very next job request after a
//! change.

use fieldwork_test_support::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

backend_tests! {
    async fn span_lists_match_the_general_plan() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        // Starts on both sides of day boundaries, several per day, some unscheduled.
        let starts = [
            "2026-12-01T00:00:00Z", "2026-12-01T23:59:59Z", "2026-12-02T00:00:00Z",
            "2026-12-02T12:00:00Z", "2026-12-03T08:00:00Z", "2026-12-03T08:00:00Z",
            "2026-12-05T23:59:59Z", "2026-12-06T00:00:00Z", "2026-12-08T09:30:00Z",
            "2026-12-09T00:00:00Z", "2026-12-09T00:00:01Z", "2026-12-20T10:00:00Z",
        ];
        let mut ids = Vec::new();
        for (i, start) in starts.iter().enumerate() {
            let body = json!({"customer_id": customer, "address_id": address,
                              "description": format!("job {i}"),
                              "schedule": {"scheduled_start": start}});
            let r = app.post("/jobs", body).await;
            assert_eq!(r.status, StatusCode::CREATED);
            ids.push(r.body["id"].as_str().unwrap().to_owned());
        }
        app.post("/jobs", json!({"customer_id": customer, "address_id": address})).await;
        let names = |body: &Value| -> Vec<String> {
            body["jobs"].as_array().unwrap().iter()
                .map(|j| j["description"].as_str().unwrap().to_owned()).collect()
        };
        let spans = [
            ("2026-12-01T00:00:00Z", "2026-12-07T23:59:59Z"),
            ("2026-12-01T12:00:00Z", "2026-12-09T00:00:00Z"),
            ("2026-12-02T00:00:00Z", "2026-12-02T23:59:59Z"),
            ("2026-12-03T08:00:00Z", "2026-12-03T08:00:00Z"),
            ("2026-12-09T00:00:01Z", "2027-01-31T00:00:00Z"),
            ("2026-12-10T00:00:00Z", "2026-12-11T00:00:00Z"),
        ];
        let compare = || async {
            for (min, max) in spans {
                for paging in ["page_size=3", "page_size=3&page=2", "page_size=50&sort_direction=asc"] {
                    let q = format!("scheduled_start_min={min}&scheduled_start_max={max}&{paging}");
                    let fast = app.get(&format!("/jobs?{q}")).await;
                    assert_eq!(fast.status, StatusCode::OK, "{q}: {:?}", fast.body);
                    // Every dated job is scheduled: this filter changes nothing but the plan.
                    let general = app.get(&format!("/jobs?{q}&work_status[]=scheduled")).await;
                    assert_eq!(names(&fast.body), names(&general.body), "{q}");
                    assert_eq!(fast.body["total_items"], general.body["total_items"], "{q}");
                    assert_eq!(fast.body["total_pages"], general.body["total_pages"], "{q}");
                }
            }
        };
        compare().await;
        let week = "/jobs?scheduled_start_min=2026-12-01T00:00:00Z&scheduled_start_max=2026-12-07T23:59:59Z";
        let listed = app.get(week).await;
        assert_eq!(listed.body["total_items"], 8);
        assert_eq!(names(&listed.body)[0], "job 7");

        // The per-day counts follow a job moved to another day, one moved within its day and
        // one unscheduled.
        let schedule = |id: String, start: &'static str, end: &'static str| {
            let app = &app;
            async move {
                let body = json!({"start_time": start, "end_time": end});
                app.put(&format!("/jobs/{id}/schedule"), body).await
            }
        };
        let moved = schedule(ids[3].clone(), "2026-12-20T09:00:00Z", "2026-12-20T10:00:00Z").await;
        assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
        let within = schedule(ids[4].clone(), "2026-12-03T17:00:00Z", "2026-12-03T18:00:00Z").await;
        assert_eq!(within.status, StatusCode::OK, "{:?}", within.body);
        let r = app.delete(&format!("/jobs/{}/schedule", ids[0])).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        compare().await;
        assert_eq!(app.get(week).await.body["total_items"], 6);
    }

    async fn totals_hold_while_jobs_move_between_days_concurrently() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let (day1, day2) = ("2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z");
        let mut ids = Vec::new();
        for i in 0..17 {
            let start = if i % 2 == 0 { day1 } else { day2 };
            let body = json!({"customer_id": customer, "address_id": address,
                              "schedule": {"scheduled_start": start}});
            let r = app.post("/jobs", body).await;
            assert_eq!(r.status, StatusCode::CREATED);
            ids.push(r.body["id"].as_str().unwrap().to_owned());
        }
        // Jobs 0 and 16 (PostgreSQL counts both on the same one of a day's 16 rows) swap days
        // back and forth at the same time, and so do jobs 1 and 2.
        let mover = |id: String, first: &'static str, second: &'static str| {
            let app = &app;
            async move {
                for round in 0..12 {
                    let start = if round % 2 == 0 { second } else { first };
                    let end = start.replace("10:00", "11:00");
                    let r = app
                        .put(&format!("/jobs/{id}/schedule"),
                             json!({"start_time": start, "end_time": end}))
                        .await;
                    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
                }
            }
        };
        tokio::join!(
            mover(ids[0].clone(), day1, day2),
            mover(ids[16].clone(), day2, day1),
            mover(ids[1].clone(), day2, day1),
            mover(ids[2].clone(), day1, day2),
        );
        for (min, max) in [
            ("2026-12-01T00:00:00Z", "2026-12-01T23:59:59Z"),
            ("2026-12-02T00:00:00Z", "2026-12-02T23:59:59Z"),
            ("2026-12-01T00:00:00Z", "2026-12-07T23:59:59Z"),
        ] {
            let q = format!("/jobs?scheduled_start_min={min}&scheduled_start_max={max}");
            let fast = app.get(&q).await.body["total_items"].clone();
            let general = app.get(&format!("{q}&work_status[]=scheduled")).await.body["total_items"].clone();
            assert_eq!(fast, general, "{q}");
        }
        let week = app
            .get("/jobs?scheduled_start_min=2026-12-01T00:00:00Z&scheduled_start_max=2026-12-07T23:59:59Z")
            .await;
        assert_eq!(week.body["total_items"], 17);
    }

    /// First pages of a whole table by creation or change (read straight from the index on
    /// PostgreSQL) list what the general plan lists.
    async fn first_pages_match_the_general_plan() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let mut ids = Vec::new();
        for i in 0..7 {
            let body = json!({"customer_id": customer, "address_id": address,
                              "description": format!("job {i}")});
            let r = app.post("/jobs", body).await;
            assert_eq!(r.status, StatusCode::CREATED);
            ids.push(r.body["id"].as_str().unwrap().to_owned());
        }
        // Changed out of creation order.
        for i in [4, 1, 5] {
            let r = app.post(&format!("/jobs/{}/notes", ids[i]), json!({"content": "called"})).await;
            assert!(r.status.is_success(), "{:?}", r.body);
        }
        let names = |body: &Value| -> Vec<String> {
            body["jobs"].as_array().unwrap().iter()
                .map(|j| j["description"].as_str().unwrap().to_owned()).collect()
        };
        for sort in ["created_at", "updated_at"] {
            for dir in ["asc", "desc"] {
                let q = format!("sort_by={sort}&sort_direction={dir}&page_size=3");
                let first = app.get(&format!("/jobs?{q}")).await;
                assert_eq!(first.status, StatusCode::OK, "{q}: {:?}", first.body);
                // Every job is Ana's: this filter changes nothing but the plan.
                let general = app.get(&format!("/jobs?{q}&customer_id={customer}")).await;
                assert_eq!(names(&first.body), names(&general.body), "{q}");
                assert_eq!(first.body["total_items"], 7, "{q}");
            }
        }
        let changed = app.get("/jobs?sort_by=updated_at&sort_direction=desc&page_size=3").await;
        assert_eq!(names(&changed.body), ["job 5", "job 1", "job 4"]);
    }

    async fn reference_changes_show_on_the_next_job_request() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let luis = app.create_employee("Luis").await;
        let job_type = app.post("/job_fields/job_types", json!({"name": "Drain"})).await;
        let job_type = job_type.body["id"].as_str().unwrap().to_owned();
        let created = app
            .post("/jobs", json!({"customer_id": customer, "address_id": address,
                                  "assigned_employee_ids": [luis],
                                  "job_fields": {"job_type_id": job_type}}))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();

        // A job type renamed and an employee added after the company's data was read.
        app.put(&format!("/job_fields/job_types/{job_type}"), json!({"name": "Sewer"})).await;
        let got = app.get(&format!("/jobs/{id}")).await;
        assert_eq!(got.body["job_fields"]["job_type"]["name"], "Sewer");
        let kim = app.create_employee("Kim").await;
        let second = app
            .post("/jobs", json!({"customer_id": customer, "address_id": address,
                                  "assigned_employee_ids": [kim]}))
            .await;
        assert_eq!(second.status, StatusCode::CREATED, "{:?}", second.body);
        assert_eq!(second.body["assigned_employees"][0]["id"], kim.as_str());
        let listed = app.get("/jobs?page_size=5").await;
        assert_eq!(listed.body["jobs"][0]["assigned_employees"][0]["first_name"], "Kim");
    }

    /// Job and estimate lists read their filters' local times in the company's time zone as
    /// it is now: a list builds its query from the reference data it cached, and reads it
    /// again when the page's epochs show the zone changed.
    async fn a_time_zone_change_applies_to_the_next_job_list() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let created = app
            .post("/jobs", json!({"customer_id": customer, "address_id": address}))
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        let (start, end) = ("2026-12-01T15:00:00Z", "2026-12-01T16:00:00Z");
        let scheduled = app
            .put(&format!("/jobs/{id}/schedule"), json!({"start_time": start, "end_time": end}))
            .await;
        assert_eq!(scheduled.status, StatusCode::OK, "{:?}", scheduled.body);
        let estimate = app
            .post("/estimates", json!({"customer_id": customer,
                                       "schedule": {"start_time": start, "end_time": end}}))
            .await;
        assert_eq!(estimate.status, StatusCode::OK, "{:?}", estimate.body);
        let zone = |tz: &str| {
            let (store, company_id, tz) = (app.store.clone(), app.company_id.clone(), tz.to_owned());
            async move {
                let mut profile = store.get_company(&company_id).await.unwrap().profile;
                profile.time_zone = tz;
                store.set_company_profile(&company_id, profile).await.unwrap();
            }
        };
        // How many jobs and estimates start in [from, to].
        let found = |from: &str, to: &str| {
            let filter = format!("scheduled_start_min={from}&scheduled_start_max={to}");
            let app = &app;
            async move {
                let jobs = app.get(&format!("/jobs?{filter}")).await;
                let estimates = app.get(&format!("/estimates?{filter}")).await;
                (jobs.body["total_items"].clone(), estimates.body["total_items"].clone())
            }
        };
        zone("UTC").await;
        assert_eq!(found("2026-12-01T14:30:00", "2026-12-01T15:30:00").await, (json!(1), json!(1)));
        zone("America/New_York").await;
        assert_eq!(found("2026-12-01T14:30:00", "2026-12-01T15:30:00").await, (json!(0), json!(0)));
        assert_eq!(found("2026-12-01T09:30:00", "2026-12-01T10:30:00").await, (json!(1), json!(1)));
        // Times with an offset do not depend on the zone.
        assert_eq!(found("2026-12-01T14:30:00Z", "2026-12-01T15:30:00Z").await, (json!(1), json!(1)));
    }

    /// Servers keep the customers they embed while the company's customers epoch stays put; a
    /// changed name, a new address and a new customer show at once.
    async fn customer_changes_show_on_the_next_job_request() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let job = |address: &str| json!({"customer_id": customer, "address_id": address});
        let created = app.post("/jobs", job(&address)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        let estimate = app.post("/estimates", json!({"customer_id": customer})).await;
        assert_eq!(estimate.status, StatusCode::OK, "{:?}", estimate.body);
        let first = |path: &str, key: &str| {
            let path = path.to_owned();
            let key = key.to_owned();
            let app = &app;
            async move { app.get(&path).await.body[key.as_str()][0].clone() }
        };
        assert_eq!(first("/jobs", "jobs").await["customer"]["first_name"], "Ana");
        assert_eq!(first("/estimates", "estimates").await["customer"]["first_name"], "Ana");

        let renamed = app
            .put(&format!("/customers/{customer}"), json!({"first_name": "Anna"}))
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
        assert_eq!(first("/jobs", "jobs").await["customer"]["first_name"], "Anna");
        assert_eq!(app.get(&format!("/jobs/{id}")).await.body["customer"]["first_name"], "Anna");
        assert_eq!(first("/estimates", "estimates").await["customer"]["first_name"], "Anna");

        let added = app
            .post(&format!("/customers/{customer}/addresses"),
                  json!({"street": "9 Pier Rd", "city": "Alameda", "state": "CA",
                         "zip": "94501", "country": "USA"}))
            .await;
        assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
        let second = added.body["id"].as_str().unwrap().to_owned();
        let moved = app.post("/jobs", job(&second)).await;
        assert_eq!(moved.status, StatusCode::CREATED, "{:?}", moved.body);
        let listed = first("/jobs?sort_direction=desc", "jobs").await;
        assert_eq!(listed["address"]["street"], "9 Pier Rd");

        let (bea, bea_address) = app.customer_with_address("Bea").await;
        let created = app
            .post("/jobs", json!({"customer_id": bea, "address_id": bea_address}))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let listed = first("/jobs?sort_direction=desc", "jobs").await;
        assert_eq!(listed["customer"]["first_name"], "Bea");
    }
}
