//! Webhooks, end to end with a real local receiver that verifies both signature schemes.

mod delivery;
mod durability;
mod events;
mod management;
mod stream;

use fieldwork_test_support::TestApp;
use serde_json::{Value, json};

/// A job for a new customer with one address; returns the job JSON.
pub async fn new_job(app: &TestApp, body: Value) -> Value {
    let (customer, address) = app.customer_with_address("Ines").await;
    let mut b = json!({"customer_id": customer, "address_id": address, "description": "Fix leak"});
    if let (Some(b), Some(extra)) = (b.as_object_mut(), body.as_object()) {
        for (k, v) in extra {
            b.insert(k.clone(), v.clone());
        }
    }
    let r = app.post("/jobs", b).await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED, "{:?}", r.body);
    r.body
}
