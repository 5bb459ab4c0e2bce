//! What the list and search speed-ups must not change: totals kept per company, deep pages
//! found from either end, searches scoped to the company, cached key lookups that still see a
//! revocation made by another process.

use std::process::Command;

use fieldwork_store::Plan;
use fieldwork_test_support::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Ids of a list response, in order.
fn ids(body: &Value) -> Vec<String> {
    body["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Creates `n` customers in the company of `key`, one at a time (distinct `created_at`s are
/// not needed: ties are broken by insertion order).
async fn create_many(app: &TestApp, key: &str, first: &str, n: usize) {
    for i in 0..n {
        let body = json!({"first_name": format!("{first}{i}"), "last_name": "Okafor"});
        let r = app
            .call_as(key, Method::POST, "/customers", Some(&body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
}

backend_tests! {
    async fn totals_are_per_company_and_follow_inserts() {
        let app = spawn_app().await;
        let (_, other) = app.new_company("Other Co", Plan::Max).await;
        assert_eq!(app.get("/customers").await.body["total_items"], 0);
        create_many(&app, &app.key, "Mine", 3).await;
        create_many(&app, &other, "Theirs", 5).await;
        create_many(&app, &app.key, "Mine", 2).await;
        assert_eq!(app.get("/customers").await.body["total_items"], 5);
        let theirs = app.call_as(&other, Method::GET, "/customers", None).await.body;
        assert_eq!(theirs["total_items"], 5);
        assert_eq!(theirs["total_pages"], 1);
        // A page past the end still carries the total.
        let past = app.get("/customers?page=9&page_size=2").await.body;
        assert_eq!(past["total_items"], 5);
        assert_eq!(past["customers"], json!([]));
    }

    async fn every_page_matches_the_full_list_in_every_order() {
        let app = spawn_app().await;
        create_many(&app, &app.key, "Ada", 23).await;
        // One update, so updated_at order differs from created_at order.
        let all = app.get("/customers?page_size=100").await.body;
        let oldest = ids(&all).last().unwrap().clone();
        let r = app
            .put(&format!("/customers/{oldest}"), json!({"notes": "touched"}))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        for sort in ["created_at", "updated_at", "first_name"] {
            for dir in ["asc", "desc"] {
                let q = format!("sort_by={sort}&sort_direction={dir}");
                let full = ids(&app.get(&format!("/customers?page_size=100&{q}")).await.body);
                assert_eq!(full.len(), 23);
                let mut paged = Vec::new();
                // Pages 4 and 5 are past the middle: found from the far end of the index.
                for page in 1..=5 {
                    let body = app
                        .get(&format!("/customers?page={page}&page_size=5&{q}"))
                        .await
                        .body;
                    assert_eq!(body["total_items"], 23, "{q} page {page}");
                    paged.extend(ids(&body));
                }
                assert_eq!(paged, full, "{q}");
                // A search that matches everyone pages in the same order.
                let mut searched = Vec::new();
                for page in 1..=5 {
                    let body = app
                        .get(&format!("/customers?q=okafor&page={page}&page_size=5&{q}"))
                        .await
                        .body;
                    assert_eq!(body["total_items"], 23, "q=okafor {q} page {page}");
                    searched.extend(ids(&body));
                }
                assert_eq!(searched, full, "q=okafor {q}");
            }
        }
    }

    async fn searches_never_see_another_companys_customers() {
        let app = spawn_app().await;
        let (_, other) = app.new_company("Other Co", Plan::Max).await;
        let same = json!({"first_name": "Zebedee", "last_name": "Quist", "email": "zq@example.com",
                          "addresses": [{"street": "12 Yarrow Lane", "city": "Ely", "state": "NV",
                                         "zip": "89301", "country": "USA"}]});
        for key in [&app.key, &other, &other] {
            let r = app.call_as(key, Method::POST, "/customers", Some(&same)).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        // Long terms (index match), a short one (filter), mixed, and no match at all.
        for (q, mine, theirs) in [
            ("zebedee", 1, 2),
            ("yarrow quist", 1, 2),
            ("ly", 1, 2),
            ("zq el", 1, 2),
            ("zebedeez", 0, 0),
        ] {
            let path = format!("/customers?q={}", q.replace(' ', "+"));
            let body = app.get(&path).await.body;
            assert_eq!(body["total_items"], mine, "q={q}");
            assert_eq!(ids(&body).len(), mine, "q={q}");
            let body = app.call_as(&other, Method::GET, &path, None).await.body;
            assert_eq!(body["total_items"], theirs, "q={q}");
        }
        // A search page past the end still counts the matches.
        let body = app
            .call_as(&other, Method::GET, "/customers?q=quist&page=3&page_size=1", None)
            .await
            .body;
        assert_eq!(body["total_items"], 2);
        assert_eq!(body["customers"], json!([]));
        // An update is searchable by its new text and no longer by the old.
        let mine = ids(&app.get("/customers?q=zebedee").await.body).remove(0);
        app.put(&format!("/customers/{mine}"), json!({"first_name": "Ottoline"}))
            .await;
        assert_eq!(app.get("/customers?q=ottoline").await.body["total_items"], 1);
        assert_eq!(app.get("/customers?q=zebedee").await.body["total_items"], 0);
        let r = app
            .post(&format!("/customers/{mine}/addresses"), json!({"street": "9 Wisteria Row", "city": "Ely", "state": "NV", "zip": "89301", "country": "USA"}))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(app.get("/customers?q=wisteria").await.body["total_items"], 1);
    }

    async fn a_key_revoked_by_another_process_stops_working_at_once() {
        let app = spawn_app().await;
        let key = app.new_key(&app.company_id, "second").await;
        // Used a few times first, so a cache would hold it.
        for _ in 0..3 {
            let r = app.call_as(&key, Method::GET, "/customers", None).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        let keys = app.store.list_api_keys(&app.company_id).await.unwrap();
        let id = &keys.iter().find(|k| k.name == "second").unwrap().id;
        let out = Command::new(env!("CARGO_BIN_EXE_fieldwork"))
            .args(["--database", &app.database_url, "keys", "revoke", id])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let r = app.call_as(&key, Method::GET, "/customers", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get("/customers").await.status, StatusCode::OK);
    }
}
