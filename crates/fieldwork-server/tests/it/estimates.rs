//! Estimates: create, read, list filters, options and their parts, approval → job, decline.

use fieldwork_test_support::{TestApp, spawn_app, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{assert_id, multipart, upload};

/// An estimate with one priced option: labor 2 × $150, a $899 heater (taxable), a $50
/// discount, tax 8.25 %.
pub async fn priced_estimate(app: &TestApp, customer: &str, address: &str, pro: &str) -> Value {
    let r = app
        .post(
            "/estimates",
            json!({
                "customer_id": customer, "address_id": address,
                "assigned_employee_ids": [pro], "lead_source": "Google",
                "note": "Side gate", "message": "Thanks for choosing us",
                "schedule": {"start_time": "2026-12-02T16:00:00Z", "end_time": "2026-12-02T17:00:00Z",
                             "arrival_window_in_minutes": 30},
                "tax": {"taxable": true, "tax_rate": 0.0825, "tax_name": "CA sales tax"},
                "options": [
                    {"name": "Standard tank", "tags": ["water heater"], "line_items": [
                        {"name": "Labor", "unit_price": 15000, "quantity": 2, "kind": "labor", "taxable": false},
                        {"name": "50 gal heater", "unit_price": 89900, "quantity": 1, "kind": "materials"},
                        {"name": "Loyalty", "unit_price": 5000, "kind": "fixed discount"}
                    ]},
                    {"name": "Tankless", "line_items": [
                        {"name": "Tankless unit", "unit_price": 249900, "kind": "materials"}
                    ]}
                ]
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

backend_tests! {
    async fn create_get_and_money() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Maya").await;
        let pro = app.create_employee("Luis").await;
        let est = priced_estimate(&app, &customer, &address, &pro).await;
        assert_id(&est["id"], "csr");
        assert!(est["estimate_number"].as_str().unwrap().parse::<u64>().is_ok());
        assert_eq!(est["work_status"], "scheduled");
        assert_eq!(est["schedule"]["scheduled_start"], "2026-12-02T16:00:00Z");
        assert_eq!(est["schedule"]["arrival_window"], 30);
        assert_eq!(est["customer"]["id"], customer.as_str());
        assert_eq!(est["address"]["id"], address.as_str());
        assert_eq!(est["assigned_employees"][0]["id"], pro.as_str());
        assert_eq!(est["lead_source"], "Google");
        let options = est["options"].as_array().unwrap();
        assert_eq!(options.len(), 2);
        let o = &options[0];
        assert_id(&o["id"], "est");
        assert_eq!(o["option_number"], "1");
        assert_eq!(o["name"], "Standard tank");
        // Subtotal 119,900; discount 5,000; taxable 89,900 × (114,900 / 119,900) × 8.25 % = 7,107.
        assert_eq!(o["subtotal"], 119_900);
        assert_eq!(o["tax_amount"], 7_107);
        assert_eq!(o["total_amount"], 114_900 + 7_107);
        assert_eq!(o["tax_rate"], 0.0825);
        assert_eq!(o["approval_status"], Value::Null);
        assert_eq!(o["status"], "scheduled");
        assert_eq!(o["tags"], json!(["water heater"]));
        assert!(o.get("attachments").is_none());
        assert_eq!(options[1]["total_amount"], 249_900 + 20_617);

        let id = est["id"].as_str().unwrap();
        let got = app.get(&format!("/estimates/{id}?expand[]=attachments")).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body["options"][0]["attachments"], json!([]));
        assert_eq!(got.body["options"][0]["total_amount"], o["total_amount"]);

        // Defaults: no options → one empty option; no schedule → needs scheduling.
        let bare = app.post("/estimates", json!({"customer_id": customer})).await;
        assert_eq!(bare.status, StatusCode::OK, "{:?}", bare.body);
        assert_eq!(bare.body["work_status"], "needs scheduling");
        assert_eq!(bare.body["address"], Value::Null);
        assert_eq!(bare.body["options"][0]["name"], "Option #1");
        assert_eq!(bare.body["options"][0]["total_amount"], 0);
        let n1: u64 = est["estimate_number"].as_str().unwrap().parse().unwrap();
        let n2: u64 = bare.body["estimate_number"].as_str().unwrap().parse().unwrap();
        assert_eq!(n2, n1 + 1);

        // An inline address is added to the customer.
        let inline = app.post("/estimates", json!({"customer_id": customer,
            "address": {"street": "9 Pier Rd", "city": "Alameda", "state": "CA", "zip": "94501"}})).await;
        assert_eq!(inline.status, StatusCode::OK, "{:?}", inline.body);
        assert_eq!(inline.body["address"]["street"], "9 Pier Rd");
        let c = app.get(&format!("/customers/{customer}")).await.body;
        assert_eq!(c["addresses"].as_array().unwrap().len(), 2);
    }

    async fn bad_input_names_the_field() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let (other, _) = app.customer_with_address("Ben").await;
        let cases = [
            (json!({}), "customer_id"),
            (json!({"customer_id": "cus_00000000000000000000000000000000"}), "customer_id"),
            (json!({"customer_id": other, "address_id": address}), "address_id"),
            (json!({"customer_id": customer, "assigned_employee_ids": ["pro_x"]}), "assigned_employee_ids"),
            (json!({"customer_id": customer, "options": [{"line_items": [{"unit_price": 5}]}]}), "options[0].line_items[0].name"),
            (json!({"customer_id": customer, "options": [{"name": "A", "line_items": [{"name": "x", "unit_price": 1.5}]}]}), "options[0].line_items[0].unit_price"),
            (json!({"customer_id": customer, "tax": {"taxable": true, "tax_name": "VAT"}}), "tax.tax_rate"),
            (json!({"customer_id": customer, "tax": {"tax_rate": 8.25}}), "tax.tax_rate"),
            (json!({"customer_id": customer, "schedule": {"start_time": "soon"}}), "schedule.start_time"),
            (json!({"customer_id": customer, "schedule": {"start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T09:00:00Z"}}), "schedule.end_time"),
            (json!({"customer_id": customer, "estimate_fields": {"job_type_id": "jbt_nope"}}), "estimate_fields.job_type_id"),
            (json!({"customer_id": customer, "address": {"street": "1 A St"}}), "address.city"),
            (json!({"customer_id": customer, "estimate_number": 2.5}), "estimate_number"),
        ];
        for (body, field) in cases {
            let r = app.post("/estimates", body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {:?}", r.body);
            assert!(r.body["errors"].get(field).is_some(), "{body} → {:?}", r.body);
        }
        let r = app.post("/estimates", json!({"customer_id": 5})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.get("customer_id").is_some(), "{:?}", r.body);
        let r = app.call_raw(Method::POST, "/estimates", b"{\"customer_id\": ".to_vec()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let taken = app.post("/estimates", json!({"customer_id": customer, "estimate_number": 700})).await;
        assert_eq!(taken.body["estimate_number"], "700");
        let again = app.post("/estimates", json!({"customer_id": customer, "estimate_number": 700})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body["errors"].get("estimate_number").is_some());
    }

    async fn list_filters_and_sorting() {
        let app = spawn_app().await;
        let (ana, _) = app.customer_with_address("Ana").await;
        let (ben, _) = app.customer_with_address("Ben").await;
        let luis = app.create_employee("Luis").await;
        let kim = app.create_employee("Kim").await;
        let est = |c: &str, day: u32, pro: &str| json!({
            "customer_id": c, "assigned_employee_ids": [pro],
            "schedule": {"start_time": format!("2026-12-{day:02}T15:00:00Z"),
                         "end_time": format!("2026-12-{day:02}T16:00:00Z")}
        });
        let mut ids = Vec::new();
        for (c, day, pro) in [(&ana, 1, &luis), (&ana, 8, &kim), (&ben, 15, &luis)] {
            let r = app.post("/estimates", est(c, day, pro)).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            ids.push(r.body["id"].as_str().unwrap().to_owned());
        }
        app.post("/estimates", json!({"customer_id": ben})).await;
        let total = |q: &str| {
            let app = &app;
            let q = q.to_owned();
            async move {
                let r = app.get(&format!("/estimates?{q}")).await;
                assert_eq!(r.status, StatusCode::OK, "{q}: {:?}", r.body);
                r.body["total_items"].as_u64().unwrap()
            }
        };
        assert_eq!(total("").await, 4);
        assert_eq!(total(&format!("customer_id={ana}")).await, 2);
        assert_eq!(total(&format!("employee_ids[]={luis}")).await, 2);
        assert_eq!(total(&format!("employee_ids[]={luis}&employee_ids[]={kim}")).await, 3);
        assert_eq!(total("scheduled_start_min=2026-12-02T00:00:00Z&scheduled_start_max=2026-12-09T00:00:00Z").await, 1);
        assert_eq!(total("scheduled_end_max=2026-12-09T00:00:00Z").await, 2);
        assert_eq!(total("work_status[]=unscheduled").await, 1);
        assert_eq!(total("work_status[]=scheduled").await, 3);
        let asc = app.get("/estimates?sort_by=created_at&sort_direction=asc&page_size=3").await.body;
        assert_eq!(asc["total_pages"], 2);
        assert_eq!(asc["estimates"][0]["id"], ids[0].as_str());
        let desc = app.get("/estimates?page=2&page_size=3").await.body;
        assert_eq!(desc["estimates"][0]["id"], ids[0].as_str());
        let mut sorted = ids.clone();
        sorted.sort();
        // An empty scalar filter is no filter.
        assert_eq!(total("customer_id=").await, 4);
        let by_id = app.get(&format!("/estimates?sort_by=id&sort_direction=asc&employee_ids[]={luis}&employee_ids[]={kim}")).await.body;
        let got: Vec<&str> = by_id["estimates"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(got, sorted.iter().map(String::as_str).collect::<Vec<_>>());
        for bad in ["work_status=scheduled", "work_status[]=done", "sort_by=price", "expand[]=appointments", "employee_ids=x", "scheduled_start_min=soon"] {
            let r = app.get(&format!("/estimates?{bad}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {:?}", r.body);
        }
    }

    async fn option_parts() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let pro = app.create_employee("Luis").await;
        let est = priced_estimate(&app, &customer, &address, &pro).await;
        let id = est["id"].as_str().unwrap();
        let opt = est["options"][0]["id"].as_str().unwrap();
        let base = format!("/estimates/{id}/options/{opt}");

        // A new option: 201, numbered after the others, with its own tax.
        let r = app.post(&format!("/estimates/{id}/options"), json!({
            "name": "Option C", "line_items": [{"name": "Labor", "unit_price": 10000, "unit_cost": 5000, "quantity": 2, "taxable": true}],
            "tax": {"taxable": true, "tax_rate": 0.0825, "tax_name": "Sales Tax"}
        })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["option_number"], "3");
        assert_eq!(r.body["total_amount"], 20_000 + 1_650);
        assert_id(&r.body["id"], "est");
        let added = r.body["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/estimates/{id}/options"), json!({"line_items": []})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body["errors"].get("name").is_some(), "{:?}", r.body);
        let r = app.post("/estimates/csr_00000000000000000000000000000000/options", json!({"name": "x"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, json!({"error": {"message": "estimate not found"}}));

        // Line items: paginated list, bulk update replaces and totals follow.
        let lines = app.get(&format!("{base}/line_items?page_size=2")).await;
        assert_eq!(lines.status, StatusCode::OK, "{:?}", lines.body);
        assert_eq!(lines.body["total_items"], 3);
        assert_eq!(lines.body["total_pages"], 2);
        assert_eq!(lines.body["line_items"].as_array().unwrap().len(), 2);
        let labor = lines.body["line_items"][0]["id"].as_str().unwrap().to_owned();
        let r = app.put(&format!("{base}/line_items/bulk_update"), json!({"line_items": [
            {"id": labor, "quantity": 3},
            {"name": "Permit", "unit_price": 12500, "kind": "fixed gratuity", "taxable": false}
        ]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let amounts: Vec<i64> = r.body["line_items"].as_array().unwrap().iter().map(|l| l["amount"].as_i64().unwrap()).collect();
        assert_eq!(amounts, vec![45_000, 12_500]);
        let got = app.get(&format!("/estimates/{id}")).await.body;
        assert_eq!(got["options"][0]["subtotal"], 57_500);
        assert_eq!(got["options"][0]["total_amount"], 57_500);
        let r = app.put(&format!("{base}/line_items/bulk_update"), json!({"line_items": [{"id": "rli_nope"}]})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body["errors"].get("line_items[0].id").is_some(), "{:?}", r.body);

        // Notes, links, schedule.
        let note = app.post(&format!("{base}/notes"), json!({"content": "Customer prefers mornings"})).await;
        assert_eq!(note.status, StatusCode::CREATED);
        assert_id(&note.body["id"], "nte");
        let note_id = note.body["id"].as_str().unwrap();
        assert_eq!(app.post(&format!("{base}/notes"), json!({})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let link = app.post(&format!("{base}/links"), json!({"title": "Spec sheet", "url": "https://example.com/spec.pdf"})).await;
        assert_eq!(link.status, StatusCode::CREATED, "{:?}", link.body);
        assert_eq!(link.body["title"], "Spec sheet");
        let bad_link = app.post(&format!("{base}/links"), json!({"title": "x", "url": "javascript:alert(1)"})).await;
        assert_eq!(bad_link.status, StatusCode::UNPROCESSABLE_ENTITY);
        let got = app.get(&format!("/estimates/{id}")).await.body;
        assert_eq!(got["options"][0]["notes"][0]["content"], "Customer prefers mornings");
        assert_eq!(got["options"][0]["links"][0]["url"], "https://example.com/spec.pdf");
        let del = app.delete(&format!("{base}/notes/{note_id}")).await;
        assert_eq!(del.status, StatusCode::OK);
        assert_eq!(app.delete(&format!("{base}/notes/{note_id}")).await.status, StatusCode::NOT_FOUND);
        let kim = app.create_employee("Kim").await;
        let s = app.put(&format!("{base}/schedule"), json!({
            "start_time": "2026-12-05T18:00:00Z", "end_time": "2026-12-05T19:30:00Z",
            "arrival_window_in_minutes": 60, "dispatched_employees": [{"employee_id": kim}]
        })).await;
        assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
        assert_eq!(s.body["start_time"], "2026-12-05T18:00:00Z");
        assert_eq!(s.body["arrival_window_minutes"], 60);
        assert_eq!(s.body["assigned_employees"][0]["id"], kim.as_str());
        let got = app.get(&format!("/estimates/{id}")).await.body;
        assert_eq!(got["schedule"]["scheduled_end"], "2026-12-05T19:30:00Z");
        for (body, field) in [
            (json!({}), "start_time"),
            (json!({"start_time": "2026-12-05T18:00:00Z", "dispatched_employees": [{"employee_id": "pro_nope"}]}), "dispatched_employees"),
        ] {
            let r = app.put(&format!("{base}/schedule"), body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body["errors"].get(field).is_some(), "{:?}", r.body);
        }
        let r = app.get(&format!("/estimates/{id}/options/est_00000000000000000000000000000000/line_items")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, json!({"error": {"message": "option not found"}}));

        // An option added later is found by approval like the first ones.
        let r = app.post("/estimates/options/approve", json!({"option_ids": [added]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let job = app.get(&format!("/jobs/{}", r.body["copied_on_approval_to_job_id"].as_str().unwrap())).await.body;
        assert_eq!(job["total_amount"], 21_650);
        assert_eq!(job["schedule"]["scheduled_start"], "2026-12-05T18:00:00Z");
        assert_eq!(job["assigned_employees"][0]["id"], kim.as_str());
    }

    async fn attachments_round_trip() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let pro = app.create_employee("Luis").await;
        let est = priced_estimate(&app, &customer, &address, &pro).await;
        let id = est["id"].as_str().unwrap();
        let opt = est["options"][0]["id"].as_str().unwrap();
        let path = format!("/estimates/{id}/options/{opt}/attachments");
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let (ctype, body) = multipart("site photo.png", "image/png", &bytes);
        let r = upload(&app, &path, &ctype, body).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        assert_eq!(r.body["estimate_url"], format!("/estimates/{id}"));
        let got = app.get(&format!("/estimates/{id}?expand[]=attachments")).await.body;
        let att = &got["options"][0]["attachments"][0];
        assert_eq!(att["file_name"], "site photo.png");
        assert_eq!(att["file_type"], "image/png");
        assert_id(&att["id"], "att");
        let url = att["url"].as_str().unwrap();
        let resp = app.client.get(format!("{}{url}", app.base_url))
            .header("Authorization", format!("Token {}", app.key)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "image/png");
        assert_eq!(resp.bytes().await.unwrap().to_vec(), bytes);
        // Without the key, with another company's key, or under another name: no file.
        let anon = app.client.get(format!("{}{url}", app.base_url)).send().await.unwrap();
        assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
        let (_, key) = app.new_company("Other Co", fieldwork_store::Plan::Max).await;
        assert_eq!(app.call_as(&key, Method::GET, url, None).await.status, StatusCode::NOT_FOUND);
        let renamed = format!("{}/other.png", url.rsplit_once('/').unwrap().0);
        assert_eq!(app.get(&renamed).await.status, StatusCode::NOT_FOUND);

        // Bad uploads.
        let (ctype, body) = multipart("empty.txt", "text/plain", b"");
        let r = upload(&app, &path, &ctype, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body["errors"].get("file").is_some());
        let other_part = b"--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--b--\r\n".to_vec();
        let r = upload(&app, &path, "multipart/form-data; boundary=b", other_part).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = upload(&app, &path, "application/json", b"{}".to_vec()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let (ctype, body) = multipart("a.txt", "text/plain", b"x");
        let r = upload(&app, &format!("/estimates/{id}/options/est_00000000000000000000000000000000/attachments"), &ctype, body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }

    async fn attachments_respect_the_body_limit() {
        let app = spawn_app_with(|c| c.max_body_bytes = 4_096).await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let pro = app.create_employee("Luis").await;
        let est = priced_estimate(&app, &customer, &address, &pro).await;
        let path = format!("/estimates/{}/options/{}/attachments", est["id"].as_str().unwrap(),
                           est["options"][0]["id"].as_str().unwrap());
        let (ctype, body) = multipart("big.bin", "application/octet-stream", &[7u8; 5_000]);
        let r = upload(&app, &path, &ctype, body).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
        let (ctype, body) = multipart("small.bin", "application/octet-stream", &[7u8; 3_000]);
        assert_eq!(upload(&app, &path, &ctype, body).await.status, StatusCode::ACCEPTED);
    }

    async fn approve_copies_to_a_job() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let pro = app.create_employee("Luis").await;
        let est = priced_estimate(&app, &customer, &address, &pro).await;
        let id = est["id"].as_str().unwrap();
        let opt = est["options"][0]["id"].as_str().unwrap();
        let other = est["options"][1]["id"].as_str().unwrap();

        let r = app.post("/estimates/options/approve", json!({"option_ids": [opt]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "pro approved");
        assert!(r.body["last_updated_at"].is_string());
        let job_id = r.body["copied_on_approval_to_job_id"].as_str().unwrap().to_owned();
        assert_id(&json!(job_id), "job");

        let job = app.get(&format!("/jobs/{job_id}")).await;
        assert_eq!(job.status, StatusCode::OK, "{:?}", job.body);
        let job = job.body;
        assert_eq!(job["original_estimate_id"], id);
        assert_eq!(job["original_estimate_uuids"], json!([opt]));
        assert_eq!(job["customer"]["id"], customer.as_str());
        assert_eq!(job["address"]["id"], address.as_str());
        assert_eq!(job["assigned_employees"][0]["id"], pro.as_str());
        assert_eq!(job["schedule"]["scheduled_start"], "2026-12-02T16:00:00Z");
        assert_eq!(job["work_status"], "scheduled");
        // The money agrees: the job's figures are the option's.
        assert_eq!(job["subtotal"], est["options"][0]["subtotal"]);
        assert_eq!(job["total_amount"], est["options"][0]["total_amount"]);
        assert_eq!(job["outstanding_balance"], est["options"][0]["total_amount"]);

        let got = app.get(&format!("/estimates/{id}")).await.body;
        assert_eq!(got["options"][0]["approval_status"], "pro approved");
        assert_eq!(got["options"][0]["status"], "created job from estimate");
        assert_eq!(got["options"][0]["copied_on_approval_to_job_id"], job_id.as_str());
        assert_eq!(got["options"][1]["approval_status"], Value::Null);
        // The copied option's lines are frozen.
        let r = app.put(&format!("/estimates/{id}/options/{opt}/line_items/bulk_update"), json!({"line_items": []})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Approving again makes no second job.
        let again = app.post("/estimates/options/approve", json!({"option_ids": [opt]})).await;
        assert_eq!(again.body["copied_on_approval_to_job_id"], job_id.as_str());
        assert_eq!(app.get("/jobs").await.body["total_items"], 1);

        // Decline the other option.
        let r = app.post("/estimates/options/decline", json!({"option_ids": [other]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "pro declined");
        let got = app.get(&format!("/estimates/{id}")).await.body;
        assert_eq!(got["options"][1]["approval_status"], "pro declined");
        assert_eq!(app.get("/jobs").await.body["total_items"], 1);

        // Bad input.
        let second = priced_estimate(&app, &customer, &address, &pro).await;
        let foreign = second["options"][0]["id"].as_str().unwrap();
        for (body, status) in [
            (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"option_ids": []}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"option_ids": ["est_00000000000000000000000000000000"]}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"option_ids": [opt, foreign]}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"option_ids": "est_1"}), StatusCode::BAD_REQUEST),
        ] {
            for action in ["approve", "decline"] {
                let r = app.post(&format!("/estimates/options/{action}"), body.clone()).await;
                assert_eq!(r.status, status, "{action} {body}: {:?}", r.body);
                if status == StatusCode::UNPROCESSABLE_ENTITY {
                    assert!(r.body["errors"].get("option_ids").is_some(), "{:?}", r.body);
                }
            }
        }
    }

    async fn tenancy() {
        let app = spawn_app().await;
        let (customer, address) = app.customer_with_address("Ana").await;
        let pro = app.create_employee("Luis").await;
        let est = priced_estimate(&app, &customer, &address, &pro).await;
        let id = est["id"].as_str().unwrap();
        let opt = est["options"][0]["id"].as_str().unwrap();
        let (_, key) = app.new_company("Other Co", fieldwork_store::Plan::Max).await;
        let r = app.call_as(&key, Method::GET, &format!("/estimates/{id}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body, json!({"error": {"message": "estimate not found"}}));
        assert_eq!(app.call_as(&key, Method::GET, "/estimates", None).await.body["total_items"], 0);
        let r = app.call_as(&key, Method::GET, &format!("/estimates/{id}/options/{opt}/line_items"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.call_as(&key, Method::POST, "/estimates/options/approve", Some(&json!({"option_ids": [opt]}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.call_as(&key, Method::POST, "/estimates", Some(&json!({"customer_id": customer}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let got = app.get(&format!("/estimates/{id}")).await.body;
        assert_eq!(got["options"][0]["approval_status"], Value::Null);
    }
}
