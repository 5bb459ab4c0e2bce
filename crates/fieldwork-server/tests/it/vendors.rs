//! Vendors (Fieldwork's addition).

use fieldwork_test_support::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::assert_id;

backend_tests! {
    async fn vendor_crud() {
        let app = spawn_app().await;
        let body = json!({
            "name": "Ferguson Plumbing Supply", "contact_name": "Dana Wu",
            "email": "orders@ferguson.example", "phone": "(415) 555-0100",
            "address": {"street": "200 Supply Rd", "city": "Oakland", "state": "CA", "zip": "94607", "country": "USA"},
            "notes": "Net 30", "tags": ["pipe", "fittings"]
        });
        let r = app.post("/vendors", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_id(&r.body["id"], "ven");
        assert_eq!(r.body["address"]["street_line_2"], Value::Null);
        assert_eq!(r.body["tags"], json!(["pipe", "fittings"]));
        let id = r.body["id"].as_str().unwrap().to_owned();
        let minimal = app.post("/vendors", json!({"name": "Grainger"})).await.body;
        assert_eq!(minimal["address"], Value::Null);
        assert_eq!(minimal["email"], Value::Null);

        let list = app
            .get("/vendors?page_size=1&sort_by=name&sort_direction=asc")
            .await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.body["total_items"], 2);
        assert_eq!(list.body["total_pages"], 2);
        assert_eq!(list.body["vendors"][0]["name"], "Ferguson Plumbing Supply");
        assert_eq!(app.get("/vendors?q=dana").await.body["total_items"], 1);

        let r = app
            .put(
                &format!("/vendors/{id}"),
                json!({"phone": null, "notes": "Net 45"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["phone"], Value::Null);
        assert_eq!(r.body["notes"], "Net 45");
        assert_eq!(r.body["contact_name"], "Dana Wu");
        let r = app
            .put(&format!("/vendors/{id}"), json!({"name": " "}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        let r = app.delete(&format!("/vendors/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, json!({"id": id, "deleted": true}));
        assert_eq!(
            app.get(&format!("/vendors/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(app.get("/vendors").await.body["total_items"], 1);
    }
}
