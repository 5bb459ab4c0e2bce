//! Keys, plans and tenant isolation.

use std::time::Duration;

use fieldwork_store::Plan;
use fieldwork_test_support::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::full_customer;

backend_tests! {
    async fn missing_unknown_and_wrong_scheme_keys_get_401() {
        let app = spawn_app().await;
        for key in ["", "0123456789abcdef0123456789abcdef"] {
            let r = app.call_as(key, Method::GET, "/customers", None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            assert_eq!(r.body, json!({"message": "Unauthorized"}));
        }
        let r = app
            .client
            .get(format!("{}/customers", app.base_url))
            .header("Authorization", format!("Bearer {}", app.key))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // Every operation requires the key, including writes.
        let r = app
            .call_as("", Method::POST, "/tags", Some(&json!({"name": "x"})))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }

    async fn a_revoked_key_stops_working_at_once() {
        let app = spawn_app().await;
        let key = app.new_key(&app.company_id, "second").await;
        assert_eq!(
            app.call_as(&key, Method::GET, "/company", None)
                .await
                .status,
            StatusCode::OK
        );
        let keys = app.store.list_api_keys(&app.company_id).await.unwrap();
        let id = &keys.iter().find(|k| k.name == "second").unwrap().id;
        app.store.revoke_api_key(id).await.unwrap();
        let r = app.call_as(&key, Method::GET, "/company", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        // The other key of the company still works.
        assert_eq!(app.get("/company").await.status, StatusCode::OK);
    }

    async fn last_used_time_is_recorded_without_a_write_per_request() {
        let app = spawn_app().await;
        let before = app.store.list_api_keys(&app.company_id).await.unwrap();
        assert!(before[0].last_used_at.is_none());
        for _ in 0..5 {
            app.get("/company").await;
        }
        // Flushed every second in tests.
        let mut used = None;
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            used = app.store.list_api_keys(&app.company_id).await.unwrap()[0].last_used_at;
            if used.is_some() {
                break;
            }
        }
        assert!(used.is_some(), "last_used_at was never written");
    }

    async fn companies_off_the_max_plan_get_403() {
        let app = spawn_app().await;
        for plan in [Plan::Basic, Plan::Essentials] {
            let (company_id, key) = app.new_company("Small Co", plan).await;
            let r = app.call_as(&key, Method::GET, "/customers", None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            assert!(
                r.body["message"].as_str().unwrap().contains("MAX plan"),
                "{:?}",
                r.body
            );
            app.store
                .set_company_plan(&company_id, Plan::Max)
                .await
                .unwrap();
            let r = app.call_as(&key, Method::GET, "/customers", None).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        // Moving a company off max takes effect at once.
        app.store
            .set_company_plan(&app.company_id, Plan::Basic)
            .await
            .unwrap();
        assert_eq!(app.get("/company").await.status, StatusCode::FORBIDDEN);
    }

    async fn one_company_never_sees_anothers_objects() {
        let app = spawn_app().await;
        let (_, other_key) = app.new_company("Other Co", Plan::Max).await;
        let customer = app.create_customer(full_customer("Ada")).await;
        let id = customer["id"].as_str().unwrap();
        let address_id = customer["addresses"][0]["id"].as_str().unwrap();
        let tag = app.post("/tags", json!({"name": "mine"})).await.body;
        let vendor = app
            .post("/vendors", json!({"name": "Ferguson Supply"}))
            .await
            .body;
        let source = app
            .post("/lead_sources", json!({"name": "Mine"}))
            .await
            .body;
        let job_type = app
            .post("/job_fields/job_types", json!({"name": "Mine"}))
            .await
            .body;

        let as_other = |method: Method, path: String, body: Option<serde_json::Value>| {
            let app = &app;
            let key = other_key.clone();
            async move { app.call_as(&key, method, &path, body.as_ref()).await }
        };
        let cases = [
            (Method::GET, format!("/customers/{id}"), None, "customer"),
            (
                Method::PUT,
                format!("/customers/{id}"),
                Some(json!({"first_name": "X"})),
                "customer",
            ),
            (
                Method::GET,
                format!("/customers/{id}/addresses"),
                None,
                "customer",
            ),
            (
                Method::GET,
                format!("/customers/{id}/addresses/{address_id}"),
                None,
                "customer",
            ),
            (
                Method::POST,
                format!("/customers/{id}/addresses"),
                Some(
                    json!({"street": "1 A St", "city": "B", "state": "CA", "zip": "94110", "country": "USA"}),
                ),
                "customer",
            ),
            (
                Method::PUT,
                format!("/tags/{}", tag["id"].as_str().unwrap()),
                Some(json!({"name": "x"})),
                "tag",
            ),
            (
                Method::GET,
                format!("/vendors/{}", vendor["id"].as_str().unwrap()),
                None,
                "vendor",
            ),
            (
                Method::DELETE,
                format!("/vendors/{}", vendor["id"].as_str().unwrap()),
                None,
                "vendor",
            ),
            (
                Method::PUT,
                format!("/lead_sources/{}", source["id"].as_str().unwrap()),
                Some(json!({"name": "x"})),
                "lead source",
            ),
            (
                Method::PUT,
                format!("/job_fields/job_types/{}", job_type["id"].as_str().unwrap()),
                Some(json!({"name": "x"})),
                "job type",
            ),
        ];
        for (method, path, body, what) in cases {
            let r = as_other(method.clone(), path.clone(), body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(
                r.body,
                json!({"error": {"message": format!("{what} not found")}}),
                "{method} {path}"
            );
        }
        for path in [
            "/customers",
            "/tags",
            "/vendors",
            "/lead_sources",
            "/job_fields/job_types",
        ] {
            let r = app.call_as(&other_key, Method::GET, path, None).await;
            assert_eq!(r.body["total_items"], 0, "{path} leaks: {:?}", r.body);
        }
        let r = app
            .call_as(&other_key, Method::GET, "/customers?q=Ada", None)
            .await;
        assert_eq!(r.body["total_items"], 0);
        // The owner still has everything, unchanged.
        let r = app.get(&format!("/customers/{id}")).await;
        assert_eq!(r.body["first_name"], "Ada");
        assert_eq!(
            app.get(&format!("/vendors/{}", vendor["id"].as_str().unwrap()))
                .await
                .status,
            StatusCode::OK
        );
    }
}
