//! Retention: finished messages older than the retention go with their deliveries and
//! attempts; a message with a pending delivery stays.

use std::time::{Duration, Instant};

use fieldwork_server::webhooks::retention::purge;
use fieldwork_store::{OutboxEvent, Plan};
use fieldwork_test_support::{Receiver, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

use super::logged;

const WAIT: Duration = Duration::from_secs(15);

backend_tests! {
    async fn old_finished_messages_go_and_pending_ones_stay() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        let endpoint = app.subscribe(&receiver, &["customer.created"]).await;
        let r = app.post("/customers", json!({"first_name": "Old"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        receiver.wait_for(1, WAIT).await;
        let attempts = format!("/webhooks/endpoints/{endpoint}/attempts");
        let deadline = Instant::now() + WAIT;
        while app.get(&attempts).await.body["attempts"].as_array().unwrap().is_empty() {
            assert!(Instant::now() < deadline, "the attempt is recorded");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Off the max plan nothing is claimed: this message's delivery stays pending.
        app.store.set_company_plan(&app.company_id, Plan::Basic).await.unwrap();
        let event = OutboxEvent::new("customer.created", json!({
            "event": "customer.created", "company_id": app.company_id,
            "customer": {"id": "cus_00000000000000000000000000000001", "first_name": "Pending"}
        }).to_string());
        app.store.emit(&app.company_id, vec![event]).await.unwrap();
        // The default retention (30 days) keeps both.
        assert_eq!(purge(&app.store, Duration::from_secs(30 * 86_400)).await.unwrap(), 0);
        // Retention 0: the delivered message goes with its delivery and attempt; the pending
        // one stays.
        assert_eq!(purge(&app.store, Duration::ZERO).await.unwrap(), 1);
        app.store.set_company_plan(&app.company_id, Plan::Max).await.unwrap();
        assert_eq!(logged(&app).await, 1);
        // The kept message is still delivered, and its attempt is the only one listed.
        let got = receiver.wait_for(2, WAIT).await;
        assert_eq!(got[1].body["customer"]["first_name"], "Pending");
        let deadline = Instant::now() + WAIT;
        let list = loop {
            let list = app.get(&attempts).await.body["attempts"].as_array().unwrap().clone();
            if !list.is_empty() || Instant::now() > deadline {
                break list;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["message_id"], got[1].id.as_str());
    }
}
