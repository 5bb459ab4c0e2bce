//! Webhooks, end to end with a real local receiver that verifies both signature schemes.

mod customer_events;
mod delivery;
mod durability;
mod employee_events;
mod estimate_events;
mod events;
mod invoice_events;
mod lead_events;
mod management;
mod retention;
mod stream;

use std::time::Duration;

use fieldwork_test_support::{Receiver, TestApp};
use serde_json::{Value, json};

/// How long a test waits for one delivery.
const WAIT: Duration = Duration::from_secs(15);

/// A receiver subscribed to every event of an app's company, read in the order a test expects
/// events: each [`Inbox::expect`] takes the first matching delivery not taken before.
pub struct Inbox<'a> {
    app: &'a TestApp,
    receiver: Receiver,
    taken: Vec<String>,
}

impl<'a> Inbox<'a> {
    /// Starts a receiver and subscribes it to every event type.
    pub async fn open(app: &'a TestApp) -> Self {
        let receiver = Receiver::start().await;
        app.subscribe(&receiver, &[]).await;
        Self {
            app,
            receiver,
            taken: Vec::new(),
        }
    }

    /// Waits for the next delivery of `event` whose `<key>.id` is `id`, and asserts the
    /// envelope HCP sends (exactly `event`, `company_id`, `<key>`; this company; both
    /// signatures valid) carrying the object exactly as `GET path` returns it now. Returns the
    /// object.
    pub async fn expect(&mut self, event: &str, key: &str, id: &str, path: &str) -> Value {
        let sent = self.take(event, key, id).await;
        let got = self.app.get(path).await;
        assert!(got.status.is_success(), "GET {path}: {:?}", got.body);
        assert_eq!(
            sent, got.body,
            "{event} carries {key} as GET {path} shows it"
        );
        sent
    }

    /// Like [`Inbox::expect`] without the comparison: returns the object for the caller to
    /// compare (objects that have no `GET` of their own).
    pub async fn take(&mut self, event: &str, key: &str, id: &str) -> Value {
        let taken = self.taken.clone();
        let d = self
            .receiver
            .wait_until(WAIT, |d| {
                d.event() == event && d.body[key]["id"] == id && !taken.contains(&d.id)
            })
            .await;
        self.taken.push(d.id.clone());
        assert!(d.verified_by(0), "{event}: both signatures verify");
        let mut keys: Vec<_> = d.body.as_object().unwrap().keys().cloned().collect();
        keys.sort_unstable();
        let mut want = vec!["company_id".to_owned(), "event".into(), key.into()];
        want.sort_unstable();
        assert_eq!(keys, want, "{event}: HCP's envelope");
        assert_eq!(
            d.body["company_id"],
            self.app.company_id.as_str(),
            "{event}"
        );
        d.body[key].clone()
    }

    /// The event types delivered so far, in arrival order.
    pub fn events(&self) -> Vec<String> {
        self.receiver
            .deliveries()
            .iter()
            .map(|d| d.event().to_owned())
            .collect()
    }
}

/// How many events the company's message log holds (written in the changes' transactions,
/// so a refused change that wrote one would show at once).
pub async fn logged(app: &TestApp) -> u64 {
    let r = app.get("/webhooks/messages?page_size=1").await;
    assert!(r.status.is_success(), "{:?}", r.body);
    r.body["total_items"].as_u64().expect("total_items")
}

/// Sends a request that must be refused with `status` and asserts it logged no event.
pub async fn refused_without_event(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Value,
    status: u16,
) {
    let before = logged(app).await;
    let r = app.call(method, path, Some(&body)).await;
    assert_eq!(r.status.as_u16(), status, "{path}: {:?}", r.body);
    assert_eq!(
        logged(app).await,
        before,
        "{path}: a refused change emits nothing"
    );
}

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
