//! `GET /webhooks/stream` delivers the company's events live as Server-Sent Events.

use std::time::Duration;

use fieldwork_test_support::spawn_app;
use serde_json::{Value, json};

use super::new_job;

/// Takes the complete events off the front of `text` until a `job.created`, and returns its
/// data (after checking it has an id).
fn next_job_event(text: &mut String) -> Option<Value> {
    while let Some(end) = text.find("\n\n") {
        let event: Vec<String> = text[..end].lines().map(str::to_owned).collect();
        text.drain(..end + 2);
        if event.iter().any(|l| l == "event: job.created") {
            assert!(event.iter().any(|l| l.starts_with("id: ")), "{event:?}");
            let data = event.iter().find_map(|l| l.strip_prefix("data: ")).unwrap();
            return Some(serde_json::from_str(data).unwrap());
        }
    }
    None
}

backend_tests! {
    async fn the_stream_delivers_events_live() {
        let app = spawn_app().await;
        let before = new_job(&app, json!({})).await;
        let mut response = app
            .client
            .get(format!("{}/webhooks/stream", app.base_url))
            .header("Authorization", format!("Token {}", app.key))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let job = new_job(&app, json!({})).await;
        let mut text = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let data = loop {
            let chunk = tokio::time::timeout_at(deadline, response.chunk())
                .await
                .expect("an event within 10 s")
                .unwrap()
                .expect("stream open");
            text.push_str(&String::from_utf8_lossy(&chunk));
            // The new customer's `customer.created` comes first: read up to the job's event.
            if let Some(found) = next_job_event(&mut text) {
                break found;
            }
        };
        // Only events after the stream opened, with the envelope as delivered.
        assert_eq!(data["job"]["id"], job["id"]);
        assert_ne!(data["job"]["id"], before["id"]);
        assert_eq!(data["company_id"], app.company_id.as_str());
        let r = app.call_as("", reqwest::Method::GET, "/webhooks/stream", None).await;
        assert_eq!(r.status, 401);
    }
}

backend_tests! {
    async fn fieldwork_listen_forwards_events_to_a_local_url() {
        let app = spawn_app().await;
        let receiver = fieldwork_test_support::Receiver::start().await;
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_fieldwork"))
            .args(["listen", "--server", &app.base_url, "--forward-to", &receiver.url])
            .env("FIELDWORK_API_KEY", &app.key)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        // The stream starts at its connection: create jobs until one is forwarded.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        let forwarded = loop {
            let job = new_job(&app, json!({})).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            if let Some(d) = receiver.deliveries().into_iter().find(|d| d.body["job"]["id"] == job["id"]) {
                break d;
            }
            assert!(tokio::time::Instant::now() < deadline, "nothing forwarded");
        };
        assert_eq!(forwarded.event(), "job.created");
        assert_eq!(forwarded.body["company_id"], app.company_id.as_str());
        let _ = child.kill().await;
    }
}
