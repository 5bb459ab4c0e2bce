//! Calendar events: Fieldwork's writes, HCP's reads, list paging and sorting, bad input.

use fieldwork_test_support::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_id;

backend_tests! {
    async fn create_read_update_delete() {
        let app = spawn_app().await;
        let luis = app.create_employee("Luis").await;
        let kim = app.create_employee("Kim").await;
        let r = app.post("/events", json!({
            "name": "Truck 2 brake service", "note": "Front brakes squeal",
            "tags": ["fleet"], "recurrence_rule": "FREQ=MONTHLY;BYMONTHDAY=1",
            "address": {"street": "1450 Industrial Way", "city": "San Francisco", "state": "CA", "zip": "94124"},
            "assigned_employee_ids": [luis, kim, luis],
            "schedule": {"start_time": "2026-12-01T08:00:00", "end_time": "2026-12-01T10:30:00",
                         "time_zone": "America/Los_Angeles"}
        })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let e = r.body;
        assert_id(&e["id"], "evt");
        assert_eq!(e["name"], "Truck 2 brake service");
        assert_eq!(e["note"], "Front brakes squeal");
        assert_eq!(e["tags"], json!(["fleet"]));
        assert_eq!(e["recurrence_rule"], "FREQ=MONTHLY;BYMONTHDAY=1");
        assert_eq!(e["address"], json!({"street": "1450 Industrial Way", "street_line_2": null,
            "city": "San Francisco", "state": "CA", "zip": "94124"}));
        let pros: Vec<&str> = e["assigned_employees"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(pros, vec![luis.as_str(), kim.as_str()]);
        // Naive times are local to the event's zone (PST is UTC-8).
        assert_eq!(e["schedule"], json!({"start_time": "2026-12-01T16:00:00Z",
            "end_time": "2026-12-01T18:30:00Z", "time_zone": "America/Los_Angeles"}));
        assert_eq!(e["all_day"], false);
        assert_eq!(e["company_name"], "Test Co");
        assert_eq!(e["company_id"], app.company_id.as_str());
        assert!(e["created_at"].is_string() && e["updated_at"].is_string());

        let id = e["id"].as_str().unwrap();
        let got = app.get(&format!("/events/{id}")).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body, e);

        // A partial update keeps what it does not name; null clears.
        let r = app.put(&format!("/events/{id}"), json!({
            "name": "Truck 2 brake and rotor service", "note": null, "address": null,
            "assigned_employee_ids": [kim],
            "schedule": {"end_time": "2026-12-01T12:00:00-08:00"}
        })).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["name"], "Truck 2 brake and rotor service");
        assert_eq!(r.body["note"], Value::Null);
        assert_eq!(r.body["address"], Value::Null);
        assert_eq!(r.body["tags"], json!(["fleet"]));
        assert_eq!(r.body["assigned_employees"][0]["id"], kim.as_str());
        assert_eq!(r.body["schedule"]["start_time"], "2026-12-01T16:00:00Z");
        assert_eq!(r.body["schedule"]["end_time"], "2026-12-01T20:00:00Z");

        let r = app.delete(&format!("/events/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, json!({"id": id, "deleted": true}));
        let r = app.get(&format!("/events/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, json!({"error": {"message": "event not found"}}));
        assert_eq!(app.delete(&format!("/events/{id}")).await.status, StatusCode::NOT_FOUND);
    }

    async fn all_day_events_span_whole_local_days() {
        let app = spawn_app().await;
        // The test company is in America/New_York (EST, UTC-5, in December).
        let r = app.post("/events", json!({
            "name": "Holiday party", "all_day": true,
            "schedule": {"start_time": "2026-12-18", "end_time": "2026-12-19"}
        })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["all_day"], true);
        assert_eq!(r.body["schedule"], json!({"start_time": "2026-12-18T05:00:00Z",
            "end_time": "2026-12-20T05:00:00Z", "time_zone": "America/New_York"}));
        let r = app.post("/events", json!({
            "name": "Office closed", "all_day": true, "schedule": {"start_time": "2026-12-24T15:00:00Z"}
        })).await;
        assert_eq!(r.body["schedule"]["start_time"], "2026-12-24T05:00:00Z");
        assert_eq!(r.body["schedule"]["end_time"], "2026-12-25T05:00:00Z");
    }

    async fn list_pages_and_sorts() {
        let app = spawn_app().await;
        for (name, day) in [("Beta", 3), ("Alpha", 9), ("Gamma", 1)] {
            let r = app.post("/events", json!({"name": name, "schedule": {
                "start_time": format!("2026-12-{day:02}T09:00:00Z"),
                "end_time": format!("2026-12-{day:02}T10:00:00Z")}})).await;
            assert_eq!(r.status, StatusCode::CREATED);
        }
        let names = |q: &str| {
            let app = &app;
            let q = q.to_owned();
            async move {
                let r = app.get(&format!("/events?{q}")).await;
                assert_eq!(r.status, StatusCode::OK, "{q}: {:?}", r.body);
                r.body["events"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
            }
        };
        assert_eq!(names("").await, vec!["Gamma", "Alpha", "Beta"]);
        assert_eq!(names("sort_by=name&sort_direction=asc").await, vec!["Alpha", "Beta", "Gamma"]);
        assert_eq!(names("sort_by=city&sort_direction=asc").await, vec!["Gamma", "Beta", "Alpha"]);
        let page = app.get("/events?page=2&page_size=2&sort_by=created_at&sort_direction=asc").await.body;
        assert_eq!((page["page"].as_u64(), page["total_pages"].as_u64(), page["total_items"].as_u64()), (Some(2), Some(2), Some(3)));
        assert_eq!(page["events"][0]["name"], "Gamma");
        for bad in ["sort_by=start", "sort_direction=up", "page=0", "location_ids=x"] {
            assert_eq!(app.get(&format!("/events?{bad}")).await.status, StatusCode::BAD_REQUEST, "{bad}");
        }
        assert_eq!(app.get("/events?location_ids[]=x").await.status, StatusCode::OK);
    }

    async fn bad_input_and_tenancy() {
        let app = spawn_app().await;
        let ok = json!({"name": "Meeting", "schedule": {"start_time": "2026-12-01T09:00:00Z", "end_time": "2026-12-01T10:00:00Z"}});
        let with = |patch: Value| {
            let mut body = ok.clone();
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        let cases = [
            (json!({"schedule": ok["schedule"]}), "name"),
            (with(json!({"name": "  "})), "name"),
            (with(json!({"schedule": {"end_time": "2026-12-01T10:00:00Z"}})), "schedule.start_time"),
            (with(json!({"schedule": {"start_time": "2026-12-01T10:00:00Z"}})), "schedule.end_time"),
            (with(json!({"schedule": {"start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T09:00:00Z"}})), "schedule.end_time"),
            (with(json!({"schedule": {"start_time": "2026-01-01T10:00:00Z", "end_time": "2027-06-01T09:00:00Z"}})), "schedule.end_time"),
            (with(json!({"schedule": {"start_time": "soon", "end_time": "later"}})), "schedule.start_time"),
            (with(json!({"schedule": {"start_time": "2026-12-01T09:00:00", "end_time": "2026-12-01T10:00:00", "time_zone": "Mars/Olympus"}})), "schedule.time_zone"),
            (with(json!({"recurrence_rule": "every tuesday"})), "recurrence_rule"),
            (with(json!({"assigned_employee_ids": ["pro_00000000000000000000000000000000"]})), "assigned_employee_ids"),
            (with(json!({"address": {"city": "x".repeat(300)}})), "address.city"),
        ];
        for (body, field) in cases {
            let r = app.post("/events", body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {:?}", r.body);
            assert!(r.body["errors"].get(field).is_some(), "{body} → {:?}", r.body);
        }
        for body in [with(json!({"name": 5})), with(json!({"all_day": "yes"})), with(json!({"tags": "fleet"})), with(json!({"schedule": "tomorrow"}))] {
            let r = app.post("/events", body.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body} → {:?}", r.body);
        }
        assert_eq!(app.call_raw(Method::POST, "/events", b"{\"name\":".to_vec()).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.call_raw(Method::POST, "/events", b"[]".to_vec()).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.get("/events").await.body["total_items"], 0);

        let created = app.post("/events", ok.clone()).await.body;
        let id = created["id"].as_str().unwrap();
        let r = app.put(&format!("/events/{id}"), json!({"schedule": {"end_time": "2026-11-30T00:00:00Z"}})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.get(&format!("/events/{id}")).await.body, created);
        let r = app.put("/events/evt_00000000000000000000000000000000", json!({"name": "x"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let (_, other) = app.new_company("Other Co", fieldwork_store::Plan::Max).await;
        for (method, body) in [(Method::GET, None), (Method::PUT, Some(json!({"name": "mine"}))), (Method::DELETE, None)] {
            let r = app.call_as(&other, method.clone(), &format!("/events/{id}"), body.as_ref()).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}");
        }
        assert_eq!(app.call_as(&other, Method::GET, "/events", None).await.body["total_items"], 0);
        assert_eq!(app.get(&format!("/events/{id}")).await.body["name"], "Meeting");
    }
}
