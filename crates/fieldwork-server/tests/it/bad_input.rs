//! Bad input gets the right 4xx with an HCP-shaped body, and never a 5xx.

use fieldwork_test_support::{TestApp, spawn_app, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn check(app: &TestApp, method: Method, path: &str, body: Option<&Value>) {
    let r = app.call(method.clone(), path, body).await;
    assert!(
        !r.status.is_server_error(),
        "{method} {path} {body:?} -> {} {:?}",
        r.status,
        r.body
    );
    assert!(
        r.body.is_object(),
        "{method} {path}: body is not JSON: {:?}",
        r.body
    );
}

backend_tests! {
    async fn malformed_json_is_400_with_a_message() {
        let app = spawn_app().await;
        for path in [
            "/customers",
            "/tags",
            "/vendors",
            "/lead_sources",
            "/job_fields/job_types",
        ] {
            let r = app
                .call_raw(Method::POST, path, b"{\"name\": ".to_vec())
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
            assert!(
                r.body["message"]
                    .as_str()
                    .unwrap()
                    .contains("Malformed JSON"),
                "{path}: {:?}",
                r.body
            );
        }
    }

    async fn wrong_types_are_400_naming_the_field() {
        let app = spawn_app().await;
        let cases = [
            ("/customers", json!({"first_name": 5}), "first_name"),
            (
                "/customers",
                json!({"first_name": "A", "tags": "vip"}),
                "tags",
            ),
            (
                "/customers",
                json!({"first_name": "A", "notifications_enabled": "yes"}),
                "notifications_enabled",
            ),
            (
                "/customers",
                json!({"first_name": "A", "addresses": [{"street": 1}]}),
                "addresses[0].street",
            ),
            ("/tags", json!({"name": ["x"]}), "name"),
            (
                "/vendors",
                json!({"name": "V", "address": "somewhere"}),
                "address",
            ),
        ];
        for (path, body, field) in cases {
            let r = app.post(path, body.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} {body}");
            assert!(
                r.body.get(field).is_some(),
                "{path} {body}: {:?} should name {field}",
                r.body
            );
            assert!(
                r.body["message"].as_str().unwrap().starts_with(field),
                "{:?}",
                r.body
            );
        }
        for body in [
            json!([1, 2]),
            json!(["Ada", "Lovelace", "ada@example.com"]),
            json!("x"),
        ] {
            let r = app.post("/customers", body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
        }
        let r = app.post("/tags", json!(["x"])).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }

    async fn missing_required_fields_are_422_naming_the_field() {
        let app = spawn_app().await;
        let cases = [
            ("/customers", json!({}), "first_name"),
            (
                "/customers",
                json!({"first_name": "   ", "notes": "only notes"}),
                "first_name",
            ),
            (
                "/customers",
                json!({"first_name": "A", "email": "not-an-email"}),
                "email",
            ),
            (
                "/customers",
                json!({"first_name": "A", "addresses": [{"city": "X", "state": "CA", "zip": "1", "country": "US"}]}),
                "addresses[0].street",
            ),
            (
                "/customers",
                json!({"first_name": "A", "addresses": [{"street": "1 A", "state": "CA", "zip": "1", "country": "US"}]}),
                "addresses[0].city",
            ),
            ("/tags", json!({}), "name"),
            ("/lead_sources", json!({"name": ""}), "name"),
            ("/job_fields/job_types", json!({}), "name"),
            ("/vendors", json!({"contact_name": "Bo"}), "name"),
        ];
        for (path, body, field) in cases {
            let r = app.post(path, body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {body}: {:?}",
                r.body
            );
            assert!(
                r.body["errors"][field].is_array(),
                "{path} {body}: {:?}",
                r.body
            );
            assert!(r.body["message"].is_string());
        }
        let c = app.create_customer(json!({"first_name": "Al"})).await;
        let id = c["id"].as_str().unwrap();
        for field in ["street", "city", "state", "zip", "country"] {
            let mut body = json!({"street": "1 A St", "city": "B", "state": "CA", "zip": "94110", "country": "USA"});
            body.as_object_mut().unwrap().remove(field);
            let r = app.post(&format!("/customers/{id}/addresses"), body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert!(r.body["errors"][field].is_array(), "{:?}", r.body);
        }
        // An update may not leave a customer with nothing to identify it.
        let r = app
            .put(&format!("/customers/{id}"), json!({"first_name": null}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Duplicate tag names are refused.
        app.post("/tags", json!({"name": "dup"})).await;
        let r = app.post("/tags", json!({"name": "dup"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn unknown_ids_are_404_with_the_hcp_error_body() {
        let app = spawn_app().await;
        let cases = [
            (Method::GET, "/customers/cus_nope", "customer"),
            (Method::PUT, "/customers/cus_nope", "customer"),
            (
                Method::GET,
                "/customers/nope/addresses/adr_nope",
                "customer",
            ),
            (Method::PUT, "/tags/tag_nope", "tag"),
            (Method::PUT, "/lead_sources/lsr_nope", "lead source"),
            (Method::PUT, "/job_fields/job_types/jbt_nope", "job type"),
            (Method::GET, "/vendors/ven_nope", "vendor"),
            (Method::PUT, "/vendors/ven_nope", "vendor"),
            (Method::DELETE, "/vendors/ven_nope", "vendor"),
        ];
        for (method, path, what) in cases {
            let body = json!({"name": "x", "first_name": "x"});
            let r = app.call(method.clone(), path, Some(&body)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(
                r.body,
                json!({"error": {"message": format!("{what} not found")}})
            );
        }
        let r = app.get("/no/such/route").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body["error"]["message"].is_string());
        let r = app.call(Method::DELETE, "/customers", None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(r.body["message"].is_string());
    }

    async fn oversized_bodies_are_413() {
        let app = spawn_app_with(|c| c.max_body_bytes = 4096).await;
        let big = json!({"first_name": "A", "notes": "x".repeat(5000)})
            .to_string()
            .into_bytes();
        let r = app.call_raw(Method::POST, "/customers", big).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.body["message"].as_str().unwrap().contains("4096"));
        // Without a Content-Length (chunked), the limit still holds.
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST /customers HTTP/1.1\r\nHost: x\r\nAuthorization: Token {}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            app.key
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        for _ in 0..3 {
            let chunk = " ".repeat(3000);
            let _ = tcp
                .write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
                .await;
        }
        let _ = tcp.write_all(b"0\r\n\r\n").await;
        let mut response = String::new();
        let _ = tcp.read_to_string(&mut response).await;
        assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    }

    async fn bad_query_parameters_are_400() {
        let app = spawn_app().await;
        for path in [
            "/customers?sort_by=password",
            "/customers?sort_direction=sideways",
            "/customers?page=0",
            "/customers?page=abc",
            "/customers?page_size=-5",
            "/customers?expand=attachments",
            "/customers?expand[]=everything",
            "/customers?location_ids=1",
            "/tags?sort_by=email",
            "/employees?sort_by=nope",
            "/company/schedule_availability/booking_windows?show_for_days=0",
            "/company/schedule_availability/booking_windows?start_date=tomorrow",
            "/company/schedule_availability/booking_windows?service_duration=abc",
            "/company/schedule_availability/booking_windows?employee_ids=pro_1",
        ] {
            let r = app.get(path).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {:?}", r.body);
            assert!(r.body["message"].is_string(), "{path}");
        }
        // Arrays with brackets are fine.
        assert_eq!(
            app.get("/customers?location_ids[]=1&expand[]=attachments")
                .await
                .status,
            StatusCode::OK
        );
    }

    /// Throws a batch of hostile inputs at every operation; none may produce a 5xx.
    async fn no_input_produces_a_5xx() {
        let app = spawn_app().await;
        let c = app.create_customer(json!({"first_name": "Z"})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let tag = app.post("/tags", json!({"name": "t"})).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let paths = [
            "/customers".to_owned(),
            format!("/customers/{id}"),
            format!("/customers/{id}/addresses"),
            format!("/customers/{id}/addresses/adr_x"),
            "/employees".into(),
            "/company".into(),
            "/company/schedule_availability".into(),
            "/company/schedule_availability/booking_windows".into(),
            "/tags".into(),
            format!("/tags/{tag}"),
            "/lead_sources".into(),
            "/lead_sources/x".into(),
            "/job_fields/job_types".into(),
            "/job_fields/job_types/x".into(),
            "/application".into(),
            "/application/enable".into(),
            "/vendors".into(),
            "/vendors/x".into(),
            "/customers/cus_%00".into(),
            "/vendors/%00x".into(),
        ];
        let (customer, address) = app.customer_with_address("Job").await;
        let job = app
            .post("/jobs", json!({"customer_id": customer, "address_id": address,
                                  "line_items": [{"name": "x", "unit_price": 100}]}))
            .await
            .body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let line = app.get(&format!("/jobs/{job}/line_items")).await.body["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let job_paths: Vec<String> = [
            "", "/line_items", "/line_items/bulk_update", "/line_items/{line}", "/appointments",
            "/appointments/apt_x", "/schedule", "/dispatch", "/job_input_materials",
            "/job_input_materials/bulk_update", "/tags", "/tags/x", "/notes", "/notes/x",
            "/links", "/lock", "/on_my_way", "/start", "/finish", "/cancel",
        ]
        .iter()
        .map(|p| format!("/jobs/{job}{}", p.replace("{line}", &line)))
        .chain(["/jobs".to_owned(), "/jobs/lock".to_owned(), "/jobs/job_%00".to_owned()])
        .collect();
        let estimate = app
            .post("/estimates", json!({"customer_id": customer, "options": [{"name": "A",
                                       "line_items": [{"name": "x", "unit_price": 100}]}]}))
            .await
            .body;
        let (est, opt) = (estimate["id"].as_str().unwrap(), estimate["options"][0]["id"].as_str().unwrap());
        let lead = app.post("/leads", json!({"customer_id": customer})).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let work_paths: Vec<String> = [
            "", "/attachments", "/line_items", "/line_items/bulk_update", "/links", "/schedule",
            "/notes", "/notes/nte_x",
        ]
        .iter()
        .map(|p| format!("/estimates/{est}/options/{opt}{p}"))
        .chain([
            "/estimates".to_owned(), format!("/estimates/{est}"), format!("/estimates/{est}/options"),
            "/estimates/options/approve".into(), "/estimates/options/decline".into(),
            "/estimates/csr_%00/options".into(), "/leads".into(), format!("/leads/{lead}"),
            format!("/leads/{lead}/convert"), format!("/leads/{lead}/lose"),
            format!("/leads/{lead}/line_items"), "/leads/lea_%00".into(),
            "/attachments/att_x/x.png".into(),
        ])
        .collect();
        let paths: Vec<String> = paths.into_iter().chain(job_paths).chain(work_paths).collect();
        let bodies: Vec<Value> = vec![
            json!(null),
            json!("string"),
            json!(12),
            json!({"name": null, "first_name": {"a": 1}}),
            json!({"daily_schedule_windows": "x", "availability_buffer_in_days": "1"}),
            json!({"daily_schedule_windows": [{"day_name": 1}], "availability_buffer_in_days": 1e300}),
            json!({"addresses": [null], "tags": [null]}),
            json!({"name": "\u{0000}\u{ffff}", "first_name": "😀".repeat(300)}),
            json!({"customer_id": customer, "address_id": address, "invoice_number": 1e300,
                   "schedule": {"scheduled_start": "9999-12-31T23:59:59Z", "scheduled_end": "+275760-09-13T00:00:00Z"},
                   "line_items": [{"name": "x", "unit_price": 1e11, "quantity": 1e6}]}),
            json!({"line_items": [{"name": "x", "unit_price": -1e11, "quantity": 999999.999, "kind": "percent discount"}],
                   "append_line_items": "yes"}),
            json!({"start_time": "1970-01-01T00:00:00Z", "end_time": "9999-12-31T00:00:00Z",
                   "arrival_window_in_minutes": -5, "dispatched_employees": [{"employee_id": null}, null]}),
            json!({"starting_at": "0000-01-01", "ending_at": "99999-01-01", "job_input_materials": [{"quantity": 1e308}],
                   "tag_id": ["x"], "content": 5, "by": "alien", "dispatched_employees_ids": [1, 2]}),
            json!({"option_ids": [null, 1], "type": ["job"], "tax_rate": 1e308, "estimate_number": -1,
                   "tax": {"taxable": true, "tax_rate": -1}, "options": [{"name": null}, null]}),
            json!({"customer": {"addresses": [null]}, "customer_id": customer, "address": {"zip": 5},
                   "options": [{"name": "x", "tax": {"tax_rate": 1e308}, "line_items": [{"name": "y", "kind": "tip"}]}],
                   "title": "t", "url": "https://x\u{0}", "option_ids": ["est_x"]}),
        ];
        let queries = [
            "",
            "?page=99999999999999999999",
            "?page_size=1e9",
            "?q=%00%27%22",
            "?sort_by[]=x",
            "?start_date=2026-13-45",
            "?show_for_days=100000",
            "?scheduled_start_min=99999-01-01&work_status[]=%00",
            "?employee_ids[]=&customer_id=%27&sort_by=invoice_number&tag_id=x",
        ];
        for path in &paths {
            for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
                for q in queries {
                    check(&app, method.clone(), &format!("{path}{q}"), None).await;
                }
                for body in &bodies {
                    check(&app, method.clone(), path, Some(body)).await;
                }
            }
        }
    }
}
