//! Lead events: creation (with an inline customer's `customer.created`), conversion (with the
//! new job's or estimate's own event) and losing, each with the lead as `GET /leads/{id}` shows
//! it; refused changes emit nothing.

use fieldwork_test_support::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use super::{Inbox, refused_without_event};

async fn new_lead(app: &TestApp, body: Value) -> Value {
    let r = app.post("/leads", body).await;
    assert!(r.status.is_success(), "{:?}", r.body);
    r.body
}

backend_tests! {
    async fn lead_changes_emit_the_full_lead() {
        let app = spawn_app().await;
        let mut inbox = Inbox::open(&app).await;

        // An inline customer is created first, with its own event.
        let lead = new_lead(&app, json!({
            "customer": {"first_name": "Rosa", "addresses": [
                {"street": "4 Bay St", "city": "Oakland", "state": "CA", "zip": "94607"}]},
            "line_items": [{"name": "Drain camera", "unit_price": 19500, "kind": "labor"}]
        })).await;
        let customer_id = lead["customer"]["id"].as_str().unwrap();
        inbox
            .expect("customer.created", "customer", customer_id, &format!("/customers/{customer_id}"))
            .await;
        let id = lead["id"].as_str().unwrap();
        let path = format!("/leads/{id}");
        let sent = inbox.expect("lead.created", "lead", id, &path).await;
        assert_eq!(sent, lead, "the response and the event carry the same lead");

        let r = app.post(&format!("{path}/convert"), json!({"type": "job"})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let job_id = r.body["job_id"].as_str().unwrap();
        let job = inbox
            .expect("job.created", "job", job_id, &format!("/jobs/{job_id}?expand[]=appointments"))
            .await;
        assert_eq!(job["customer"]["id"], customer_id);
        let sent = inbox.expect("lead.converted", "lead", id, &path).await;
        assert_eq!(sent["status"], "won");
        assert_eq!(sent["job_id"], job_id);

        let other = new_lead(&app, json!({"customer_id": customer_id})).await;
        let other_id = other["id"].as_str().unwrap();
        let other_path = format!("/leads/{other_id}");
        inbox.expect("lead.created", "lead", other_id, &other_path).await;
        let r = app.post(&format!("{other_path}/convert"), json!({"type": "estimate"})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let estimate_id = r.body["estimate_id"].as_str().unwrap();
        inbox
            .expect("estimate.created", "estimate", estimate_id, &format!("/estimates/{estimate_id}"))
            .await;
        inbox.expect("lead.converted", "lead", other_id, &other_path).await;

        let lost = new_lead(&app, json!({"customer_id": customer_id})).await;
        let lost_id = lost["id"].as_str().unwrap();
        let lost_path = format!("/leads/{lost_id}");
        inbox.expect("lead.created", "lead", lost_id, &lost_path).await;
        let r = app.post(&format!("{lost_path}/lose"), json!({})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox.expect("lead.lost", "lead", lost_id, &lost_path).await;
        assert_eq!(sent["status"], "lost");
        assert_eq!(sent, r.body);
    }

    async fn refused_lead_changes_emit_nothing() {
        let app = spawn_app().await;
        let (customer, _) = app.customer_with_address("Ines").await;
        let lead = new_lead(&app, json!({"customer_id": customer})).await;
        let path = format!("/leads/{}", lead["id"].as_str().unwrap());
        refused_without_event(&app, Method::POST, "/leads", json!({"customer_id": customer, "tax_rate": 300}), 422).await;
        refused_without_event(&app, Method::POST, "/leads", json!({"customer": {"notes": "x"}}), 422).await;
        refused_without_event(&app, Method::POST, &format!("{path}/convert"), json!({"type": "invoice"}), 422).await;
        assert!(app.post(&format!("{path}/lose"), json!({})).await.status.is_success());
        refused_without_event(&app, Method::POST, &format!("{path}/lose"), json!({}), 422).await;
        refused_without_event(&app, Method::POST, &format!("{path}/convert"), json!({"type": "job"}), 422).await;
    }
}
