//! Tags, lead sources and job types.

use fieldwork_test_support::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

use crate::assert_id;

backend_tests! {
    async fn tags_create_list_rename() {
        let app = spawn_app().await;
        let r = app.post("/tags", json!({"name": "  emergency "})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_id(&r.body["id"], "tag");
        assert_eq!(r.body["name"], "emergency");
        let id = r.body["id"].as_str().unwrap().to_owned();
        app.post("/tags", json!({"name": "annual"})).await;
        let list = app.get("/tags?sort_by=name&sort_direction=asc").await;
        assert_eq!(list.body["total_items"], 2);
        assert_eq!(list.body["tags"][0]["name"], "annual");
        let r = app
            .put(&format!("/tags/{id}"), json!({"name": "urgent"}))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, json!({"id": id, "name": "urgent"}));
        // Renaming onto an existing name is refused.
        let r = app
            .put(&format!("/tags/{id}"), json!({"name": "annual"}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn lead_sources_create_filter_and_only_editable_ones_rename() {
        let app = spawn_app().await;
        let r = app.post("/lead_sources", json!({"name": "Radio ad"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(r.body["editable"], true);
        assert_id(&r.body["id"], "lsr");
        let id = r.body["id"].as_str().unwrap().to_owned();
        app.post("/lead_sources", json!({"name": "Billboard"}))
            .await;
        let r = app.get("/lead_sources?q=radio").await;
        assert_eq!(r.body["total_items"], 1);
        assert_eq!(r.body["lead_sources"][0]["name"], "Radio ad");
        let r = app
            .put(
                &format!("/lead_sources/{id}"),
                json!({"name": "Radio spot"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["name"], "Radio spot");

        let builtin = app
            .store
            .create_builtin_lead_source(&app.company_id, "Google")
            .await
            .unwrap();
        let r = app
            .put(
                &format!("/lead_sources/{}", builtin.id),
                json!({"name": "Bing"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.get("/lead_sources?q=google").await;
        assert_eq!(r.body["lead_sources"][0]["editable"], false);
        assert_eq!(r.body["lead_sources"][0]["name"], "Google");
    }

    async fn job_types_create_filter_rename() {
        let app = spawn_app().await;
        let r = app
            .post("/job_fields/job_types", json!({"name": "Drain cleaning"}))
            .await;
        // HCP answers this create with 200.
        assert_eq!(r.status, StatusCode::OK);
        assert_id(&r.body["id"], "jbt");
        let id = r.body["id"].as_str().unwrap().to_owned();
        app.post(
            "/job_fields/job_types",
            json!({"name": "Water heater install"}),
        )
        .await;
        let r = app.get("/job_fields/job_types?name=drain").await;
        assert_eq!(r.body["total_items"], 1);
        assert_eq!(r.body["job_types"][0]["id"], id.as_str());
        let r = app.get("/job_fields/job_types").await;
        assert_eq!(r.body["total_items"], 2);
        let r = app
            .put(
                &format!("/job_fields/job_types/{id}"),
                json!({"name": "Drain & sewer"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["name"], "Drain & sewer");
    }
}
