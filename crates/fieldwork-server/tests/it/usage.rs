//! Usage figures: counted per key and minute without a write per request, read by `GET /usage`.

use fieldwork_store::time::now_micros;
use fieldwork_store::usage::{MINUTE_MICROS, minute_of};
use fieldwork_store::{CompanyLimits, Plan, UsageCounts, UsageDelta};
use fieldwork_test_support::spawn_app;

use crate::limits::spawn_limited;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The totals object of `GET /usage` with these counts.
fn totals(requests: i64, rate_limited: i64, client_errors: i64, server_errors: i64) -> Value {
    json!({
        "requests": requests, "rate_limited": rate_limited,
        "client_errors": client_errors, "server_errors": server_errors
    })
}

backend_tests! {
    async fn usage_figures_match_what_was_sent_by_key_name() {
        let app = spawn_limited(|_| {}).await;
        let zapier = app.new_key(&app.company_id, "zapier").await;
        app.store
            .set_company_limits(
                &app.company_id,
                CompanyLimits { per_minute: Some(6), concurrency: None },
            )
            .await
            .unwrap();
        // The app's key: 4 OK, 1 404, 1 400, then 2 refused with 429.
        for _ in 0..4 {
            assert_eq!(app.get("/company").await.status, StatusCode::OK);
        }
        let missing = app.get("/customers/cus_00000000000000000000000000000000").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/customers?page=x").await.status, StatusCode::BAD_REQUEST);
        for _ in 0..2 {
            assert_eq!(app.get("/company").await.status, StatusCode::TOO_MANY_REQUESTS);
        }
        // The second key: 3 OK.
        for _ in 0..3 {
            let r = app.call_as(&zapier, Method::GET, "/tags", None).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        // Requests without a valid key count for nobody.
        app.call_as("", Method::GET, "/company", None).await;
        // Another company's usage is not shown.
        let (_, other) = app.new_company("Other Co", Plan::Max).await;
        app.call_as(&other, Method::GET, "/company", None).await;

        let r = app.call_as(&zapier, Method::GET, "/usage", None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let u = r.body;
        assert_eq!(u["totals"], totals(11, 2, 4, 0), "{u:#}");
        let keys = u["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2, "{u:#}");
        assert_eq!(keys[0]["key_name"], "test key");
        assert_eq!(keys[0]["totals"], totals(8, 2, 4, 0));
        assert_eq!(keys[1]["key_name"], "zapier");
        assert_eq!(keys[1]["totals"], totals(3, 0, 0, 0));
        assert!(keys[1]["key_id"].as_str().unwrap().starts_with("key_"));
        // Minutes add up to the key's totals.
        for key in keys {
            let sum: i64 = key["minutes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["requests"].as_i64().unwrap())
                .sum();
            assert_eq!(Value::from(sum), key["totals"]["requests"]);
            let minute = key["minutes"][0]["minute"].as_str().unwrap();
            assert!(minute.ends_with(":00Z"), "{minute}");
        }

        // The /usage request itself is counted, and shows in the next read.
        let u = app.call_as(&zapier, Method::GET, "/usage", None).await.body;
        assert_eq!(u["keys"][1]["totals"], totals(4, 0, 0, 0), "{u:#}");
    }

    async fn usage_ranges_are_validated_and_respected() {
        let app = spawn_app().await;
        app.get("/company").await;
        let r = app.get("/usage?start=yesterday").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.body,
            json!({
                "message": "start must be an RFC 3339 time or unix seconds",
                "start": "must be an RFC 3339 time or unix seconds"
            })
        );
        let r = app.get("/usage?start=2026-11-27T10:00:00Z&end=2026-11-27T09:00:00Z").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"], json!({"start": ["must be before end"]}));
        let r = app.get("/usage?start=0").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // A range in the past holds nothing; one around now holds the request made above.
        let now = now_micros() / 1_000_000;
        let r = app.get(&format!("/usage?start={}&end={}", now - 7200, now - 3600)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["totals"]["requests"], 0);
        assert_eq!(r.body["keys"], json!([]));
        let r = app.get(&format!("/usage?start={}&end={}", now - 60, now + 60)).await;
        assert_eq!(r.body["totals"]["requests"], 5, "{:#}", r.body);
        // Unauthenticated: 401 like every operation.
        let r = app.call_as("", Method::GET, "/usage", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }

    async fn stored_minutes_add_up_and_old_ones_are_pruned() {
        let app = spawn_app().await;
        let keys = app.store.list_api_keys(&app.company_id).await.unwrap();
        let key_id = keys[0].id.clone();
        let now = minute_of(now_micros());
        let old = now - 31 * 24 * 60 * MINUTE_MICROS;
        let delta = |minute: i64, requests: i64| UsageDelta {
            company_id: app.company_id.clone(),
            key_id: key_id.clone(),
            minute,
            counts: UsageCounts { requests, rate_limited: 1, client_errors: 2, server_errors: 3 },
        };
        app.store
            .add_usage(vec![delta(old, 1), delta(now, 5)], None)
            .await
            .unwrap();
        app.store.add_usage(vec![delta(now, 2)], None).await.unwrap();
        let rows = app
            .store
            .list_usage(&app.company_id, old, now + MINUTE_MICROS)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].counts, UsageCounts {
            requests: 7,
            rate_limited: 2,
            client_errors: 4,
            server_errors: 6
        });
        assert_eq!(rows[1].key_name, "test key");
        app.store
            .add_usage(Vec::new(), Some(now - 30 * 24 * 60 * MINUTE_MICROS))
            .await
            .unwrap();
        let rows = app
            .store
            .list_usage(&app.company_id, old, now + MINUTE_MICROS)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].minute, now);
    }
}
