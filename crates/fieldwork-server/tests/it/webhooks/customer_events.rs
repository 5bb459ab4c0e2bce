//! Customer events: creating, updating and adding an address, each with the customer as
//! `GET /customers/{id}` shows it; refused changes emit nothing.

use fieldwork_test_support::spawn_app;
use reqwest::Method;
use serde_json::json;

use super::{Inbox, refused_without_event};
use crate::full_customer;

backend_tests! {
    async fn customer_changes_emit_the_full_customer() {
        let app = spawn_app().await;
        let mut inbox = Inbox::open(&app).await;

        let created = app.create_customer(full_customer("Maya")).await;
        let id = created["id"].as_str().unwrap();
        let path = format!("/customers/{id}");
        let sent = inbox.expect("customer.created", "customer", id, &path).await;
        assert_eq!(sent, created, "the response and the event carry the same customer");

        let r = app.put(&path, json!({"notes": "Gate code 4411", "tags": ["vip"]})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox.expect("customer.updated", "customer", id, &path).await;
        assert_eq!(sent["notes"], "Gate code 4411");

        let r = app.post(&format!("{path}/addresses"), json!({
            "street": "9 Bay Rd", "city": "Oakland", "state": "CA", "zip": "94607",
            "country": "USA"
        })).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox.expect("customer.updated", "customer", id, &path).await;
        assert_eq!(sent["addresses"].as_array().unwrap().len(), 2);
        assert_eq!(sent["addresses"][1]["id"], r.body["id"]);
        assert_eq!(inbox.events(), ["customer.created", "customer.updated", "customer.updated"]);
    }

    async fn refused_customer_changes_emit_nothing() {
        let app = spawn_app().await;
        let created = app.create_customer(json!({"first_name": "Ines"})).await;
        let path = format!("/customers/{}", created["id"].as_str().unwrap());
        refused_without_event(&app, Method::POST, "/customers", json!({"notes": "x"}), 422).await;
        refused_without_event(&app, Method::PUT, &path, json!({"first_name": null}), 422).await;
        refused_without_event(
            &app, Method::POST, &format!("{path}/addresses"), json!({"city": "Oakland"}), 422,
        ).await;
    }
}
