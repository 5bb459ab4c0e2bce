//! Every acknowledged write survives SIGKILL of the server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use fieldwork_test_support::{ServerProcess, TestDatabase};
use parking_lot::Mutex;
use reqwest::StatusCode;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_fieldwork");
const NO_LIMITS: &[(&str, &str)] = &[("FIELDWORK_RATE_LIMIT_ENABLED", "false")];

backend_tests! {
    async fn acknowledged_writes_survive_sigkill() {
        let database = TestDatabase::create().await;
        let url = database.url.clone();
        // 16 writers at once on one key: far beyond the default request limits, which are
        // not what this test is about.
        let mut server =
            ServerProcess::start_with_env(BIN, &url, &["--demo"], NO_LIMITS).unwrap();
        let key = server.demo_key.clone().unwrap();
        let base = server.base_url.clone();
        let client = reqwest::Client::new();

        let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let sent = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for worker in 0..16 {
            let (client, key, base, acked, sent) = (
                client.clone(),
                key.clone(),
                base.clone(),
                acked.clone(),
                sent.clone(),
            );
            tasks.push(tokio::spawn(async move {
                for i in 0..1000 {
                    sent.fetch_add(1, Ordering::Relaxed);
                    let name = format!("Durable {worker}-{i}");
                    let r = client
                        .post(format!("{base}/customers"))
                        .header("Authorization", format!("Token {key}"))
                        .json(&json!({"first_name": name, "mobile_number": "555-0100"}))
                        .send()
                        .await;
                    let Ok(r) = r else { return };
                    if r.status() != StatusCode::CREATED {
                        return;
                    }
                    let Ok(body) = r.json::<serde_json::Value>().await else {
                        return;
                    };
                    acked
                        .lock()
                        .push((body["id"].as_str().unwrap().to_owned(), name));
                }
            }));
        }
        // Kill mid-burst, while requests are in flight.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while acked.lock().len() < 400 {
            assert!(
                std::time::Instant::now() < deadline,
                "only {} writes acknowledged in 60 s",
                acked.lock().len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        server.kill();
        for t in tasks {
            let _ = t.await;
        }
        let acked = acked.lock().clone();
        assert!(acked.len() >= 400);
        assert!(
            sent.load(Ordering::Relaxed) > acked.len(),
            "the kill should cut requests short"
        );

        // Reading back every acknowledged customer takes more than 150 requests.
        let server = ServerProcess::start_with_env(BIN, &url, &["--demo"], NO_LIMITS).unwrap();
        let key = server.demo_key.clone().unwrap();
        for (id, name) in &acked {
            let r = client
                .get(format!("{}/customers/{id}", server.base_url))
                .header("Authorization", format!("Token {key}"))
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                StatusCode::OK,
                "acknowledged customer {id} was lost"
            );
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["first_name"], name.as_str());
        }
    }
}
