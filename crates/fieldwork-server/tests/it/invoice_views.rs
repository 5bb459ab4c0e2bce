//! Invoices as clients read them: list filters and sorting, the HTML preview, the CLI,
//! tenancy and bad input.

use fieldwork_test_support::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_id;
use crate::invoices::{finished_job, pay};
use crate::run_cli as cli;

const BIN: &str = env!("CARGO_BIN_EXE_fieldwork");

backend_tests! {
    async fn list_filters_and_sorting() {
        let app = spawn_app().await;
        let (_, a) = finished_job(&app, "Ana").await;
        let (_, b) = finished_job(&app, "Ben").await;
        let (_, c) = finished_job(&app, "Cy").await;
        let (a_id, b_id, c_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap(), c["id"].as_str().unwrap());
        pay(&app, a_id, json!({"amount": 114_900, "payment_method": "credit_card", "paid_at": "2026-01-10T12:00:00Z"})).await;
        pay(&app, b_id, json!({"amount": 100_000, "payment_method": "ach"})).await;
        let customer_of = |inv: &str| {
            let app = &app;
            let inv = inv.to_owned();
            async move {
                let job_id = app.get(&format!("/api/invoices/{inv}")).await.body["job_id"].as_str().unwrap().to_owned();
                app.get(&format!("/jobs/{job_id}")).await.body["customer"]["id"].as_str().unwrap().to_owned()
            }
        };
        let ben = customer_of(b_id).await;

        let ids = |q: &str| {
            let app = &app;
            let q = q.to_owned();
            async move {
                let r = app.get(&format!("/invoices?{q}")).await;
                assert_eq!(r.status, StatusCode::OK, "{q}: {:?}", r.body);
                let mut ids: Vec<String> = r.body["invoices"].as_array().unwrap().iter()
                    .map(|i| i["id"].as_str().unwrap().to_owned()).collect();
                ids.sort();
                ids
            }
        };
        let sorted = |v: &[&str]| { let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect(); v.sort(); v };
        assert_eq!(ids("").await, sorted(&[a_id, b_id, c_id]));
        assert_eq!(ids("status[]=paid").await, sorted(&[a_id]));
        assert_eq!(ids("status[]=open&status[]=voided").await, sorted(&[b_id, c_id]));
        assert_eq!(ids(&format!("customer_uuid[]={ben}")).await, sorted(&[b_id]));
        assert_eq!(ids("amount_due_min=1&amount_due_max=20000").await, sorted(&[b_id]));
        assert_eq!(ids("amount_due_min=114900").await, sorted(&[c_id]));
        assert_eq!(ids("payment_method[]=ach").await, sorted(&[b_id]));
        assert_eq!(ids("payment_method[]=ach&payment_method[]=credit_card").await, sorted(&[a_id, b_id]));
        assert_eq!(ids("paid_at_min=2026-01-01T00:00:00Z&paid_at_max=2026-02-01").await, sorted(&[a_id]));
        assert_eq!(ids("created_at_min=2000-01-01T00:00:00Z").await.len(), 3);
        assert_eq!(ids("created_at_max=2000-01-01T00:00:00Z").await.len(), 0);
        assert_eq!(ids("due_at_max=2000-01-01T00:00:00Z").await.len(), 0);

        let by = |q: &str| {
            let app = &app;
            let q = q.to_owned();
            async move {
                app.get(&format!("/invoices?{q}")).await.body["invoices"].as_array().unwrap().iter()
                    .map(|i| i["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
            }
        };
        assert_eq!(by("sort_by=due_amount&sort_direction=asc").await, vec![a_id, b_id, c_id]);
        assert_eq!(by("sort_by=invoice_number&sort_direction=asc").await, vec![a_id, b_id, c_id]);
        assert_eq!(by("sort_by=status&sort_direction=desc").await[0], a_id);
        for s in ["amount", "due_at", "paid_at", "sent_at", "updated_at", "created_at"] {
            assert_eq!(by(&format!("sort_by={s}")).await.len(), 3, "{s}");
        }
        let page = app.get("/invoices?page=2&page_size=2").await.body;
        assert_eq!((page["total_items"].as_u64(), page["total_pages"].as_u64()), (Some(3), Some(2)));
        assert_eq!(page["invoices"].as_array().unwrap().len(), 1);

        // HCP answers a plain `status=` on this list with 422.
        for plain in ["status=open", "customer_uuid=cus_x", "payment_method=ach"] {
            let r = app.get(&format!("/invoices?{plain}")).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{plain}: {:?}", r.body);
        }
        for bad in ["status[]=late", "payment_method[]=cash", "sort_by=total", "due_at_min=soon", "amount_due_min=1.5", "page=0"] {
            let r = app.get(&format!("/invoices?{bad}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {:?}", r.body);
        }
    }

    async fn preview_is_a_printable_escaped_page() {
        let app = spawn_app().await;
        let c = app.create_customer(json!({
            "first_name": "<script>alert(1)</script>", "last_name": "O'Hara & Sons",
            "email": "hara@example.com",
            "addresses": [{"street": "9 <b>Bold</b> St", "city": "Oakland", "state": "CA", "zip": "94607", "country": "USA"}]
        })).await;
        let job = app.post("/jobs", json!({
            "customer_id": c["id"], "address_id": c["addresses"][0]["id"],
            "line_items": [{"name": "Pipe <img src=x onerror=alert(2)>", "unit_price": 123456, "quantity": 1.5}]
        })).await.body;
        let job_id = job["id"].as_str().unwrap();
        app.post(&format!("/jobs/{job_id}/finish"), json!({})).await;
        let invoice = &app.get(&format!("/jobs/{job_id}/invoices")).await.body["invoices"][0];
        let id = invoice["id"].as_str().unwrap();
        pay(&app, id, json!({"amount": 50_000, "payment_method": "credit_card"})).await;

        let resp = app.client.get(format!("{}/api/invoices/{id}/preview", app.base_url))
            .header("Authorization", format!("Token {}", app.key)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = resp.text().await.unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{html}");
        assert!(html.contains("O&#39;Hara &#38; Sons"), "{html}");
        assert!(html.contains("Test Co"));
        assert!(html.contains(&format!("Invoice #{}", job["invoice_number"].as_str().unwrap())));
        // 1.5 × $1,234.56 = $1,851.84; paid $500.00; due $1,351.84.
        for text in ["$1,234.56", "$1,851.84", "-$500.00", "$1,351.84", "Amount due", "credit card", "Oakland, CA 94607"] {
            assert!(html.contains(text), "{text} missing: {html}");
        }
    }

    async fn cli_creates_and_pays_invoices() {
        let app = spawn_app().await;
        let (job, first) = finished_job(&app, "Cli").await;
        let job_id = job["id"].as_str().unwrap();
        let out = cli(&app, &["invoices", "create", "--job", job_id, "--due-in-days", "30"]).await;
        let id = out.split_whitespace().last().unwrap().to_owned();
        assert_id(&json!(id), "inv");
        let second = app.get(&format!("/api/invoices/{id}")).await.body;
        let number = job["invoice_number"].as_str().unwrap();
        assert_eq!(second["invoice_number"], format!("{number}-2"));
        assert_eq!(second["amount"], first["amount"]);
        assert_eq!(second["due_concept"], "net_30");
        assert_eq!(second["display_due_concept"], "Net 30");
        let listed = app.get(&format!("/jobs/{job_id}/invoices")).await.body;
        let numbers: Vec<&str> = listed["invoices"].as_array().unwrap().iter().map(|i| i["invoice_number"].as_str().unwrap()).collect();
        assert_eq!(numbers, vec![number.to_owned(), format!("{number}-2")]);

        let company = app.company_id.clone();
        let out = cli(&app, &["invoices", "pay", &id, "--amount", "14900", "--method", "external", "--company", &company]).await;
        assert!(out.contains("open") && out.contains("100000"), "{out}");
        assert_eq!(app.get(&format!("/api/invoices/{id}")).await.body["due_amount"], 100_000);
        assert_eq!(app.get(&format!("/jobs/{job_id}")).await.body["outstanding_balance"], 100_000);
        // Both invoices bill the whole job: together they never collect more than it is owed.
        let first_id = first["id"].as_str().unwrap();
        let r = pay(&app, first_id, json!({"amount": 100_001, "payment_method": "ach"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.body["errors"]["amount"][0].as_str().unwrap().contains("outstanding"), "{:?}", r.body);
        let out = cli(&app, &["invoices", "void", first_id]).await;
        assert!(out.contains("voided"), "{out}");

        // Errors are messages, not panics.
        for args in [
            vec!["invoices", "create", "--job", "job_00000000000000000000000000000000"],
            vec!["invoices", "pay", &id, "--amount", "999999999", "--method", "ach"],
            vec!["invoices", "pay", &id, "--amount", "5", "--method", "cash"],
        ] {
            let out = tokio::process::Command::new(BIN)
                .args(["--database", &app.database_url]).args(&args).output().await.unwrap();
            assert!(!out.status.success(), "{args:?}");
            assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{args:?}");
        }
    }

    async fn tenancy_and_bad_input() {
        let app = spawn_app().await;
        let (job, invoice) = finished_job(&app, "Tess").await;
        let id = invoice["id"].as_str().unwrap();
        let job_id = job["id"].as_str().unwrap();
        let (_, other) = app.new_company("Other Co", fieldwork_store::Plan::Max).await;
        for (method, path) in [
            (Method::GET, format!("/api/invoices/{id}")),
            (Method::GET, format!("/api/invoices/{id}/preview")),
            (Method::POST, format!("/api/invoices/{id}/void")),
            (Method::GET, format!("/jobs/{job_id}/invoices")),
        ] {
            let r = app.call_as(&other, method.clone(), &path, None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
        }
        let r = app.call_as(&other, Method::POST, &format!("/api/invoices/{id}/payments"),
            Some(&json!({"amount": 1, "payment_method": "ach"}))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, json!({"error": {"message": "invoice not found"}}));
        assert_eq!(app.call_as(&other, Method::GET, "/invoices", None).await.body["total_items"], 0);
        let r = app.get("/jobs/job_00000000000000000000000000000000/invoices").await;
        assert_eq!(r.body, json!({"error": {"message": "job not found"}}));
        let r = app.get("/api/invoices/inv_00000000000000000000000000000000/preview").await;
        assert_eq!(r.body, json!({"error": {"message": "invoice not found"}}));
        assert_eq!(app.call_as("", Method::GET, &format!("/api/invoices/{id}"), None).await.status, StatusCode::UNAUTHORIZED);

        let path = format!("/api/invoices/{id}/payments");
        assert_eq!(app.call_raw(Method::POST, &path, b"{\"amount\": 5".to_vec()).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.call_raw(Method::POST, &path, b"[1]".to_vec()).await.status, StatusCode::BAD_REQUEST);
        let r = pay(&app, id, json!({"amount": "lots", "payment_method": "ach"})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.get("amount").is_some(), "{:?}", r.body);
        for (body, field) in [
            (json!({"payment_method": "ach"}), "amount"),
            (json!({"amount": 0, "payment_method": "ach"}), "amount"),
            (json!({"amount": -5, "payment_method": "ach"}), "amount"),
            (json!({"amount": 10.5, "payment_method": "ach"}), "amount"),
            (json!({"amount": 10}), "payment_method"),
            (json!({"amount": 10, "payment_method": "cash"}), "payment_method"),
            (json!({"amount": 10, "payment_method": "ach", "paid_at": "yesterday"}), "paid_at"),
        ] {
            let r = pay(&app, id, body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {:?}", r.body);
            assert!(r.body["errors"].get(field).is_some(), "{body}: {:?}", r.body);
        }
        assert_eq!(app.get(&format!("/api/invoices/{id}")).await.body["payments"], json!([]));
    }
}

backend_tests! {
    /// Hostile input at every invoice and event route: never a 5xx, errors always JSON.
    async fn no_input_produces_a_5xx() {
        let app = spawn_app().await;
        let (job, invoice) = finished_job(&app, "Zed").await;
        let (job_id, id) = (job["id"].as_str().unwrap(), invoice["id"].as_str().unwrap());
        let event = app
            .post("/events", json!({"name": "x", "schedule": {"start_time": "2026-12-01T09:00:00Z",
                                                             "end_time": "2026-12-01T10:00:00Z"}}))
            .await
            .body;
        let event_id = event["id"].as_str().unwrap();
        let paths = [
            "/invoices".to_owned(),
            format!("/api/invoices/{id}"),
            format!("/api/invoices/{id}/preview"),
            format!("/api/invoices/{id}/payments"),
            format!("/api/invoices/{id}/void"),
            "/api/invoices/inv_%00/payments".into(),
            format!("/jobs/{job_id}/invoices"),
            "/events".into(),
            format!("/events/{event_id}"),
            "/events/evt_%00".into(),
        ];
        let bodies = [
            json!(null),
            json!("string"),
            json!({"amount": 1e300, "payment_method": ["ach"], "paid_at": "+275760-09-13T00:00:00Z"}),
            json!({"amount": -1e300, "payment_method": "ach", "note": "\u{0000}"}),
            json!({"amount": 1, "payment_method": "ach", "paid_at": "0000-01-01T00:00:00Z", "note": "😀".repeat(20_000)}),
            json!({"name": "😀".repeat(300), "tags": [null], "address": "x", "all_day": 1}),
            json!({"name": "x", "all_day": true, "schedule": {"start_time": "9999-12-31", "end_time": "9999-12-31"}}),
            json!({"name": "x", "all_day": true, "schedule": {"start_time": "1970-01-01", "time_zone": "Pacific/Kiritimati"}}),
            json!({"name": "x", "recurrence_rule": "FREQ=WEEKLY;".repeat(100), "assigned_employee_ids": [null],
                   "schedule": {"start_time": "1970-01-01T00:00:00", "end_time": "1970-01-01T00:00:01", "time_zone": "Etc/GMT+12"}}),
        ];
        let queries = [
            "",
            "?page=99999999999999999999&page_size=0",
            "?status[]=%00&customer_uuid[]=%27%22&payment_method[]=",
            "?amount_due_min=1e300&amount_due_max=-1e300",
            "?created_at_min=99999-01-01&due_at_max=0000-00-00&paid_at_min=%00",
            "?sort_by=amount&sort_direction=sideways",
            "?sort_by=zip&location_ids[]=x&status=open",
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
        // The sweep voided the invoice; the job's work is still owed, and nothing was paid.
        let invoice = app.get(&format!("/api/invoices/{id}")).await.body;
        let job = app.get(&format!("/jobs/{job_id}")).await.body;
        assert_eq!((invoice["status"].as_str(), invoice["due_amount"].as_i64()), (Some("voided"), Some(0)));
        assert_eq!(invoice["payments"], json!([]));
        assert_eq!(job["outstanding_balance"], job["total_amount"]);
    }
}

async fn check(app: &TestApp, method: Method, path: &str, body: Option<&Value>) {
    let r = app.call(method.clone(), path, body).await;
    assert!(
        !r.status.is_server_error(),
        "{method} {path} {body:?} -> {} {:?}",
        r.status,
        r.body
    );
    // Errors are JSON; only the preview page answers with something else.
    assert!(
        r.status.is_success() || r.body.is_object(),
        "{method} {path}: {:?}",
        r.body
    );
}
