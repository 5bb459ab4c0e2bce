//! A real webhook receiver on `127.0.0.1:0`: records every delivery, checks both signature
//! schemes against the secrets a test gives it (verification written here from the docs,
//! independently of the server's signing code), and answers as the test scripts it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::Notify;

/// One recorded delivery.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub body: Value,
    pub raw: Bytes,
    pub headers: HeaderMap,
    /// `webhook-id`.
    pub id: String,
    pub received_at: Instant,
    /// Indices (into the secrets given) whose HCP `Api-Signature` verified.
    pub hcp_verified: Vec<usize>,
    /// Indices whose Standard Webhooks `webhook-signature` verified.
    pub standard_verified: Vec<usize>,
}

impl Delivery {
    /// The `event` of the envelope.
    pub fn event(&self) -> &str {
        self.body["event"].as_str().unwrap_or_default()
    }

    /// Whether secret `i` verified under both schemes.
    pub fn verified_by(&self, i: usize) -> bool {
        self.hcp_verified.contains(&i) && self.standard_verified.contains(&i)
    }
}

/// How to answer one request: status, extra headers, delay before answering.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub delay: Duration,
}

impl Answer {
    /// A plain status.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// A 200 after `delay` (a slow endpoint).
    pub fn ok_after(delay: Duration) -> Self {
        Self {
            delay,
            ..Self::status(200)
        }
    }
}

type Script = Box<dyn FnMut(&Delivery) -> Answer + Send>;

struct Inner {
    secrets: Mutex<Vec<String>>,
    deliveries: Mutex<Vec<Delivery>>,
    script: Mutex<Script>,
    arrived: Notify,
}

/// The receiver; cheap to clone.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Inner>,
}

impl Receiver {
    /// Starts a receiver answering 204 to everything.
    pub async fn start() -> Self {
        let inner = Arc::new(Inner {
            secrets: Mutex::new(Vec::new()),
            deliveries: Mutex::new(Vec::new()),
            script: Mutex::new(Box::new(|_| Answer::status(204))),
            arrived: Notify::new(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let app = Router::new().fallback(receive).with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, inner }
    }

    /// The secrets to verify signatures with (index 0, 1, … in `Delivery::*_verified`).
    pub fn set_secrets(&self, secrets: Vec<String>) {
        *self.inner.secrets.lock() = secrets;
    }

    /// Answers each delivery with what `script` says.
    pub fn script(&self, script: impl FnMut(&Delivery) -> Answer + Send + 'static) {
        *self.inner.script.lock() = Box::new(script);
    }

    /// Every delivery so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner.deliveries.lock().clone()
    }

    /// Waits until `n` deliveries arrived (panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.inner.arrived.notified();
            let got = self.deliveries();
            if got.len() >= n {
                return got;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "expected {n} deliveries within {timeout:?}, got {}: {:?}",
                got.len(),
                got.iter().map(Delivery::event).collect::<Vec<_>>()
            );
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    /// Waits until a delivery matches `pred`, and returns it.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        pred: impl Fn(&Delivery) -> bool,
    ) -> Delivery {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.inner.arrived.notified();
            if let Some(d) = self.deliveries().into_iter().find(|d| pred(d)) {
                return d;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no matching delivery within {timeout:?}; got {:?}",
                self.deliveries()
                    .iter()
                    .map(Delivery::event)
                    .collect::<Vec<_>>()
            );
            let _ = tokio::time::timeout(left, notified).await;
        }
    }
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, raw: Bytes) -> Response {
    let secrets = inner.secrets.lock().clone();
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let id = header("webhook-id");
    let mut hcp_verified = Vec::new();
    let mut standard_verified = Vec::new();
    for (i, secret) in secrets.iter().enumerate() {
        if verify_hcp(
            secret,
            &header("api-timestamp"),
            &header("api-signature"),
            &raw,
        ) {
            hcp_verified.push(i);
        }
        if verify_standard(
            secret,
            &id,
            &header("webhook-timestamp"),
            &header("webhook-signature"),
            &raw,
        ) {
            standard_verified.push(i);
        }
    }
    let delivery = Delivery {
        body: serde_json::from_slice(&raw).unwrap_or(Value::Null),
        raw,
        headers,
        id,
        received_at: Instant::now(),
        hcp_verified,
        standard_verified,
    };
    let answer = (inner.script.lock())(&delivery);
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    inner.deliveries.lock().push(delivery);
    inner.arrived.notify_waiters();
    let mut response = StatusCode::from_u16(answer.status)
        .unwrap_or(StatusCode::OK)
        .into_response();
    for (k, v) in answer.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            response.headers_mut().insert(k, v);
        }
    }
    response
}

/// How an HCP receiver verifies: hex HMAC-SHA256 keyed with the secret string over
/// `"<Api-Timestamp>.<body>"`, compared in constant time; the timestamp must be recent.
pub fn verify_hcp(secret: &str, timestamp: &str, signatures: &str, body: &[u8]) -> bool {
    if !is_recent(timestamp) {
        return false;
    }
    signatures.split(' ').any(|sig| {
        let Ok(sig) = hex::decode(sig) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&sig).is_ok()
    })
}

/// How a Standard Webhooks receiver verifies: key = base64 decode of the secret after
/// `whsec_`; base64 HMAC-SHA256 over `"<id>.<timestamp>.<body>"`; any `v1,` entry may match.
pub fn verify_standard(
    secret: &str,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
) -> bool {
    if !is_recent(timestamp) || id.is_empty() {
        return false;
    }
    let Some(encoded) = secret.strip_prefix("whsec_") else {
        return false;
    };
    let Ok(key) = STANDARD.decode(encoded) else {
        return false;
    };
    signatures.split(' ').any(|entry| {
        let Some(sig) = entry.strip_prefix("v1,") else {
            return false;
        };
        let Ok(sig) = STANDARD.decode(sig) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&sig).is_ok()
    })
}

/// Within five minutes of now, as receivers check against replays.
fn is_recent(timestamp: &str) -> bool {
    let Ok(ts) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    (now - ts).abs() <= 300
}
