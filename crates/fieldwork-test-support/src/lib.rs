//! Test harness: the real server on `127.0.0.1:0` with a fresh database, and helpers to talk
//! to it over HTTP as a client would.

mod backend;
mod process;

use std::net::SocketAddr;
use std::sync::Arc;

use fieldwork_server::{AppState, Config, DynStore};
use fieldwork_store::{NewCompany, Plan};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

pub use backend::{Backend, TestDatabase, postgres_admin_url};
pub use process::ServerProcess;

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

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestApp {
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
