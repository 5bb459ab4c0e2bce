//! The per-key limit across server instances on one PostgreSQL database (`rate_limit_scope =
//! "shared"`, the default): two servers, each with its own store and pool, as two processes.

use fieldwork_server::Config;
use fieldwork_server::limits::Scope;
use fieldwork_store::CompanyLimits;
use fieldwork_test_support::{Backend, PeerServer, Reply, TestApp, reply};
use reqwest::StatusCode;

use crate::cli::run;
use crate::limits::{header, remaining_and_reset, spawn_limited};

/// A limited app and a second instance on its database with the same settings.
async fn two_instances(tweak: impl Fn(&mut Config)) -> (TestApp, PeerServer) {
    let app = spawn_limited(&tweak).await;
    let peer = app
        .spawn_peer(|c| {
            c.rate_limit_enabled = true;
            tweak(c);
        })
        .await;
    (app, peer)
}

/// `GET path` on the instance at `base` with `key`.
async fn get_at(app: &TestApp, base: &str, key: &str, path: &str) -> Reply {
    let request = app
        .client
        .get(format!("{base}{path}"))
        .header("Authorization", format!("Token {key}"));
    reply(request.send().await.expect("request sent")).await
}

/// Runs a PostgreSQL-only test (skipped without `FIELDWORK_TEST_POSTGRES_URL`).
async fn on_postgres(body: impl Future<Output = ()>) {
    Backend::Postgres.run(body).await;
}

#[tokio::test]
async fn the_150th_request_passes_and_the_151st_is_refused_on_either_instance() {
    on_postgres(async {
        let (app, peer) = two_instances(|_| {}).await;
        let bases = [app.base_url.clone(), peer.base_url.clone()];
        for i in 1..=150u64 {
            let r = get_at(&app, &bases[i as usize % 2], &app.key, "/company").await;
            assert_eq!(r.status, StatusCode::OK, "request {i}: {:?}", r.body);
            assert_eq!(header(&r, "ratelimit-policy"), "\"per-key\";q=150;w=60");
            assert_eq!(header(&r, "x-ratelimit-limit"), "150");
            let (remaining, reset) = remaining_and_reset(&r);
            assert_eq!(
                remaining,
                150 - i,
                "request {i}: one budget for both instances"
            );
            assert!((1..=61).contains(&reset), "reset {reset}");
        }
        for base in &bases {
            let r = get_at(&app, base, &app.key, "/company").await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{base}");
            assert!(
                r.body["message"]
                    .as_str()
                    .unwrap()
                    .contains("Rate limit exceeded"),
                "{:?}",
                r.body
            );
            assert_eq!(
                r.body.as_object().unwrap().len(),
                1,
                "HCP's {{message}} shape"
            );
            assert_eq!(header(&r, "ratelimit-policy"), "\"per-key\";q=150;w=60");
            let (remaining, reset) = remaining_and_reset(&r);
            assert_eq!(remaining, 0);
            let retry_after: u64 = header(&r, "retry-after").parse().unwrap();
            assert_eq!(retry_after, reset);
            assert!((1..=61).contains(&retry_after), "Retry-After {retry_after}");
        }
    })
    .await;
}

#[tokio::test]
async fn after_retry_after_seconds_a_request_passes_on_the_other_instance() {
    on_postgres(async {
        let (app, peer) = two_instances(|c| {
            c.rate_limit_per_minute = 3;
            c.rate_limit_window_secs = 3;
        })
        .await;
        for base in [&app.base_url, &peer.base_url, &app.base_url] {
            let r = get_at(&app, base, &app.key, "/company").await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(header(&r, "ratelimit-policy"), "\"per-key\";q=3;w=3");
        }
        let refused = get_at(&app, &peer.base_url, &app.key, "/company").await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = header(&refused, "retry-after").parse().unwrap();
        assert!((1..=4).contains(&retry_after), "Retry-After {retry_after}");
        tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
        let r = get_at(&app, &peer.base_url, &app.key, "/company").await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.headers);
    })
    .await;
}

#[tokio::test]
async fn keys_have_separate_budgets_and_a_limit_set_with_the_cli_applies_on_both() {
    on_postgres(async {
        let (app, peer) = two_instances(|_| {}).await;
        let second = app.new_key(&app.company_id, "second").await;
        let out = run(
            &app.database_url,
            &[
                "companies",
                "set-limit",
                &app.company_id,
                "--per-minute",
                "2",
            ],
        );
        assert!(out.contains("2 requests per API key per minute"), "{out}");
        for key in [&app.key, &second] {
            for base in [&app.base_url, &peer.base_url] {
                let r = get_at(&app, base, key, "/company").await;
                assert_eq!(r.status, StatusCode::OK);
                assert_eq!(header(&r, "x-ratelimit-limit"), "2");
            }
            for base in [&app.base_url, &peer.base_url] {
                let r = get_at(&app, base, key, "/company").await;
                assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
                assert_eq!(header(&r, "ratelimit-policy"), "\"per-key\";q=2;w=60");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn forty_requests_at_once_over_two_instances_admit_exactly_the_limit() {
    on_postgres(async {
        let (app, peer) = two_instances(|c| c.max_concurrent_requests_per_company = 1000).await;
        app.store
            .set_company_limits(
                &app.company_id,
                CompanyLimits {
                    per_minute: Some(25),
                    concurrency: None,
                },
            )
            .await
            .unwrap();
        let mut sends = tokio::task::JoinSet::new();
        for i in 0..40 {
            let base = if i % 2 == 0 {
                &app.base_url
            } else {
                &peer.base_url
            };
            let request = app
                .client
                .get(format!("{base}/company"))
                .header("Authorization", format!("Token {}", app.key));
            sends.spawn(async move { reply(request.send().await.unwrap()).await });
        }
        let replies = sends.join_all().await;
        let admitted = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        let refused = replies
            .iter()
            .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((admitted, refused), (25, 15), "{replies:?}");
        let mut remaining: Vec<u64> = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .map(|r| remaining_and_reset(r).0)
            .collect();
        remaining.sort_unstable();
        assert_eq!(
            remaining,
            (0..25).collect::<Vec<_>>(),
            "each admit saw every other"
        );
    })
    .await;
}

#[tokio::test]
async fn process_scope_keeps_a_window_per_instance() {
    on_postgres(async {
        let (app, peer) = two_instances(|c| {
            c.rate_limit_per_minute = 2;
            c.rate_limit_scope = Scope::Process;
        })
        .await;
        for base in [&app.base_url, &peer.base_url] {
            for _ in 0..2 {
                let r = get_at(&app, base, &app.key, "/company").await;
                assert_eq!(r.status, StatusCode::OK, "{base}");
            }
            let r = get_at(&app, base, &app.key, "/company").await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{base}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_broken_shared_window_falls_back_to_the_process_window_without_errors() {
    on_postgres(async {
        let app = spawn_limited(|c| c.rate_limit_per_minute = 2).await;
        assert_eq!(app.get("/company").await.status, StatusCode::OK);
        let (client, conn) = tokio_postgres::connect(&app.database_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute("drop table rate_windows")
            .await
            .unwrap();
        // The process window starts empty: two more pass, with the headers; then 429.
        for remaining in ["1", "0"] {
            let r = app.get("/company").await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            assert_eq!(header(&r, "x-ratelimit-remaining"), remaining);
        }
        assert_eq!(
            app.get("/company").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    })
    .await;
}
