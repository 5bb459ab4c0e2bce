//! Jobs: create, read, list filters, lifecycle, money.

use fieldwork_test_support::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::assert_id;

backend_tests! {
    async fn create_and_get_a_job() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Maya").await;
        let pro = app.create_employee("Luis").await;
        let r = app
            .post(
                "/jobs",
                json!({
                    "customer_id": customer, "address_id": address,
                    "description": "Replace water heater",
                    "schedule": {"scheduled_start": "2026-12-01T15:00:00Z",
                                 "scheduled_end": "2026-12-01T17:00:00Z", "arrival_window": 60},
                    "assigned_employee_ids": [pro],
                    "line_items": [
                        {"name": "Labor", "unit_price": 15000, "quantity": 2, "kind": "labor"},
                        {"name": "Heater", "unit_price": 89900, "quantity": 1, "kind": "materials"},
                        {"name": "Loyalty", "unit_price": 5000, "kind": "fixed discount"}
                    ],
                    "tags": ["urgent"], "lead_source": "Google", "notes": "Dog in yard"
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let job = r.body;
        assert_id(&job["id"], "job");
        assert_eq!(job["work_status"], "scheduled");
        assert_eq!(job["subtotal"], 119_900);
        assert_eq!(job["total_amount"], 114_900);
        assert_eq!(job["outstanding_balance"], 114_900);
        assert_eq!(job["schedule"]["scheduled_start"], "2026-12-01T15:00:00Z");
        assert_eq!(job["schedule"]["arrival_window"], 60);
        assert!(job["schedule"].get("appointments").is_none());
        assert_eq!(job["customer"]["id"], customer.as_str());
        assert!(job["customer"].get("addresses").is_none());
        assert_eq!(job["address"]["id"], address.as_str());
        assert_eq!(job["assigned_employees"][0]["id"], pro.as_str());
        assert_eq!(job["tags"], json!(["urgent"]));
        assert_eq!(job["notes"][0]["content"], "Dog in yard");
        assert_id(&job["notes"][0]["id"], "nte");
        assert_eq!(job["work_timestamps"], json!({"on_my_way_at": null, "started_at": null, "completed_at": null}));
        assert_eq!(job["original_estimate_id"], Value::Null);
        assert!(job["invoice_number"].as_str().unwrap().parse::<u64>().is_ok());

        let id = job["id"].as_str().unwrap();
        let got = app.get(&format!("/jobs/{id}?expand[]=appointments")).await;
        assert_eq!(got.status, StatusCode::OK);
        let appts = &got.body["schedule"]["appointments"];
        assert_eq!(appts.as_array().unwrap().len(), 1);
        assert_eq!(appts[0]["dispatched_employees_ids"], json!([pro]));
        assert_eq!(appts[0]["start_date"], "2026-12-01");

        // A second job without a schedule gets the next invoice number.
        let second = app
            .post("/jobs", json!({"customer_id": customer, "address_id": address}))
            .await
            .body;
        assert_eq!(second["work_status"], "needs scheduling");
        assert_eq!(second["schedule"]["scheduled_start"], Value::Null);
        let n1: u64 = job["invoice_number"].as_str().unwrap().parse().unwrap();
        let n2: u64 = second["invoice_number"].as_str().unwrap().parse().unwrap();
        assert_eq!(n2, n1 + 1);
    }

    async fn create_refuses_bad_references() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let (other, _) = app.customer_with_address("Ben").await;
        let cases = [
            (json!({"address_id": address}), "customer_id"),
            (json!({"customer_id": customer}), "address_id"),
            (json!({"customer_id": "cus_00000000000000000000000000000000", "address_id": address}), "customer_id"),
            (json!({"customer_id": other, "address_id": address}), "address_id"),
            (json!({"customer_id": customer, "address_id": address, "assigned_employee_ids": ["pro_x"]}), "assigned_employee_ids"),
            (json!({"customer_id": customer, "address_id": address, "line_items": [{"unit_price": 5}]}), "line_items[0].name"),
            (json!({"customer_id": customer, "address_id": address, "line_items": [{"name": "x", "unit_price": 5.5}]}), "line_items[0].unit_price"),
            (json!({"customer_id": customer, "address_id": address, "schedule": {"scheduled_start": "2026-12-01T10:00:00Z", "scheduled_end": "2026-12-01T09:00:00Z"}}), "schedule.scheduled_end"),
            (json!({"customer_id": customer, "address_id": address, "schedule": {"scheduled_start": "soon"}}), "schedule.scheduled_start"),
            (json!({"customer_id": customer, "address_id": address, "job_fields": {"job_type_id": "jbt_nope"}}), "job_fields.job_type_id"),
        ];
        for (body, field) in cases {
            let r = app.post("/jobs", body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {:?}", r.body);
            assert!(r.body["errors"].get(field).is_some(), "{body} → {:?}", r.body);
        }
        let taken = app.post("/jobs", json!({"customer_id": customer, "address_id": address, "invoice_number": 500})).await;
        assert_eq!(taken.status, StatusCode::CREATED);
        assert_eq!(taken.body["invoice_number"], "500");
        let again = app.post("/jobs", json!({"customer_id": customer, "address_id": address, "invoice_number": 500})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body["errors"].get("invoice_number").is_some());
        let next = app.post("/jobs", json!({"customer_id": customer, "address_id": address})).await;
        assert_eq!(next.body["invoice_number"], "501");
    }

    async fn list_filters() {
        let app = spawn_app().await;
        let (ana, ana_addr) = app.customer_with_address("Ana").await;
        let (ben, ben_addr) = app.customer_with_address("Ben").await;
        let luis = app.create_employee("Luis").await;
        let kim = app.create_employee("Kim").await;
        let job = |c: &str, a: &str, day: u32, pro: &str| json!({
            "customer_id": c, "address_id": a, "description": format!("day {day}"),
            "schedule": {"scheduled_start": format!("2026-12-{day:02}T15:00:00Z"),
                         "scheduled_end": format!("2026-12-{day:02}T16:00:00Z")},
            "assigned_employee_ids": [pro]
        });
        for (c, a, day, pro) in [(&ana, &ana_addr, 1, &luis), (&ana, &ana_addr, 8, &kim), (&ben, &ben_addr, 15, &luis)] {
            assert_eq!(app.post("/jobs", job(c, a, day, pro)).await.status, StatusCode::CREATED);
        }
        app.post("/jobs", json!({"customer_id": ben, "address_id": ben_addr})).await;

        let total = |q: &str| {
            let app = &app;
            let q = q.to_owned();
            async move {
                let r = app.get(&format!("/jobs?{q}")).await;
                assert_eq!(r.status, StatusCode::OK, "{q}: {:?}", r.body);
                r.body["total_items"].as_u64().unwrap()
            }
        };
        assert_eq!(total("").await, 4);
        assert_eq!(total("scheduled_start_min=2026-12-02T00:00:00Z&scheduled_start_max=2026-12-09T00:00:00Z").await, 1);
        assert_eq!(total("scheduled_end_max=2026-12-09T00:00:00Z").await, 2);
        assert_eq!(total(&format!("customer_id={ana}")).await, 2);
        assert_eq!(total(&format!("employee_ids[]={luis}")).await, 2);
        assert_eq!(total(&format!("employee_ids[]={luis}&employee_ids[]={kim}")).await, 3);
        assert_eq!(total("work_status[]=unscheduled").await, 1);
        assert_eq!(total("work_status[]=scheduled&work_status[]=unscheduled").await, 4);
        assert_eq!(total("work_status[]=completed").await, 0);

        let sorted = app.get("/jobs?sort_by=description&sort_direction=asc&page_size=2").await.body;
        assert_eq!(sorted["total_pages"], 2);
        assert_eq!(sorted["jobs"][0]["description"], Value::Null);
        assert_eq!(sorted["jobs"][1]["description"], "day 1");
        for bad in ["work_status=scheduled", "work_status[]=done", "sort_by=price", "scheduled_start_min=soon", "employee_ids=x"] {
            let r = app.get(&format!("/jobs?{bad}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {:?}", r.body);
        }
    }

    async fn lifecycle_and_tenancy() {
        let app = spawn_app().await;
        let (c, a) = app.customer_with_address("Ana").await;
        let job = app.post("/jobs", json!({"customer_id": c, "address_id": a})).await.body;
        let id = job["id"].as_str().unwrap();
        let act = |what: &str| {
            let app = &app;
            let path = format!("/jobs/{id}/{what}");
            async move { app.post(&path, json!({})).await }
        };
        let r = act("on_my_way").await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert!(r.body["work_timestamps"]["on_my_way_at"].is_string());
        let r = act("start").await;
        assert_eq!(r.body["work_status"], "in progress");
        assert_eq!(act("start").await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = act("finish").await;
        assert_eq!(r.body["work_status"], "complete unrated");
        assert!(r.body["work_timestamps"]["completed_at"].is_string());
        let r = act("cancel").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body["errors"]["work_status"][0].as_str().unwrap().contains("complete unrated"));

        let other = app.post("/jobs", json!({"customer_id": c, "address_id": a})).await.body;
        let other_id = other["id"].as_str().unwrap();
        let r = app.post(&format!("/jobs/{other_id}/cancel"), json!({"by": "customer"})).await;
        assert_eq!(r.body["work_status"], "user canceled");
        assert!(r.body["canceled_at"].is_string());

        // Another company sees none of it.
        let (_, key) = app.new_company("Other Co", fieldwork_store::Plan::Max).await;
        let r = app.call_as(&key, reqwest::Method::GET, &format!("/jobs/{id}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, json!({"error": {"message": "job not found"}}));
        let r = app.call_as(&key, reqwest::Method::GET, "/jobs", None).await;
        assert_eq!(r.body["total_items"], 0);
        assert_eq!(app.get("/jobs/job_00000000000000000000000000000000").await.status, StatusCode::NOT_FOUND);
    }
}
