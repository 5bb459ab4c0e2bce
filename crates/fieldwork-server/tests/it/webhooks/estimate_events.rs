//! Estimate events: creation, option changes, the visit, approval (with the copy to a job and
//! its `job.created`) and decline, each with the estimate as `GET /estimates/{id}` shows it;
//! refused changes emit nothing.

use fieldwork_test_support::spawn_app;
use reqwest::Method;
use serde_json::json;

use super::{Inbox, refused_without_event};
use crate::estimates::priced_estimate;

const ESTIMATE: &str = "estimate";

backend_tests! {
    async fn estimate_changes_emit_the_full_estimate() {
        let app = spawn_app().await;
        let mut inbox = Inbox::open(&app).await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let pro = app.create_employee("Luis").await;

        let est = priced_estimate(&app, &customer, &address, &pro).await;
        let id = est["id"].as_str().unwrap();
        let path = format!("/estimates/{id}");
        let sent = inbox.expect("estimate.created", ESTIMATE, id, &path).await;
        assert_eq!(sent, est, "the response and the event carry the same estimate");
        let opt = est["options"][0]["id"].as_str().unwrap();
        let base = format!("{path}/options/{opt}");

        let r = app.post(&format!("{path}/options"), json!({"name": "Option C"})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox.expect("estimate.option.created", ESTIMATE, id, &path).await;
        assert_eq!(sent["options"][2]["id"], r.body["id"]);

        let r = app.post(&format!("{base}/notes"), json!({"content": "Prefers mornings"})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox.expect("estimate.updated", ESTIMATE, id, &path).await;
        assert_eq!(sent["options"][0]["notes"][0]["content"], "Prefers mornings");
        let r = app.put(&format!("{base}/line_items/bulk_update"), json!({"line_items": [
            {"name": "Permit", "unit_price": 12500, "kind": "fixed gratuity"}
        ], "append_line_items": true})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        inbox.expect("estimate.updated", ESTIMATE, id, &path).await;

        let r = app.put(&format!("{base}/schedule"), json!({
            "start_time": "2026-12-05T18:00:00Z", "end_time": "2026-12-05T19:30:00Z"
        })).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox.expect("estimate.scheduled", ESTIMATE, id, &path).await;
        assert_eq!(sent["schedule"]["scheduled_start"], "2026-12-05T18:00:00Z");

        // Declining one option, approving the other: the approval copies it to a new job.
        let other = est["options"][1]["id"].as_str().unwrap();
        let r = app.post("/estimates/options/decline", json!({"option_ids": [other]})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox.expect("estimate.option.approval_status_changed", ESTIMATE, id, &path).await;
        assert_eq!(sent["options"][1]["approval_status"], "pro declined");
        let r = app.post("/estimates/options/approve", json!({"option_ids": [opt]})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let job_id = r.body["copied_on_approval_to_job_id"].as_str().unwrap();
        let job = inbox
            .expect("job.created", "job", job_id, &format!("/jobs/{job_id}?expand[]=appointments"))
            .await;
        assert_eq!(job["original_estimate_id"], id);
        let sent = inbox.expect("estimate.option.approval_status_changed", ESTIMATE, id, &path).await;
        assert_eq!(sent["options"][0]["approval_status"], "pro approved");
        let sent = inbox.expect("estimate.copy_to_job", ESTIMATE, id, &path).await;
        assert_eq!(sent["options"][0]["copied_on_approval_to_job_id"], job_id);
    }

    async fn an_inline_address_updates_the_customer() {
        let app = spawn_app().await;
        let mut inbox = Inbox::open(&app).await;
        let customer = app.create_customer(json!({"first_name": "Bo"})).await;
        let customer_id = customer["id"].as_str().unwrap();
        let r = app.post("/estimates", json!({
            "customer_id": customer_id,
            "address": {"street": "1 Pier", "city": "Oakland", "state": "CA", "zip": "94607"}
        })).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox
            .expect("customer.updated", "customer", customer_id, &format!("/customers/{customer_id}"))
            .await;
        assert_eq!(sent["addresses"][0]["id"], r.body["address"]["id"]);
        let id = r.body["id"].as_str().unwrap();
        inbox.expect("estimate.created", ESTIMATE, id, &format!("/estimates/{id}")).await;
    }

    async fn refused_estimate_changes_emit_nothing() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Cy").await;
        let pro = app.create_employee("Kim").await;
        let est = priced_estimate(&app, &customer, &address, &pro).await;
        let id = est["id"].as_str().unwrap();
        let base = format!("/estimates/{id}/options/{}", est["options"][0]["id"].as_str().unwrap());
        let bad_option = json!({"customer_id": customer, "options": [{"line_items": [{"unit_price": 5}]}]});
        refused_without_event(&app, Method::POST, "/estimates", bad_option, 422).await;
        refused_without_event(&app, Method::POST, &format!("/estimates/{id}/options"), json!({}), 422).await;
        refused_without_event(&app, Method::POST, &format!("{base}/links"), json!({"title": "x", "url": "ftp://x"}), 422).await;
        refused_without_event(&app, Method::PUT, &format!("{base}/schedule"), json!({}), 422).await;
        refused_without_event(&app, Method::POST, "/estimates/options/approve", json!({"option_ids": []}), 422).await;
    }
}
