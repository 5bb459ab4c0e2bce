//! Request limits: the per-key rolling window, its headers, and the per-company concurrency cap.

use std::time::Duration;

use fieldwork_server::Config;
use fieldwork_store::{CompanyLimits, Plan};
use fieldwork_test_support::{Reply, TestApp, reply, spawn_app_with};
use reqwest::{Method, StatusCode};

/// A test app with the request limits on (the harness switches them off), after `tweak`.
pub async fn spawn_limited(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with(|c| {
        c.rate_limit_enabled = true;
        tweak(c);
    })
    .await
}

/// The value of a header of a reply, as text.
pub(crate) fn header<'a>(r: &'a Reply, name: &str) -> &'a str {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header; status {}", r.status))
        .to_str()
        .unwrap()
}

/// The draft `RateLimit` header's `r` and `t`, checked against the `X-RateLimit-*` ones.
pub(crate) fn remaining_and_reset(r: &Reply) -> (u64, u64) {
    let value = header(r, "ratelimit");
    let rest = value.strip_prefix("\"per-key\";r=").expect(value);
    let (remaining, reset) = rest.split_once(";t=").expect(value);
    assert_eq!(header(r, "x-ratelimit-remaining"), remaining);
    assert_eq!(header(r, "x-ratelimit-reset"), reset);
    (remaining.parse().unwrap(), reset.parse().unwrap())
}

backend_tests! {
    async fn the_150th_request_passes_and_the_151st_gets_429_with_headers() {
        let app = spawn_limited(|_| {}).await;
        for i in 1..=150u64 {
            let r = app.get("/company").await;
            assert_eq!(r.status, StatusCode::OK, "request {i}: {:?}", r.body);
            assert_eq!(header(&r, "ratelimit-policy"), "\"per-key\";q=150;w=60");
            assert_eq!(header(&r, "x-ratelimit-limit"), "150");
            let (remaining, reset) = remaining_and_reset(&r);
            assert_eq!(remaining, 150 - i, "request {i}");
            assert!((1..=61).contains(&reset), "reset {reset}");
        }
        let r = app.get("/company").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            r.body["message"].as_str().unwrap().contains("Rate limit exceeded"),
            "{:?}",
            r.body
        );
        assert_eq!(r.body.as_object().unwrap().len(), 1, "HCP's {{message}} shape");
        assert_eq!(header(&r, "ratelimit-policy"), "\"per-key\";q=150;w=60");
        let (remaining, reset) = remaining_and_reset(&r);
        assert_eq!(remaining, 0);
        let retry_after: u64 = header(&r, "retry-after").parse().unwrap();
        assert_eq!(retry_after, reset);
        // Up to a window and one slot (one second): the oldest slot counts until it has left.
        assert!((1..=61).contains(&retry_after), "Retry-After {retry_after}");
        // Errors made while over the limit are refused too: every request counts.
        let r = app.get("/customers/cus_00000000000000000000000000000000").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }

    async fn after_retry_after_seconds_a_request_passes_again() {
        // A 3-second window keeps the test short; the headers then say w=3.
        let app = spawn_limited(|c| {
            c.rate_limit_per_minute = 3;
            c.rate_limit_window_secs = 3;
        })
        .await;
        for _ in 0..3 {
            let r = app.get("/company").await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(header(&r, "ratelimit-policy"), "\"per-key\";q=3;w=3");
        }
        let refused = app.get("/company").await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = header(&refused, "retry-after").parse().unwrap();
        assert!((1..=4).contains(&retry_after), "Retry-After {retry_after}");
        tokio::time::sleep(Duration::from_secs(retry_after)).await;
        let r = app.get("/company").await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.headers);
    }

    async fn two_keys_have_separate_budgets_and_company_limits_apply_at_once() {
        let app = spawn_limited(|_| {}).await;
        let second = app.new_key(&app.company_id, "second").await;
        app.store
            .set_company_limits(
                &app.company_id,
                CompanyLimits { per_minute: Some(2), concurrency: None },
            )
            .await
            .unwrap();
        // The new limit applies without a restart.
        for _ in 0..2 {
            let r = app.get("/company").await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(header(&r, "x-ratelimit-limit"), "2");
        }
        assert_eq!(app.get("/company").await.status, StatusCode::TOO_MANY_REQUESTS);
        // The company's other key still has its own two.
        for _ in 0..2 {
            let r = app.call_as(&second, Method::GET, "/company", None).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        let r = app.call_as(&second, Method::GET, "/company", None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        // Another company's key is not affected by either.
        let (_, other) = app.new_company("Other Co", Plan::Max).await;
        let r = app.call_as(&other, Method::GET, "/company", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(header(&r, "x-ratelimit-remaining"), "149");
    }

    async fn unauthenticated_and_off_plan_requests_use_no_budget_and_carry_no_headers() {
        let app = spawn_limited(|c| c.rate_limit_per_minute = 2).await;
        for key in ["", "0123456789abcdef0123456789abcdef"] {
            for _ in 0..3 {
                let r = app.call_as(key, Method::GET, "/company", None).await;
                assert_eq!(r.status, StatusCode::UNAUTHORIZED);
                assert!(r.headers.get("ratelimit").is_none());
            }
        }
        let (_, basic_key) = app.new_company("Basic Co", Plan::Basic).await;
        for _ in 0..3 {
            let r = app.call_as(&basic_key, Method::GET, "/company", None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            assert!(r.headers.get("x-ratelimit-limit").is_none());
        }
        // None of those touched the budget of the app's key.
        let r = app.get("/company").await;
        assert_eq!(header(&r, "x-ratelimit-remaining"), "1");
    }

    async fn switched_off_limits_send_no_headers_and_refuse_nothing() {
        let app = spawn_app_with(|c| {
            c.rate_limit_enabled = false;
            c.rate_limit_per_minute = 1;
        })
        .await;
        for _ in 0..5 {
            let r = app.get("/company").await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.headers.get("ratelimit-policy").is_none());
        }
    }

    async fn requests_over_the_company_concurrency_cap_get_429() {
        // Writes wait for their commit, so 30 sent at once overlap in the server.
        let app = spawn_limited(|c| c.max_concurrent_requests_per_company = 1).await;
        let mut sends = tokio::task::JoinSet::new();
        for i in 0..30 {
            let request = app
                .client
                .post(format!("{}/customers", app.base_url))
                .header("Authorization", format!("Token {}", app.key))
                .json(&serde_json::json!({"first_name": format!("C{i}")}));
            sends.spawn(async move { reply(request.send().await.unwrap()).await });
        }
        let replies = sends.join_all().await;
        assert!(
            replies.iter().all(|r| r.status == StatusCode::CREATED
                || r.status == StatusCode::TOO_MANY_REQUESTS),
            "{replies:?}"
        );
        let refused: Vec<&Reply> = replies
            .iter()
            .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
            .collect();
        assert!(!refused.is_empty(), "30 writes at once never overlapped");
        let r = refused[0];
        assert!(
            r.body["message"].as_str().unwrap().contains("concurrent requests"),
            "{:?}",
            r.body
        );
        assert_eq!(header(r, "retry-after"), "1");
        // Refused for concurrency, the requests did not use up the key's window.
        let created = replies.len() - refused.len();
        let r = app.get("/company").await;
        assert_eq!(r.status, StatusCode::OK);
        let (remaining, _) = remaining_and_reset(&r);
        assert_eq!(remaining as usize, 150 - created - 1);
    }
}
