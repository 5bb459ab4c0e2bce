//! Test harness: the real server on `127.0.0.1:0` with a fresh database, and helpers to talk
//! to it over HTTP as a client would.

mod backend;
mod process;
mod receiver;

use std::net::SocketAddr;
use std::sync::Arc;

use fieldwork_server::{AppState, Config, DynStore};
use fieldwork_store::{NewCompany, Plan};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

pub use backend::{Backend, TestDatabase, postgres_admin_url};
pub use process::ServerProcess;
pub use receiver::{Answer, Delivery, Receiver, verify_hcp, verify_standard};

/// A running server with its own temporary database and one MAX-plan company with a key.
pub struct TestApp {
    pub base_url: String,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// API key of `company_id`.
    pub key: String,
    pub company_id: String,
    pub store: DynStore,
    pub database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    // Dropped after `shutdown` fires (fields drop in order), removing the database.
    _database: TestDatabase,
}

/// A test's response: status plus parsed JSON body (`Value::Null` when not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// Starts a server with default settings (request limits off) on the current test's backend.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server after letting `tweak` adjust the settings.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let database = TestDatabase::create().await;
    let database_url = database.url.clone();
    let mut config = Config::defaults();
    config.database_url = database_url.clone();
    config.key_usage_flush_secs = 1;
    // Test receivers listen on 127.0.0.1; retries come fast and exactly on schedule.
    config.webhook_allow_loopback = true;
    config.webhook_retry_schedule = "1s,1s,1s".into();
    config.webhook_retry_jitter_percent = 0;
    config.webhook_poll_interval_ms = 100;
    // Functional tests (hostile-input sweeps especially) send far more than 150 requests a
    // minute with one key; the limit tests switch the limits back on.
    config.rate_limit_enabled = false;
    tweak(&mut config);
    let store = fieldwork_server::store::open(&config, true)
        .await
        .expect("open store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = AppState::new(Arc::clone(&store), config);
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = fieldwork_server::launch(state, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    let mut app = TestApp {
        base_url: format!("http://{addr}"),
        addr,
        client: reqwest::Client::new(),
        key: String::new(),
        company_id: String::new(),
        store,
        database_url,
        shutdown: Some(tx),
        _database: database,
    };
    let (company_id, key) = app.new_company("Test Co", Plan::Max).await;
    app.company_id = company_id;
    app.key = key;
    app
}

/// Another server process-in-a-task on the same database as a [`TestApp`] (multi-instance
/// tests); stops when dropped.
pub struct PeerServer {
    pub base_url: String,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for PeerServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestApp {
    /// Starts a second server on this app's database with its own store (as another process
    /// would have), after `tweak` adjusts the settings.
    pub async fn spawn_peer(&self, tweak: impl FnOnce(&mut Config)) -> PeerServer {
        let mut config = Config::defaults();
        config.database_url = self.database_url.clone();
        config.webhook_allow_loopback = true;
        config.webhook_retry_jitter_percent = 0;
        tweak(&mut config);
        let store = fieldwork_server::store::open(&config, false)
            .await
            .expect("open peer store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let state = AppState::new(store, config);
        tokio::spawn(async move {
            let _ = fieldwork_server::launch(state, listener, async {
                let _ = rx.await;
            })
            .await;
        });
        PeerServer {
            base_url,
            shutdown: Some(tx),
        }
    }

    /// Creates another company on `plan` with one API key; returns `(company id, key)`.
    pub async fn new_company(&self, name: &str, plan: Plan) -> (String, String) {
        let company = self
            .store
            .create_company(NewCompany {
                name: name.into(),
                plan,
                time_zone: "America/New_York".into(),
            })
            .await
            .expect("create company");
        let key = self.new_key(&company.id, "test key").await;
        (company.id, key)
    }

    /// Creates a bookable field tech in this app's company; returns the employee id.
    pub async fn create_employee(&self, first_name: &str) -> String {
        let permissions = fieldwork_types::Permissions {
            can_be_booked_online: true,
            ..Default::default()
        };
        self.store
            .create_employee(
                &self.company_id,
                fieldwork_types::EmployeeIn {
                    first_name: Some(first_name.into()),
                    last_name: Some("Tech".into()),
                    email: Some(format!("{}@tech.example", first_name.to_lowercase())),
                    mobile_number: None,
                    color_hex: Some("EF9159".into()),
                    role: Some("field tech".into()),
                    tags: Vec::new(),
                    permissions,
                },
                &[],
            )
            .await
            .expect("create employee")
            .id
    }

    /// Creates a customer with one address; returns `(customer id, address id)`.
    pub async fn customer_with_address(&self, first_name: &str) -> (String, String) {
        let c = self
            .create_customer(serde_json::json!({
                "first_name": first_name, "last_name": "Rivera",
                "email": format!("{}@example.com", first_name.to_lowercase()),
                "addresses": [{"street": "12 Elm St", "city": "Oakland", "state": "CA",
                               "zip": "94607", "country": "USA"}]
            }))
            .await;
        let id = c["id"].as_str().expect("customer id").to_owned();
        let address = c["addresses"][0]["id"]
            .as_str()
            .expect("address id")
            .to_owned();
        (id, address)
    }

    /// Creates a key for a company and returns it.
    pub async fn new_key(&self, company_id: &str, name: &str) -> String {
        let key = fieldwork_server::keys::generate_key();
        self.store
            .create_api_key(
                company_id,
                name,
                &fieldwork_server::keys::hash_key(&key),
                &fieldwork_server::keys::key_prefix(&key),
            )
            .await
            .expect("create key");
        key
    }

    /// Sends a request with this app's key and an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.call_as(&self.key, method, path, body).await
    }

    /// Sends a request with the given key (empty: no Authorization header).
    pub async fn call_as(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base_url));
        if !key.is_empty() {
            req = req.header("Authorization", format!("Token {key}"));
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        reply(req.send().await.expect("request sent")).await
    }

    /// Sends raw bytes as the body (for malformed JSON and oversized bodies).
    pub async fn call_raw(&self, method: Method, path: &str, body: Vec<u8>) -> Reply {
        let req = self
            .client
            .request(method, format!("{}{path}", self.base_url))
            .header("Authorization", format!("Token {}", self.key))
            .header("Content-Type", "application/json")
            .body(body);
        reply(req.send().await.expect("request sent")).await
    }

    /// `GET` with this app's key.
    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    /// `POST` JSON with this app's key.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(&body)).await
    }

    /// `PUT` JSON with this app's key.
    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(&body)).await
    }

    /// `DELETE` with this app's key.
    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    /// Subscribes `receiver` to `events` (empty: all) as a new endpoint, tells the receiver
    /// the endpoint's secret, and returns the endpoint id.
    pub async fn subscribe(&self, receiver: &Receiver, events: &[&str]) -> String {
        let r = self
            .post(
                "/webhooks/endpoints",
                serde_json::json!({"url": receiver.url, "events": events}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["id"].as_str().expect("endpoint id").to_owned();
        let secret = self.get(&format!("/webhooks/endpoints/{id}/secret")).await;
        receiver.set_secrets(vec![
            secret.body["secret"].as_str().expect("secret").to_owned(),
        ]);
        id
    }

    /// Creates a customer and returns its JSON (asserting 201).
    pub async fn create_customer(&self, body: Value) -> Value {
        let r = self.post("/customers", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }
}

/// Reads a response into a [`Reply`].
pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("body read");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}
