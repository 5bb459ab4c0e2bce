//! SIGKILL of the server during a burst of writes: after a restart, the event of every
//! acknowledged write is delivered (the outbox commits with the write; leases return claims).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fieldwork_test_support::{Receiver, ServerProcess, TestDatabase};
use parking_lot::Mutex;
use reqwest::StatusCode;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_fieldwork");
const WRITES: usize = 1000;
const NO_LIMITS: &[(&str, &str)] = &[("FIELDWORK_RATE_LIMIT_ENABLED", "false")];

async fn call(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = match body {
        Some(b) => client.post(format!("{base}{path}")).json(&b),
        None => client.get(format!("{base}{path}")),
    };
    req = req.header("Authorization", format!("Token {key}"));
    let r = req.send().await.expect("request");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

backend_tests! {
    async fn every_acknowledged_event_is_delivered_after_sigkill() {
        let database = TestDatabase::create().await;
        let url = database.url.clone();
        // A short lease so deliveries claimed by the killed process come back quickly.
        let flags = [
            "--demo", "--webhook-retry-schedule", "1s,1s,1s,1s,1s",
            "--webhook-timeout-secs", "2", "--webhook-lease-secs", "8",
        ];
        // 8 writers at once on one key: beyond the default request limits, which are not
        // what this test is about.
        let mut server = ServerProcess::start_with_env(BIN, &url, &flags, NO_LIMITS).unwrap();
        let key = server.demo_key.clone().unwrap();
        let base = server.base_url.clone();
        let client = reqwest::Client::new();
        let receiver = Receiver::start().await;
        let (status, endpoint) = call(&client, &base, &key, "/webhooks/endpoints",
            Some(json!({"url": receiver.url, "events": ["job.created"]}))).await;
        assert_eq!(status, StatusCode::CREATED, "{endpoint:?}");
        let (_, customers) = call(&client, &base, &key, "/customers?page_size=1", None).await;
        let customer = customers["customers"][0].clone();
        let job_body = json!({
            "customer_id": customer["id"], "address_id": customer["addresses"][0]["id"],
            "description": "Burst"
        });

        let acked: Arc<Mutex<Vec<String>>> = Arc::default();
        let sent = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (client, key, base, acked, sent, body) =
                (client.clone(), key.clone(), base.clone(), acked.clone(), sent.clone(), job_body.clone());
            tasks.push(tokio::spawn(async move {
                while sent.fetch_add(1, Ordering::SeqCst) < WRITES {
                    let r = client.post(format!("{base}/jobs"))
                        .header("Authorization", format!("Token {key}"))
                        .json(&body).send().await;
                    let Ok(r) = r else { return };
                    if r.status() != StatusCode::CREATED { return; }
                    let Ok(job) = r.json::<Value>().await else { return };
                    acked.lock().push(job["id"].as_str().unwrap().to_owned());
                }
            }));
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while acked.lock().len() < 150 {
            assert!(tokio::time::Instant::now() < deadline, "the burst stalled");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill();
        for t in tasks {
            let _ = t.await;
        }
        let acked = acked.lock().clone();
        assert!(sent.load(Ordering::SeqCst) > acked.len(), "the kill should cut the burst short");

        let _server = ServerProcess::start_with_env(BIN, &url, &flags, NO_LIMITS).unwrap();
        let wanted: HashSet<String> = acked.iter().cloned().collect();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            let got: HashSet<String> = receiver
                .deliveries()
                .iter()
                .filter_map(|d| d.body["job"]["id"].as_str().map(str::to_owned))
                .collect();
            let missing = wanted.difference(&got).count();
            if missing == 0 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline,
                "{missing} of {} acknowledged job.created events never arrived", wanted.len());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        println!("{} writes acknowledged before SIGKILL; all their events delivered", acked.len());
    }
}
