//! PostgreSQL going away: requests fail fast with 503, and the server — its API and its
//! webhook worker, which have connections of their own — recovers by itself.

use std::time::{Duration, Instant};

use fieldwork_test_support::{Backend, Receiver, postgres_admin_url, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

/// Runs one statement on the admin connection.
async fn admin(sql: &str) {
    let url = postgres_admin_url().expect("checked by Backend::run");
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client.batch_execute(sql).await.unwrap();
}

#[tokio::test]
async fn requests_fail_fast_while_the_database_is_gone_and_recover_after() {
    Backend::Postgres
        .run(async {
            let app = spawn_app().await;
            let receiver = Receiver::start().await;
            app.subscribe(&receiver, &["customer.created"]).await;
            // The worker has claimed on its connections before they are dropped.
            let r = app
                .post("/customers", json!({"first_name": "Before"}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED);
            receiver.wait_for(1, Duration::from_secs(15)).await;
            let db = app.database_url.rsplit('/').next().unwrap().to_owned();

            // What a restart looks like from here: every connection dropped, none accepted.
            admin(&format!(
                "alter database \"{db}\" allow_connections false;
                 select pg_terminate_backend(pid) from pg_stat_activity
                 where datname = '{db}' and pid <> pg_backend_pid();"
            ))
            .await;
            let started = Instant::now();
            let r = app.get("/customers").await;
            assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", r.body);
            assert!(r.body["message"].is_string(), "{:?}", r.body);
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "took {:?}",
                started.elapsed()
            );
            let r = app.post("/customers", json!({"first_name": "Gap"})).await;
            assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);

            // Back: the same server serves again without a restart.
            admin(&format!("alter database \"{db}\" allow_connections true")).await;
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let r = app.post("/customers", json!({"first_name": "After"})).await;
                if r.status == StatusCode::CREATED {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "no recovery: {} {:?}",
                    r.status,
                    r.body
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            assert_eq!(app.get("/customers").await.body["total_items"], 2);
            let got = receiver.wait_for(2, Duration::from_secs(15)).await;
            assert_eq!(got[1].body["customer"]["first_name"], "After");
        })
        .await;
}
