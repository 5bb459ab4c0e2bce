//! Setting webhooks up: HCP's subscription, endpoints, secrets and rotation, the SSRF guard,
//! the event catalog, the message log.

use std::time::Duration;

use base64::Engine;
use fieldwork_store::webhooks::NewEndpoint;
use fieldwork_test_support::{Receiver, spawn_app, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::new_job;

const WAIT: Duration = Duration::from_secs(15);

backend_tests! {
    async fn hcp_subscription_enables_and_disables() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        let r = app.post("/webhooks/subscription", json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a first subscription needs a url");
        let r = app.post("/webhooks/subscription", json!({"url": receiver.url, "events": ["job.created"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["primary"], true);
        assert_eq!(r.body["enabled"], true);
        let id = r.body["id"].as_str().unwrap().to_owned();
        // Subscribing again updates the same endpoint.
        let r = app.post("/webhooks/subscription", json!({"url": receiver.url, "events": ["job.created", "job.completed"]})).await;
        assert_eq!(r.body["id"], id.as_str());
        assert_eq!(r.body["events"], json!(["job.completed", "job.created"]));
        let list = app.get("/webhooks/endpoints").await.body;
        assert_eq!(list["endpoints"].as_array().unwrap().len(), 1);

        let secret = app.get(&format!("/webhooks/endpoints/{id}/secret")).await.body;
        receiver.set_secrets(vec![secret["secret"].as_str().unwrap().to_owned()]);
        new_job(&app, json!({})).await;
        assert!(receiver.wait_for(1, WAIT).await[0].verified_by(0));

        let r = app.delete("/webhooks/subscription").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["enabled"], false);
        new_job(&app, json!({})).await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(receiver.deliveries().len(), 1, "unsubscribed: nothing more");
        // Subscribing with no body enables the endpoint again, as in HCP.
        let r = app.post("/webhooks/subscription", json!({})).await;
        assert_eq!(r.body["enabled"], true);
        assert_eq!(app.delete("/webhooks/subscription").await.status, StatusCode::OK);
        assert_eq!(app.delete("/webhooks/subscription").await.status, StatusCode::OK);
    }

    async fn endpoints_crud_secrets_and_tenancy() {
        let app = spawn_app().await;
        let r = app.post("/webhooks/endpoints", json!({
            "url": "http://127.0.0.1:9/a", "events": ["job.created", "customer.created"],
            "description": "CRM sync"
        })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let e = r.body;
        crate::assert_id(&e["id"], "wep");
        assert_eq!(e["events"], json!(["customer.created", "job.created"]));
        assert_eq!(e["description"], "CRM sync");
        assert!(e.get("secret").is_none(), "the secret is only at /secret");
        let id = e["id"].as_str().unwrap();

        let s = app.get(&format!("/webhooks/endpoints/{id}/secret")).await.body;
        let secret = s["secret"].as_str().unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        assert_eq!(raw.len(), 32);

        let r = app.put(&format!("/webhooks/endpoints/{id}"), json!({"events": [], "enabled": false})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["events"], json!([]));
        assert_eq!(r.body["enabled"], false);
        assert_eq!(r.body["disabled_reason"], "disabled through the API");
        assert_eq!(app.get(&format!("/webhooks/endpoints/{id}")).await.body["enabled"], false);

        for bad in [
            json!({"url": "http://127.0.0.1:9/a", "events": ["job.cancelled"]}),
            json!({"url": "ftp://127.0.0.1/a"}),
            json!({}),
            json!({"url": "http://127.0.0.1:9/a", "events": "job.created"}),
        ] {
            let r = app.post("/webhooks/endpoints", bad.clone()).await;
            assert!(r.status.is_client_error(), "{bad}: {:?}", r.body);
        }

        let (_, other) = app.new_company("Other", fieldwork_store::Plan::Max).await;
        for (m, p) in [
            (Method::GET, format!("/webhooks/endpoints/{id}")),
            (Method::GET, format!("/webhooks/endpoints/{id}/secret")),
            (Method::DELETE, format!("/webhooks/endpoints/{id}")),
            (Method::POST, format!("/webhooks/endpoints/{id}/test")),
        ] {
            let r = app.call_as(&other, m, &p, Some(&json!({}))).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{p}");
        }
        assert_eq!(app.delete(&format!("/webhooks/endpoints/{id}")).await.status, StatusCode::NO_CONTENT);
        assert_eq!(app.get(&format!("/webhooks/endpoints/{id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/webhooks/endpoints").await.body, json!({"endpoints": []}));
    }

    async fn rotation_signs_with_both_secrets_during_the_grace_period() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        let id = app.subscribe(&receiver, &["job.created"]).await;
        let old = app.get(&format!("/webhooks/endpoints/{id}/secret")).await.body["secret"].clone();
        let r = app.post(&format!("/webhooks/endpoints/{id}/secret/rotate"), json!({"grace_period_secs": 2})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let new = r.body["secret"].clone();
        assert_ne!(old, new);
        assert!(r.body["previous_secret_expires_at"].is_string());
        receiver.set_secrets(vec![old.as_str().unwrap().into(), new.as_str().unwrap().into()]);

        new_job(&app, json!({})).await;
        let during = receiver.wait_for(1, WAIT).await;
        assert!(during[0].verified_by(0) && during[0].verified_by(1), "both verify in the grace period");

        tokio::time::sleep(Duration::from_millis(2200)).await;
        new_job(&app, json!({})).await;
        let after = receiver.wait_for(2, WAIT).await;
        assert!(after[1].verified_by(1), "the new secret verifies");
        assert!(!after[1].hcp_verified.contains(&0) && !after[1].standard_verified.contains(&0),
            "the old secret no longer verifies");
        let r = app.post(&format!("/webhooks/endpoints/{id}/secret/rotate"), json!({"grace_period_secs": 99999999})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn ssrf_is_refused_at_creation_and_at_connect_time() {
        let app = spawn_app_with(|c| c.webhook_allow_loopback = false).await;
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost:8080/hook",
            "http://[::1]/hook",
            "http://10.0.0.7/hook",
            "http://192.168.1.20/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/hook",
            "http://0.0.0.0/hook",
        ] {
            let r = app.post("/webhooks/endpoints", json!({"url": url})).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {:?}", r.body);
            assert!(r.body["errors"]["url"][0].as_str().unwrap().contains("may not reach"), "{:?}", r.body);
            let r = app.post("/webhooks/subscription", json!({"url": url})).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        }
        // Endpoints stored before the guard (here: straight into the store) are refused when
        // connecting: both an IP literal and a name that resolves to loopback.
        let receiver = Receiver::start().await;
        let by_name = receiver.url.replace("127.0.0.1", "localhost");
        for url in [receiver.url.clone(), by_name] {
            app.store.create_webhook_endpoint(&app.company_id, NewEndpoint {
                url, description: String::new(), event_types: vec![], is_primary: false,
                secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0".into(),
            }).await.unwrap();
        }
        new_job(&app, json!({})).await;
        let endpoints = app.get("/webhooks/endpoints").await.body["endpoints"].as_array().unwrap().clone();
        for e in endpoints {
            let id = e["id"].as_str().unwrap();
            let deadline = std::time::Instant::now() + WAIT;
            let attempt = loop {
                let a = app.get(&format!("/webhooks/endpoints/{id}/attempts")).await.body;
                if let Some(first) = a["attempts"].as_array().and_then(|l| l.first()).cloned() {
                    break first;
                }
                assert!(std::time::Instant::now() < deadline, "no attempt logged");
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            assert_eq!(attempt["response_status_code"], Value::Null);
            let error = attempt["error"].as_str().unwrap();
            assert!(error.contains("loopback") || error.contains("may not reach"), "{error}");
        }
        assert!(receiver.deliveries().is_empty());

        // Private networks allowed: metadata and link-local stay refused.
        let open = spawn_app_with(|c| c.webhook_allow_private_networks = true).await;
        assert_eq!(open.post("/webhooks/endpoints", json!({"url": "http://10.0.0.7/hook"})).await.status, StatusCode::CREATED);
        for url in ["http://169.254.169.254/", "http://[fe80::1]/", "http://[fd00:ec2::254]/"] {
            let r = open.post("/webhooks/endpoints", json!({"url": url})).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        }
    }

    async fn event_catalog_and_recent_payloads() {
        let app = spawn_app().await;
        let r = app.get("/webhooks/event_types").await;
        assert_eq!(r.status, StatusCode::OK);
        let types = r.body["event_types"].as_array().unwrap();
        assert_eq!(types.len(), 41);
        for t in types {
            let name = t["name"].as_str().unwrap();
            assert!(!t["description"].as_str().unwrap().is_empty(), "{name}");
            assert_eq!(t["example"]["event"], name);
            assert!(t["example"]["company_id"].is_string(), "{name}");
        }
        let names: Vec<_> = types.iter().map(|t| t["name"].as_str().unwrap()).collect();
        for must in ["customer.created", "job.appointment.appointment_pros_unassigned",
                     "estimate.option.approval_status_changed", "estimate.copy_to_job",
                     "invoice.refund.succeeded", "lead.lost", "employee.created"] {
            assert!(names.contains(&must), "{must}");
        }

        let a = new_job(&app, json!({})).await;
        let b = new_job(&app, json!({})).await;
        new_job(&app, json!({})).await;
        let r = app.get("/webhooks/event_types?name=job.created&recent=2").await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let recent = r.body["recent"].as_array().unwrap();
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0]["event"], "job.created");
        assert_ne!(recent[0]["job"]["id"], a["id"], "newest first");
        assert_eq!(recent[1]["job"]["id"], b["id"]);
        assert_eq!(app.get("/webhooks/event_types?recent=2").await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.get("/webhooks/event_types?name=nope").await.status, StatusCode::BAD_REQUEST);
    }

    async fn the_message_log_filters_and_pages() {
        let app = spawn_app().await;
        let job = new_job(&app, json!({})).await;
        let id = job["id"].as_str().unwrap();
        app.post(&format!("/jobs/{id}/start"), json!({})).await;
        app.post(&format!("/jobs/{id}/finish"), json!({})).await;
        let all = app.get("/webhooks/messages").await;
        assert_eq!(all.status, StatusCode::OK);
        let msgs = all.body["messages"].as_array().unwrap();
        let events: Vec<_> = msgs.iter().map(|m| m["event"].as_str().unwrap()).collect();
        assert_eq!(
            events,
            ["invoice.created", "job.completed", "job.started", "job.created", "customer.created"],
            "newest first"
        );
        assert_eq!(msgs[1]["payload"]["job"]["id"], id);
        crate::assert_id(&msgs[0]["id"], "msg");
        let started = app.get("/webhooks/messages?event=job.started").await.body;
        assert_eq!(started["total_items"], 1);
        let page = app.get("/webhooks/messages?page_size=2&page=3").await.body;
        assert_eq!(page["messages"].as_array().unwrap().len(), 1);
        assert_eq!(page["total_pages"], 3);
        let none = app.get("/webhooks/messages?since=2999-01-01T00:00:00Z").await.body;
        assert_eq!(none["total_items"], 0);
        let old = app.get("/webhooks/messages?until=2000-01-01T00:00:00Z").await.body;
        assert_eq!(old["total_items"], 0);
        assert_eq!(app.get("/webhooks/messages?event=bogus").await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.get("/webhooks/messages?since=yesterday").await.status, StatusCode::BAD_REQUEST);
    }
}
