//! Leads: create (customer by id or inline), read, list filters and sorting, line items,
//! convert to an estimate or a job, lose.

use fieldwork_test_support::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::assert_id;

fn lines() -> Value {
    json!([
        {"name": "Drain camera inspection", "unit_price": 19500, "kind": "labor"},
        {"name": "Hydro jetting", "unit_price": 42500, "quantity": 1, "kind": "labor", "taxable": false},
        {"name": "New customer", "unit_price": 10, "kind": "percent discount"}
    ])
}

backend_tests! {
    async fn create_get_and_line_items() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Maya").await;
        let pro = app.create_employee("Luis").await;
        let r = app.post("/leads", json!({
            "customer_id": customer, "address_id": address, "assigned_employee_id": pro,
            "lead_source": "Yelp", "tags": ["drain"], "note": "Slow kitchen drain",
            "line_items": lines(), "tax_name": "Sales tax", "tax_rate": 8.5
        })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let lead = r.body;
        assert_id(&lead["id"], "lea");
        assert!(lead["number"].as_i64().unwrap() >= 1);
        assert_eq!(lead["status"], "open");
        assert_eq!(lead["lost_at"], Value::Null);
        assert_eq!(lead["customer"]["id"], customer.as_str());
        assert_eq!(lead["address"]["id"], address.as_str());
        assert_eq!(lead["assigned_employee"]["id"], pro.as_str());
        assert_eq!(lead["tags"], json!(["drain"]));
        assert_eq!(lead["lead_source"], "Yelp");
        // 19,500 + 42,500 = 62,000; 10 % off = −6,200; tax 8.5 % on 19,500 × 0.9 = 1,492.
        assert_eq!(lead["subtotal"], 62_000);
        assert_eq!(lead["total_amount"], 62_000 - 6_200 + 1_492);

        let id = lead["id"].as_str().unwrap();
        let got = app.get(&format!("/leads/{id}")).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body, lead);
        let items = app.get(&format!("/leads/{id}/line_items?page_size=2&page=2")).await;
        assert_eq!(items.status, StatusCode::OK, "{:?}", items.body);
        assert_eq!(items.body["total_items"], 3);
        assert_eq!(items.body["page"], 2);
        assert_eq!(items.body["line_items"][0]["name"], "New customer");
        assert_eq!(items.body["line_items"][0]["amount"], -6_200);
        assert_eq!(app.get("/leads/lea_00000000000000000000000000000000/line_items").await.status, StatusCode::NOT_FOUND);

        // An inline customer is created, with its address as the lead's.
        let r = app.post("/leads", json!({"customer": {"first_name": "Rosa", "last_name": "Diaz",
            "mobile_number": "(415) 555-0177",
            "addresses": [{"street": "4 Bay St", "city": "Oakland", "state": "CA", "zip": "94607"}]}})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_id(&r.body["customer"]["id"], "cus");
        assert_eq!(r.body["customer"]["first_name"], "Rosa");
        assert_eq!(r.body["address"]["street"], "4 Bay St");
        assert_eq!(r.body["number"], lead["number"].as_i64().unwrap() + 1);
        let cid = r.body["customer"]["id"].as_str().unwrap();
        assert_eq!(app.get(&format!("/customers/{cid}")).await.status, StatusCode::OK);
    }

    async fn bad_input_names_the_field() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let (other, _) = app.customer_with_address("Ben").await;
        let before = app.get("/customers").await.body["total_items"].clone();
        let cases = [
            (json!({}), "customer_id"),
            (json!({"customer_id": "cus_00000000000000000000000000000000"}), "customer_id"),
            (json!({"customer_id": other, "address_id": address}), "address_id"),
            (json!({"customer_id": customer, "customer": {"first_name": "X"}}), "customer"),
            (json!({"customer": {"notes": "nobody"}}), "customer.first_name"),
            (json!({"customer": {"first_name": "Y", "email": "not-an-email"}}), "customer.email"),
            (json!({"customer": {"first_name": "Z"}, "line_items": [{"unit_price": 1}]}), "line_items[0].name"),
            (json!({"customer_id": customer, "assigned_employee_id": "pro_nope"}), "assigned_employee_id"),
            (json!({"customer_id": customer, "tax_rate": 150}), "tax_rate"),
            (json!({"customer_id": customer, "address": {"street": "1 A St"}}), "address.city"),
        ];
        for (body, field) in cases {
            let r = app.post("/leads", body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {:?}", r.body);
            assert!(r.body["errors"].get(field).is_some(), "{body} → {:?}", r.body);
        }
        // Refused leads created no customer.
        assert_eq!(app.get("/customers").await.body["total_items"], before);
        let r = app.post("/leads", json!({"customer_id": customer, "tags": "x"})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.get("tags").is_some(), "{:?}", r.body);
        let r = app.call_raw(Method::POST, "/leads", b"[1]".to_vec()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }

    async fn list_filters_and_sorting() {
        let app = spawn_app().await;
        let (ana, _) = app.customer_with_address("Ana").await;
        let (ben, _) = app.customer_with_address("Ben").await;
        let luis = app.create_employee("Luis").await;
        let kim = app.create_employee("Kim").await;
        let mut ids = Vec::new();
        for (c, pro, source, tags) in [
            (&ana, &luis, "Google", json!(["vip"])),
            (&ana, &kim, "Yelp", json!(["vip", "commercial"])),
            (&ben, &luis, "Google", json!([])),
            (&ben, &kim, "Referral", json!(["commercial"])),
        ] {
            let r = app.post("/leads", json!({"customer_id": c, "assigned_employee_id": pro,
                "lead_source": source, "tags": tags})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            ids.push(r.body["id"].as_str().unwrap().to_owned());
        }
        let lost = app.post(&format!("/leads/{}/lose", ids[3]), json!({})).await;
        assert_eq!(lost.status, StatusCode::OK);
        let tags = app.get("/tags?page_size=50").await.body;
        let tag_id = |name: &str| tags["tags"].as_array().unwrap().iter()
            .find(|t| t["name"] == name).unwrap()["id"].as_str().unwrap().to_owned();
        let (vip, commercial) = (tag_id("vip"), tag_id("commercial"));
        let total = |q: String| {
            let app = &app;
            async move {
                let r = app.get(&format!("/leads?{q}")).await;
                assert_eq!(r.status, StatusCode::OK, "{q}: {:?}", r.body);
                r.body["total_items"].as_u64().unwrap()
            }
        };
        assert_eq!(total(String::new()).await, 4);
        assert_eq!(total(format!("customer_id={ana}")).await, 2);
        assert_eq!(total(format!("employee_ids[]={luis}")).await, 2);
        assert_eq!(total(format!("tag_ids[]={vip}")).await, 2);
        assert_eq!(total(format!("tag_ids[]={vip}&tag_ids[]={commercial}")).await, 3);
        assert_eq!(total(format!("tag_ids[]={commercial}&employee_ids[]={kim}")).await, 2);
        assert_eq!(total("lead_source[]=google".into()).await, 2);
        assert_eq!(total("lead_source[]=Google&lead_source[]=Yelp".into()).await, 3);
        assert_eq!(total("status=open".into()).await, 3);
        assert_eq!(total("status=lost".into()).await, 1);
        assert_eq!(total("status=won".into()).await, 0);
        let by_status = app.get("/leads?sort_by=status&sort_direction=asc").await.body;
        assert_eq!(by_status["leads"][0]["id"], ids[3].as_str());
        let asc = app.get("/leads?sort_direction=asc&page_size=1&page=2").await.body;
        assert_eq!(asc["leads"][0]["id"], ids[1].as_str());
        assert_eq!(asc["total_pages"], 4);
        let updated = app.get("/leads?sort_by=updated_at&page_size=1").await.body;
        assert_eq!(updated["leads"][0]["id"], ids[3].as_str());
        for bad in ["status=closed", "lead_source=Google", "tag_ids=x", "employee_ids=y", "sort_by=number", "location_ids=1"] {
            let r = app.get(&format!("/leads?{bad}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {:?}", r.body);
        }
    }

    async fn convert_to_job_and_estimate() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let pro = app.create_employee("Luis").await;
        let body = json!({"customer_id": customer, "address_id": address, "assigned_employee_id": pro,
            "line_items": lines(), "tax_rate": 8.5, "tax_name": "Sales tax", "note": "Call first",
            "lead_source": "Nextdoor", "tags": ["drain"]});
        let lead = app.post("/leads", body.clone()).await.body;
        let id = lead["id"].as_str().unwrap();

        let r = app.post(&format!("/leads/{id}/convert"), json!({"type": "job"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["estimate_id"], Value::Null);
        let job_id = r.body["job_id"].as_str().unwrap();
        let job = app.get(&format!("/jobs/{job_id}")).await.body;
        assert_eq!(job["customer"]["id"], customer.as_str());
        assert_eq!(job["address"]["id"], address.as_str());
        assert_eq!(job["assigned_employees"][0]["id"], pro.as_str());
        assert_eq!(job["total_amount"], lead["total_amount"]);
        assert_eq!(job["subtotal"], lead["subtotal"]);
        assert_eq!(job["notes"][0]["content"], "Call first");
        assert_eq!(job["lead_source"], "Nextdoor");
        assert_eq!(job["tags"], json!(["drain"]));
        let won = app.get(&format!("/leads/{id}")).await.body;
        assert_eq!(won["status"], "won");
        assert_eq!(won["job_id"], job_id);
        // A won lead converts no more, and cannot be lost.
        let again = app.post(&format!("/leads/{id}/convert"), json!({"type": "estimate"})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body["errors"].get("status").is_some());
        assert_eq!(app.post(&format!("/leads/{id}/lose"), json!({})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.get("/jobs").await.body["total_items"], 1);

        let lead2 = app.post("/leads", body).await.body;
        let id2 = lead2["id"].as_str().unwrap();
        let r = app.post(&format!("/leads/{id2}/convert"), json!({"type": "estimate"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["job_id"], Value::Null);
        let est_id = r.body["estimate_id"].as_str().unwrap();
        assert_id(&json!(est_id), "csr");
        let est = app.get(&format!("/estimates/{est_id}")).await.body;
        assert_eq!(est["customer"]["id"], customer.as_str());
        assert_eq!(est["address"]["id"], address.as_str());
        assert_eq!(est["assigned_employees"][0]["id"], pro.as_str());
        let option = &est["options"][0];
        assert_eq!(option["total_amount"], lead2["total_amount"]);
        assert_eq!(option["tax_rate"], 0.085);
        let lines = app.get(&format!("/estimates/{est_id}/options/{}/line_items", option["id"].as_str().unwrap())).await.body;
        assert_eq!(lines["total_items"], 3);
        assert_eq!(app.get(&format!("/leads/{id2}")).await.body["status"], "won");

        for (body, status) in [
            (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"type": "invoice"}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"type": 3}), StatusCode::BAD_REQUEST),
        ] {
            let lead3 = app.post("/leads", json!({"customer_id": customer})).await.body;
            let r = app.post(&format!("/leads/{}/convert", lead3["id"].as_str().unwrap()), body.clone()).await;
            assert_eq!(r.status, status, "{body}: {:?}", r.body);
        }
        let r = app.post("/leads/lea_00000000000000000000000000000000/convert", json!({"type": "job"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, json!({"error": {"message": "lead not found"}}));
    }

    async fn lose_and_tenancy() {
        let app = spawn_app().await;
        let (customer, _) = app.customer_with_address("Ana").await;
        let lead = app.post("/leads", json!({"customer_id": customer})).await.body;
        let id = lead["id"].as_str().unwrap();
        let (_, key) = app.new_company("Other Co", fieldwork_store::Plan::Max).await;
        for (method, path) in [
            (Method::GET, format!("/leads/{id}")),
            (Method::GET, format!("/leads/{id}/line_items")),
            (Method::POST, format!("/leads/{id}/lose")),
            (Method::POST, format!("/leads/{id}/convert")),
        ] {
            let r = app.call_as(&key, method, &path, Some(&json!({"type": "job"}))).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(r.body, json!({"error": {"message": "lead not found"}}));
        }
        assert_eq!(app.call_as(&key, Method::GET, "/leads", None).await.body["total_items"], 0);
        let r = app.call_as(&key, Method::POST, "/leads", Some(&json!({"customer_id": customer}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        let r = app.post(&format!("/leads/{id}/lose"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "lost");
        assert!(r.body["lost_at"].is_string());
        let r = app.post(&format!("/leads/{id}/convert"), json!({"type": "job"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body["errors"]["status"][0].as_str().unwrap().contains("lost"));
    }
}
