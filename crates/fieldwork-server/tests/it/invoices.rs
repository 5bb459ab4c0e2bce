//! Invoices: made on finish, money agreement with the job, payments (partial, full, over,
//! concurrent, on a locked job) and void. Lists, preview, CLI and bad input: `invoice_views`.

use fieldwork_test_support::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::assert_id;

/// Creates a job for a new customer (subtotal 119,900, total 114,900 cents) and finishes it;
/// returns `(job, its invoice)` as the API shows them.
pub async fn finished_job(app: &TestApp, first_name: &str) -> (Value, Value) {
    let (customer, address) = app.customer_with_address(first_name).await;
    let job = app
        .post(
            "/jobs",
            json!({
                "customer_id": customer, "address_id": address, "description": "Water heater",
                "line_items": [
                    {"name": "Labor", "unit_price": 15000, "quantity": 2, "kind": "labor"},
                    {"name": "Heater", "unit_price": 89900, "kind": "materials",
                     "description": "50 gallon"},
                    {"name": "Loyalty", "unit_price": 5000, "kind": "fixed discount"}
                ]
            }),
        )
        .await;
    assert_eq!(job.status, StatusCode::CREATED, "{:?}", job.body);
    let id = job.body["id"].as_str().unwrap().to_owned();
    let finished = app.post(&format!("/jobs/{id}/finish"), json!({})).await;
    assert_eq!(finished.status, StatusCode::OK, "{:?}", finished.body);
    let invoices = app.get(&format!("/jobs/{id}/invoices")).await;
    assert_eq!(invoices.status, StatusCode::OK, "{:?}", invoices.body);
    let list = invoices.body["invoices"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{:?}", invoices.body);
    (finished.body, list[0].clone())
}

pub async fn pay(app: &TestApp, invoice_id: &str, body: Value) -> fieldwork_test_support::Reply {
    app.post(&format!("/api/invoices/{invoice_id}/payments"), body)
        .await
}

backend_tests! {
    async fn finishing_a_job_invoices_it_and_money_agrees_everywhere() {
        let app = spawn_app().await;
        let (job, invoice) = finished_job(&app, "Maya").await;
        let job_id = job["id"].as_str().unwrap();
        assert_eq!(job["work_status"], "complete unrated");
        assert_id(&invoice["id"], "inv");
        assert_eq!(invoice["job_id"], job_id);
        assert_eq!(invoice["invoice_number"], job["invoice_number"]);
        assert_eq!(invoice["status"], "open");
        assert_eq!(invoice["amount"], job["total_amount"]);
        assert_eq!(invoice["subtotal"], job["subtotal"]);
        assert_eq!(invoice["amount"], 114_900);
        assert_eq!(invoice["subtotal"], 119_900);
        assert_eq!(invoice["due_amount"], 114_900);
        assert_eq!(invoice["payments"], json!([]));
        assert_eq!(invoice["taxes"], json!([]));
        assert_eq!(invoice["sent_at"], Value::Null);
        assert_eq!(invoice["due_concept"], "upon_receipt");
        let items = invoice["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["qty_in_hundredths"], 200);
        assert_eq!(items[0]["type"], "labor");
        assert_eq!(items[1]["description"], "50 gallon");
        assert_eq!(invoice["discounts"][0]["amount"], -5_000);
        assert_eq!(invoice["discounts"][0]["name"], "Loyalty");

        let id = invoice["id"].as_str().unwrap();
        let got = app.get(&format!("/api/invoices/{id}")).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body, invoice);

        // A partial payment lowers the invoice's due amount and the job's balance alike.
        let r = pay(&app, id, json!({"amount": 40_000, "payment_method": "credit_card", "note": "deposit"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["due_amount"], 74_900);
        assert_eq!(r.body["status"], "open");
        assert_id(&r.body["payments"][0]["id"], "pmt");
        assert_eq!(r.body["payments"][0]["payment_method"], "credit_card");
        assert_eq!(r.body["payments"][0]["note"], "deposit");
        let job_now = app.get(&format!("/jobs/{job_id}")).await.body;
        assert_eq!(job_now["outstanding_balance"], 74_900);
        assert_eq!(job_now["total_amount"], 114_900);
        let listed = app.get("/invoices").await.body;
        assert_eq!(listed["invoices"][0]["due_amount"], 74_900);
        assert_eq!(listed["invoices"][0]["amount"], 114_900);
        let of_job = app.get(&format!("/jobs/{job_id}/invoices")).await.body;
        assert_eq!(of_job["invoices"][0]["due_amount"], 74_900);

        // More than is due is refused; the exact rest pays it.
        let over = pay(&app, id, json!({"amount": 74_901, "payment_method": "ach"})).await;
        assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", over.body);
        assert!(over.body["errors"]["amount"][0].as_str().unwrap().contains("74900"));
        let full = pay(&app, id, json!({"amount": 74_900, "payment_method": "ach"})).await;
        assert_eq!(full.status, StatusCode::CREATED);
        assert_eq!(full.body["status"], "paid");
        assert_eq!(full.body["due_amount"], 0);
        assert!(full.body["paid_at"].is_string());
        assert_eq!(app.get(&format!("/jobs/{job_id}")).await.body["outstanding_balance"], 0);
        let again = pay(&app, id, json!({"amount": 1, "payment_method": "ach"})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.post(&format!("/api/invoices/{id}/void"), json!({})).await.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Finishing twice is refused and makes no second invoice.
        let r = app.post(&format!("/jobs/{job_id}/finish"), json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.get("/invoices").await.body["total_items"], 1);
    }

    async fn concurrent_payments_never_overpay() {
        let app = spawn_app().await;
        let (job, invoice) = finished_job(&app, "Ana").await;
        let id = invoice["id"].as_str().unwrap();
        // 114,900 due: at most five payments of 20,000 fit.
        let mut tries = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let req = app.client
                .post(format!("{}/api/invoices/{id}/payments", app.base_url))
                .header("Authorization", format!("Token {}", app.key))
                .json(&json!({"amount": 20_000, "payment_method": "external"}));
            tries.spawn(async move { req.send().await.unwrap().status() });
        }
        let statuses = tries.join_all().await;
        let ok = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
        assert!(statuses.iter().all(|s| [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::SERVICE_UNAVAILABLE].contains(s)), "{statuses:?}");
        assert!((1..=5).contains(&ok), "{ok}");
        let after = app.get(&format!("/api/invoices/{id}")).await.body;
        assert_eq!(after["payments"].as_array().unwrap().len(), ok);
        assert_eq!(after["due_amount"], 114_900 - 20_000 * ok as i64);
        let job_id = job["id"].as_str().unwrap();
        let job_now = app.get(&format!("/jobs/{job_id}")).await.body;
        assert_eq!(job_now["outstanding_balance"], after["due_amount"]);
    }

    async fn a_locked_job_still_takes_payments() {
        let app = spawn_app().await;
        let (job, invoice) = finished_job(&app, "Lee").await;
        let job_id = job["id"].as_str().unwrap();
        // Lock the job as HCP's lock does (the lock endpoint lives with the jobs routes).
        let store = app.store.as_ref();
        let mut stored = fieldwork_server::services::jobs::load(store, &app.company_id, job_id).await.unwrap();
        stored.doc.locked_at = Some(fieldwork_store::time::now_micros());
        store
            .write_docs(&app.company_id, vec![fieldwork_store::DocWrite::Update(stored.to_doc(stored.updated_at))])
            .await
            .unwrap();
        let id = invoice["id"].as_str().unwrap();
        let r = pay(&app, id, json!({"amount": 100_000, "payment_method": "mobile_check_deposit"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let job_now = app.get(&format!("/jobs/{job_id}")).await.body;
        assert!(job_now["locked_at"].is_string());
        assert_eq!(job_now["outstanding_balance"], 14_900);

        // Finishing a locked job is refused, and no invoice appears: job and invoice are one write.
        let (c, a) = app.customer_with_address("Locke").await;
        let open = app.post("/jobs", json!({"customer_id": c, "address_id": a})).await.body;
        let open_id = open["id"].as_str().unwrap();
        assert_eq!(app.post(&format!("/jobs/{open_id}/lock"), json!({})).await.status, StatusCode::OK);
        let r = app.post(&format!("/jobs/{open_id}/finish"), json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(app.get(&format!("/jobs/{open_id}/invoices")).await.body, json!({"invoices": []}));
        assert_eq!(app.get(&format!("/jobs/{open_id}")).await.body["work_status"], "needs scheduling");
    }

    async fn void_only_unpaid_invoices() {
        let app = spawn_app().await;
        let (_, first) = finished_job(&app, "Ivy").await;
        let id = first["id"].as_str().unwrap();
        let r = app.post(&format!("/api/invoices/{id}/void"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "voided");
        assert_eq!(r.body["due_amount"], 0);
        let again = app.post(&format!("/api/invoices/{id}/void"), json!({})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(pay(&app, id, json!({"amount": 1, "payment_method": "ach"})).await.status, StatusCode::UNPROCESSABLE_ENTITY);

        let (_, second) = finished_job(&app, "Joe").await;
        let id = second["id"].as_str().unwrap();
        pay(&app, id, json!({"amount": 100, "payment_method": "ach"})).await;
        let r = app.post(&format!("/api/invoices/{id}/void"), json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body["errors"]["invoice"][0].as_str().unwrap().contains("payments"));
    }





}
