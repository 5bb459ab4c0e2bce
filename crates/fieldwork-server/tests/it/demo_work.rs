//! The demo company's estimates and leads: counts and the variety of their states.

use fieldwork_test_support::spawn_app;
use reqwest::Method;
use serde_json::Value;

backend_tests! {
    async fn demo_estimates_and_leads_vary() {
        let app = spawn_app().await;
        let company = fieldwork_server::demo::ensure_demo_company(app.store.as_ref()).await.unwrap();
        let key = app.new_key(&company.id, "demo test").await;
        let get = |path: String| {
            let app = &app;
            let key = key.clone();
            async move { app.call_as(&key, Method::GET, &path, None).await.body }
        };
        let estimates = get("/estimates?page_size=200".into()).await;
        assert!(estimates["total_items"].as_u64().unwrap() >= 60);
        let options: Vec<&Value> = estimates["estimates"].as_array().unwrap().iter()
            .flat_map(|e| e["options"].as_array().unwrap()).collect();
        let count = |status: &str| options.iter().filter(|o| o["approval_status"] == status).count();
        assert!(count("pro approved") >= 10 && count("pro declined") >= 10, "{} {}", count("pro approved"), count("pro declined"));
        assert!(options.iter().all(|o| o["total_amount"].as_i64().unwrap() > 0));
        // Every approved option became a job whose money is the option's.
        for o in options.iter().filter(|o| o["approval_status"] == "pro approved") {
            let job = get(format!("/jobs/{}", o["copied_on_approval_to_job_id"].as_str().unwrap())).await;
            assert_eq!(job["total_amount"], o["total_amount"]);
        }
        let scheduled = get("/estimates?work_status[]=scheduled".into()).await["total_items"].as_u64().unwrap();
        assert!(scheduled > 0 && scheduled < 60);
        assert_eq!(get("/leads".into()).await["total_items"], 40);
        for status in ["open", "won", "lost"] {
            let n = get(format!("/leads?status={status}")).await["total_items"].as_u64().unwrap();
            assert!(n >= 4, "{status}: {n}");
        }
    }
}
