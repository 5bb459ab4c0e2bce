//! Customers and addresses.

use fieldwork_test_support::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{assert_id, full_customer};

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

backend_tests! {
    async fn create_returns_the_full_hcp_shape_with_explicit_nulls() {
        let app = spawn_app().await;
        let c = app.create_customer(json!({"first_name": "Lin"})).await;
        assert_id(&c["id"], "cus");
        for field in [
            "last_name",
            "email",
            "mobile_number",
            "home_number",
            "work_number",
            "company",
            "lead_source",
            "notes",
        ] {
            assert!(
                c.get(field).is_some_and(Value::is_null),
                "{field} should be an explicit null"
            );
        }
        assert_eq!(c["notifications_enabled"], true);
        assert_eq!(c["tags"], json!([]));
        assert_eq!(c["addresses"], json!([]));
        assert_eq!(c["company_id"], app.company_id.as_str());
        assert_eq!(c["company_name"], "Test Co");
        let created = c["created_at"].as_str().unwrap();
        assert!(created.ends_with('Z') && created.len() == 20, "{created}");
        assert!(c.get("do_not_service").is_none() && c.get("attachments").is_none());

        let c = app.create_customer(full_customer("Ngozi")).await;
        assert_eq!(c["tags"], json!(["vip", "residential"]));
        assert_eq!(c["notifications_enabled"], false);
        let a = &c["addresses"][0];
        assert_id(&a["id"], "adr");
        assert_eq!(a["type"], "service");
        assert_eq!(a["street_line_2"], "Unit B");
        // Tags named on a customer exist as tag objects.
        let tags = app.get("/tags?page_size=50").await.body;
        let names: Vec<&str> = tags["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"vip") && names.contains(&"residential"),
            "{names:?}"
        );
    }

    async fn get_and_update_round_trip() {
        let app = spawn_app().await;
        let c = app.create_customer(full_customer("Ines")).await;
        let path = format!("/customers/{}", c["id"].as_str().unwrap());
        let got = app.get(&path).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body, c);

        let r = app
            .put(
                &path,
                json!({"last_name": "Moreau", "company": null, "tags": ["gold"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["last_name"], "Moreau");
        assert_eq!(r.body["company"], Value::Null);
        assert_eq!(r.body["tags"], json!(["gold"]));
        // Absent fields are kept.
        assert_eq!(r.body["email"], "ines@example.com");
        assert_eq!(r.body["addresses"], c["addresses"]);
        assert_eq!(app.get(&path).await.body, r.body);
    }

    async fn expand_adds_fields_only_when_asked() {
        let app = spawn_app().await;
        let c = app.create_customer(full_customer("Oren")).await;
        let id = c["id"].as_str().unwrap();
        let r = app
            .get(&format!(
                "/customers/{id}?expand[]=do_not_service&expand[]=attachments"
            ))
            .await;
        assert_eq!(r.body["do_not_service"], false);
        assert_eq!(r.body["attachments"], json!([]));
        let r = app.get("/customers?expand[]=do_not_service").await;
        assert_eq!(r.body["customers"][0]["do_not_service"], false);
        assert!(r.body["customers"][0].get("attachments").is_none());
    }

    async fn lists_page_and_sort() {
        let app = spawn_app().await;
        for name in ["Carla", "Abe", "Bea"] {
            app.create_customer(json!({"first_name": name})).await;
        }
        let r = app.get("/customers?page_size=2").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            (r.body["page"].clone(), r.body["page_size"].clone()),
            (json!(1), json!(2))
        );
        assert_eq!(
            (r.body["total_items"].clone(), r.body["total_pages"].clone()),
            (json!(3), json!(2))
        );
        // Default: newest first.
        assert_eq!(r.body["customers"][0]["first_name"], "Bea");
        let r = app.get("/customers?page=2&page_size=2").await;
        assert_eq!(r.body["customers"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["customers"][0]["first_name"], "Carla");
        let r = app
            .get("/customers?sort_by=first_name&sort_direction=asc")
            .await;
        let names: Vec<&str> = r.body["customers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["first_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["Abe", "Bea", "Carla"]);
        let r = app.get("/customers?page=9").await;
        assert_eq!(r.body["customers"], json!([]));
        assert_eq!(r.body["total_items"], 3);
    }

    async fn q_matches_names_email_phones_and_address_text() {
        let app = spawn_app().await;
        let target = app.create_customer(full_customer("Zelda")).await;
        app.create_customer(json!({"first_name": "Other", "email": "other@example.org", "mobile_number": "510-555-7777"})).await;
        for q in [
            "zelda",
            "ZELDA okafor",
            "zelda@example.com",
            "4155550199",
            "555-0199",
            "Evergreen",
            "springfield",
            "97403",
        ] {
            let r = app.get(&format!("/customers?q={}", urlencode(q))).await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(r.body["total_items"], 1, "q={q}: {:?}", r.body);
            assert_eq!(r.body["customers"][0]["id"], target["id"], "q={q}");
        }
        let r = app.get("/customers?q=nobody-like-this").await;
        assert_eq!(r.body["total_items"], 0);
        // Wildcards are literal text, not patterns.
        let r = app.get("/customers?q=%25").await;
        assert_eq!(r.body["total_items"], 2);
        // An address added later is searchable too.
        let id = target["id"].as_str().unwrap();
        app.post(&format!("/customers/{id}/addresses"), json!({"street": "9 Quokka Lane", "city": "Perth", "state": "WA", "zip": "6000", "country": "AU"})).await;
        assert_eq!(app.get("/customers?q=quokka").await.body["total_items"], 1);
    }

    async fn addresses_create_list_get() {
        let app = spawn_app().await;
        let c = app.create_customer(json!({"last_name": "Holm"})).await;
        let id = c["id"].as_str().unwrap();
        let body = json!({"street": "1 Main St", "city": "Austin", "state": "TX", "zip": "78701", "country": "USA", "latitude": "30.26", "longitude": -97.74});
        let r = app.post(&format!("/customers/{id}/addresses"), body).await;
        // HCP answers this create with 200.
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_id(&r.body["id"], "adr");
        assert_eq!(r.body["street_line_2"], Value::Null);
        let address_id = r.body["id"].as_str().unwrap().to_owned();
        app.post(&format!("/customers/{id}/addresses"), json!({"type": "billing", "street": "PO Box 5", "city": "Austin", "state": "TX", "zip": "78701", "country": "USA"})).await;

        let list = app
            .get(&format!(
                "/customers/{id}/addresses?page_size=1&sort_direction=asc"
            ))
            .await;
        assert_eq!(list.body["total_items"], 2);
        assert_eq!(list.body["total_pages"], 2);
        assert_eq!(list.body["addresses"][0]["id"], address_id.as_str());
        let one = app
            .get(&format!("/customers/{id}/addresses/{address_id}"))
            .await;
        assert_eq!(one.status, StatusCode::OK);
        assert_eq!(one.body["city"], "Austin");
        assert_eq!(
            app.get(&format!("/customers/{id}")).await.body["addresses"]
                .as_array()
                .unwrap()
                .len(),
            2
        );

        // An address of another customer, or an unknown one, is not found.
        let other = app.create_customer(json!({"first_name": "Other"})).await;
        let other_id = other["id"].as_str().unwrap();
        let r = app
            .get(&format!("/customers/{other_id}/addresses/{address_id}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, json!({"error": {"message": "address not found"}}));
        let r = app
            .get("/customers/cus_00000000000000000000000000000000/addresses")
            .await;
        assert_eq!(r.body, json!({"error": {"message": "customer not found"}}));
    }

    async fn employees_are_listed_with_permissions() {
        let app = spawn_app().await;
        let r = app.get("/employees").await;
        assert_eq!(r.body["total_items"], 0);
        assert_eq!(r.body["employees"], json!([]));
        for (first, admin) in [("Dee", true), ("Eli", false)] {
            app.store
                .create_employee(
                    &app.company_id,
                    fieldwork_types::EmployeeIn {
                        first_name: Some(first.into()),
                        last_name: Some("Tech".into()),
                        color_hex: Some("EF9159".into()),
                        role: Some("field tech".into()),
                        permissions: if admin {
                            fieldwork_types::Permissions::admin()
                        } else {
                            fieldwork_types::Permissions::field_tech()
                        },
                        ..Default::default()
                    },
                    &[],
                )
                .await
                .unwrap();
        }
        let r = app
            .get("/employees?sort_by=first_name&sort_direction=asc")
            .await;
        assert_eq!(r.body["total_items"], 2);
        let e = &r.body["employees"][0];
        assert_id(&e["id"], "pro");
        assert_eq!(e["first_name"], "Dee");
        assert_eq!(e["permissions"]["is_admin"], true);
        assert_eq!(e["permissions"].as_object().unwrap().len(), 17);
        assert_eq!(r.body["employees"][1]["permissions"]["is_admin"], false);
        assert_eq!(e["company_name"], "Test Co");
    }
}
