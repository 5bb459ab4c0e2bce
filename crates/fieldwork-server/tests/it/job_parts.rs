//! Job sub-resources: line items, schedule, appointments, dispatch, notes, tags, links,
//! materials and locks.

use fieldwork_test_support::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::assert_id;

/// A job without a schedule; returns its id.
async fn new_job(app: &TestApp) -> String {
    let (c, a) = app.customer_with_address("Ana").await;
    let r = app
        .post("/jobs", json!({"customer_id": c, "address_id": a}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

backend_tests! {
    async fn line_items_and_money_agree() {
        let app = spawn_app().await;
        let id = new_job(&app).await;
        let base = format!("/jobs/{id}/line_items");
        let r = app.post(&base, json!({"name": "Diagnosis", "unit_price": 8900})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_id(&r.body["id"], "rli");
        assert_eq!(r.body["amount"], 8900);
        assert_eq!(r.body["kind"], "labor");
        assert_eq!(r.body["taxable"], true);
        let first = r.body["id"].as_str().unwrap().to_owned();

        // 50 lines in one bulk update, appended to the first.
        let lines: Vec<Value> = (0..50)
            .map(|i| json!({"name": format!("Part {i}"), "unit_price": 100 + i, "quantity": 2, "kind": "materials"}))
            .collect();
        let r = app
            .put(&format!("{base}/bulk_update"), json!({"line_items": lines, "append_line_items": true}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["object"], "list");
        assert_eq!(r.body["url"], base.as_str());
        assert_eq!(r.body["data"].as_array().unwrap().len(), 51);
        let parts: i64 = (0..50).map(|i| (100 + i) * 2).sum();
        let job = app.get(&format!("/jobs/{id}")).await.body;
        assert_eq!(job["subtotal"], 8900 + parts);
        assert_eq!(job["total_amount"], 8900 + parts);
        assert_eq!(job["outstanding_balance"], 8900 + parts);

        // Update one line, then a bulk update without append keeps only what it names.
        let r = app.put(&format!("{base}/{first}"), json!({"quantity": 2})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["amount"], 17_800);
        assert_eq!(r.body["name"], "Diagnosis");
        let r = app
            .put(&format!("{base}/bulk_update"), json!({"line_items": [{"id": first, "unit_price": 9000}, {"name": "Discount", "kind": "percent discount", "unit_price": 10}]}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let data = r.body["data"].as_array().unwrap();
        assert_eq!(data.len(), 2);
        assert_eq!(data[0]["amount"], 18_000);
        assert_eq!(data[1]["amount"], -1_800);
        let job = app.get(&format!("/jobs/{id}")).await.body;
        assert_eq!((job["subtotal"].as_i64(), job["total_amount"].as_i64()), (Some(18_000), Some(16_200)));
        let listed = app.get("/jobs").await.body;
        assert_eq!(listed["jobs"][0]["total_amount"], 16_200);

        let discount = data[1]["id"].as_str().unwrap();
        let r = app.delete(&format!("{base}/{discount}")).await;
        assert_eq!(r.body, json!({"id": discount, "deleted": true}));
        assert_eq!(app.get(&format!("/jobs/{id}")).await.body["total_amount"], 18_000);
        assert_eq!(app.delete(&format!("{base}/{discount}")).await.status, StatusCode::NOT_FOUND);
        let r = app.put(&format!("{base}/bulk_update"), json!({"line_items": [{"id": "rli_unknown"}]})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.put(&format!("{base}/bulk_update"), json!({"line_items": "all"})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.get(&base).await.body["data"].as_array().unwrap().len(), 1);
    }

    async fn schedule_appointments_and_dispatch() {
        let app = spawn_app().await;
        let id = new_job(&app).await;
        let luis = app.create_employee("Luis").await;
        let kim = app.create_employee("Kim").await;
        let r = app
            .put(&format!("/jobs/{id}/schedule"), json!({
                "start_time": "2026-12-03T16:00:00Z", "end_time": "2026-12-03T18:00:00Z",
                "arrival_window_in_minutes": 30, "notify": true,
                "dispatched_employees": [{"employee_id": luis}]
            }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["start_time"], "2026-12-03T16:00:00Z");
        assert_eq!(r.body["arrival_window_minutes"], 30);
        assert_eq!(r.body["assigned_employees"][0]["id"], luis.as_str());
        assert_eq!(r.body["appointments"].as_array().unwrap().len(), 1);
        assert_eq!(app.get(&format!("/jobs/{id}")).await.body["work_status"], "scheduled");

        let r = app.put(&format!("/jobs/{id}/dispatch"), json!({"dispatched_employees": [{"employee_id": kim}]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["assigned_employees"][0]["id"], kim.as_str());
        let r = app.put(&format!("/jobs/{id}/dispatch"), json!({"dispatched_employees": [{"employee_id": "pro_nobody"}]})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // A second visit: the schedule spans both, and PUT schedule is refused.
        let r = app
            .post(&format!("/jobs/{id}/appointments"), json!({
                "start_time": "2026-12-04T16:00:00Z", "end_time": "2026-12-04T17:00:00Z",
                "dispatched_employees_ids": [luis, kim]
            }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let second = r.body["id"].as_str().unwrap().to_owned();
        let job = app.get(&format!("/jobs/{id}")).await.body;
        assert_eq!(job["schedule"]["scheduled_end"], "2026-12-04T17:00:00Z");
        let r = app.put(&format!("/jobs/{id}/schedule"), json!({"start_time": "2026-12-05T16:00:00Z"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.put(&format!("/jobs/{id}/appointments/{second}"), json!({"end_time": "2026-12-04T19:00:00Z"})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["end_time"], "2026-12-04T19:00:00Z");
        assert_eq!(r.body["dispatched_employees_ids"].as_array().unwrap().len(), 2);
        let list = app.get(&format!("/jobs/{id}/appointments")).await.body;
        assert_eq!(list["appointments"].as_array().unwrap().len(), 2);
        let filtered = app.get(&format!("/jobs?employee_ids[]={luis}")).await.body;
        assert_eq!(filtered["total_items"], 1);

        // Removing every visit unschedules the job; so does DELETE schedule.
        for a in list["appointments"].as_array().unwrap() {
            let aid = a["id"].as_str().unwrap();
            assert_eq!(app.delete(&format!("/jobs/{id}/appointments/{aid}")).await.status, StatusCode::OK);
        }
        assert_eq!(app.get(&format!("/jobs/{id}")).await.body["work_status"], "needs scheduling");
        app.put(&format!("/jobs/{id}/schedule"), json!({"start_time": "2026-12-05T16:00:00Z"})).await;
        let r = app.delete(&format!("/jobs/{id}/schedule")).await;
        assert_eq!(r.body, json!({"object": "schedule", "deleted": true}));
        let job = app.get(&format!("/jobs/{id}")).await.body;
        assert_eq!(job["work_status"], "needs scheduling");
        assert_eq!(job["schedule"]["scheduled_start"], Value::Null);

        // No schedule changes once work is done.
        app.post(&format!("/jobs/{id}/finish"), json!({})).await;
        let r = app.put(&format!("/jobs/{id}/schedule"), json!({"start_time": "2026-12-05T16:00:00Z"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&format!("/jobs/{id}/appointments"), json!({"start_time": "x"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.delete(&format!("/jobs/{id}/appointments/apt_none")).await.status, StatusCode::NOT_FOUND);
    }

    async fn notes_tags_links_materials() {
        let app = spawn_app().await;
        let id = new_job(&app).await;
        let r = app.post(&format!("/jobs/{id}/notes"), json!({"content": "Gate code 4411"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_id(&r.body["id"], "nte");
        let note = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(app.post(&format!("/jobs/{id}/notes"), json!({"content": " "})).await.status, StatusCode::UNPROCESSABLE_ENTITY);

        let tag = app.post("/tags", json!({"name": "warranty"})).await.body;
        let tag_id = tag["id"].as_str().unwrap();
        let r = app.post(&format!("/jobs/{id}/tags"), json!({"tag_id": tag_id})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body, json!({"tags": [{"id": tag_id, "name": "warranty"}]}));
        let r = app.call(reqwest::Method::POST, &format!("/jobs/{id}/tags?tag_id={tag_id}"), None).await;
        assert_eq!(r.body["tags"].as_array().unwrap().len(), 1);
        assert_eq!(app.post(&format!("/jobs/{id}/tags"), json!({"tag_id": "tag_nope"})).await.status, StatusCode::NOT_FOUND);

        let r = app.post(&format!("/jobs/{id}/links"), json!({"title": "Photos", "url": "https://example.com/p"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(r.body["title"], "Photos");
        assert_eq!(app.post(&format!("/jobs/{id}/links"), json!({"title": "x", "url": "javascript:alert(1)"})).await.status, StatusCode::UNPROCESSABLE_ENTITY);

        let r = app.put(&format!("/jobs/{id}/job_input_materials/bulk_update"), json!({"job_input_materials": [{"name": "PEX 1/2in", "unit_cost": 125, "quantity": 10.5}]})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let uuid = r.body["job_input_materials"][0]["uuid"].as_str().unwrap().to_owned();
        let r = app.put(&format!("/jobs/{id}/job_input_materials/bulk_update"), json!({"job_input_materials": [{"uuid": uuid, "quantity": 12}, {"name": "Solder"}]})).await;
        let list = app.get(&format!("/jobs/{id}/job_input_materials")).await.body;
        assert_eq!(list, r.body);
        assert_eq!(list["job_input_materials"][0]["quantity"], 12.0);
        assert_eq!(list["job_input_materials"][0]["unit_cost"], 125);
        assert_eq!(list["job_input_materials"].as_array().unwrap().len(), 2);

        let job = app.get(&format!("/jobs/{id}")).await.body;
        assert_eq!(job["tags"], json!(["warranty"]));
        assert_eq!(job["notes"][0]["content"], "Gate code 4411");
        assert_eq!(app.delete(&format!("/jobs/{id}/notes/{note}")).await.status, StatusCode::OK);
        assert_eq!(app.delete(&format!("/jobs/{id}/notes/{note}")).await.status, StatusCode::NOT_FOUND);
        let r = app.delete(&format!("/jobs/{id}/tags/{tag_id}")).await;
        assert_eq!(r.body, json!({"tags": []}));
    }

    async fn attachments_are_stored_and_served() {
        let app = spawn_app().await;
        let id = new_job(&app).await;
        let bytes: Vec<u8> = (0..=255u8).cycle().take(5_000).collect();
        let (ctype, body) = crate::multipart("invoice scan.pdf", "application/pdf", &bytes);
        let r = crate::upload(&app, &format!("/jobs/{id}/attachments"), &ctype, body).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        assert_eq!(r.body, json!({"job_url": format!("/jobs/{id}")}));
        let job = app.get(&format!("/jobs/{id}?expand[]=attachments")).await.body;
        let att = &job["attachments"][0];
        assert_eq!(att["file_name"], "invoice scan.pdf");
        let url = att["url"].as_str().unwrap();
        let resp = app.client.get(format!("{}{url}", app.base_url))
            .header("Authorization", format!("Token {}", app.key)).send().await.unwrap();
        assert_eq!(resp.headers()["content-type"], "application/pdf");
        assert_eq!(resp.bytes().await.unwrap().to_vec(), bytes);
        assert!(app.get(&format!("/jobs/{id}")).await.body.get("attachments").is_none());
        // Unknown and locked jobs take no files; a JSON body is not an upload.
        let (ctype, body) = crate::multipart("a.txt", "text/plain", b"hello");
        let r = crate::upload(&app, "/jobs/job_nope/attachments", &ctype, body.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        app.post(&format!("/jobs/{id}/lock"), json!({})).await;
        let r = crate::upload(&app, &format!("/jobs/{id}/attachments"), &ctype, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&format!("/jobs/{id}/attachments"), json!({"file": "x"})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }

    async fn locked_jobs_refuse_changes() {
        let app = spawn_app().await;
        let id = new_job(&app).await;
        app.put(&format!("/jobs/{id}/schedule"), json!({"start_time": "2026-12-10T16:00:00Z"})).await;
        let other = new_job(&app).await;
        app.put(&format!("/jobs/{other}/schedule"), json!({"start_time": "2027-01-10T16:00:00Z"})).await;
        let unscheduled = new_job(&app).await;

        let r = app.post("/jobs/lock", json!({"starting_at": "2026-12-01T00:00:00Z", "ending_at": "2026-12-31T00:00:00Z"})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let locked = r.body["jobs"].as_array().unwrap();
        assert_eq!(locked.len(), 1);
        assert_eq!(locked[0]["id"], id.as_str());
        assert!(locked[0]["locked_at"].is_string());

        for (method, path, body) in [
            ("POST", format!("/jobs/{id}/line_items"), json!({"name": "x"})),
            ("PUT", format!("/jobs/{id}/schedule"), json!({"start_time": "2026-12-11T16:00:00Z"})),
            ("DELETE", format!("/jobs/{id}/schedule"), json!({})),
            ("POST", format!("/jobs/{id}/notes"), json!({"content": "x"})),
            ("POST", format!("/jobs/{id}/start"), json!({})),
        ] {
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let r = app.call(m, &path, Some(&body)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {:?}", r.body);
            assert!(r.body["message"].as_str().unwrap().contains("locked"), "{:?}", r.body);
        }
        // Locking again is harmless; the other jobs are not locked.
        assert_eq!(app.post(&format!("/jobs/{id}/lock"), json!({})).await.status, StatusCode::OK);
        let r = app.post(&format!("/jobs/{unscheduled}/lock"), json!({})).await;
        assert!(r.body["locked_at"].is_string());
        assert_eq!(app.post(&format!("/jobs/{other}/start"), json!({})).await.status, StatusCode::OK);
        let r = app.post("/jobs/lock", json!({"starting_at": "2026-12-31T00:00:00Z", "ending_at": "2026-12-01T00:00:00Z"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.post("/jobs/job_0/lock", json!({})).await.status, StatusCode::NOT_FOUND);
    }

    async fn jobs_written_before_details_read_the_same_and_move_on_their_next_change() {
        let app = spawn_app().await;
        let (c, a) = app.customer_with_address("Oda").await;
        let lines = json!([{"name": "Valve", "unit_price": 2450, "kind": "materials"}, {"name": "Labor", "unit_price": 12500, "quantity": 1.5}]);
        let r = app.post("/jobs", json!({"customer_id": c, "address_id": a, "line_items": lines})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        app.post(&format!("/jobs/{id}/links"), json!({"title": "Photos", "url": "https://example.com/p"})).await;
        app.put(&format!("/jobs/{id}/job_input_materials/bulk_update"), json!({"job_input_materials": [{"name": "PEX", "unit_cost": 125, "quantity": 3}]})).await;
        let reads = [format!("/jobs/{id}"), format!("/jobs/{id}/line_items"), format!("/jobs/{id}/job_input_materials"), "/jobs".to_owned()];
        let mut before = Vec::new();
        for path in &reads {
            before.push(app.get(path).await.body);
        }

        // Store the job as bodies were written before details: lines, materials and links in
        // the body, no detail.
        let store = app.store.as_ref();
        let kind = fieldwork_store::docs::DocKind::Job;
        let doc = store.get_doc(&app.company_id, kind, &id).await.unwrap();
        let mut body: Value = serde_json::from_str(&doc.body).unwrap();
        let detail: Value = serde_json::from_str(doc.detail.as_deref().unwrap()).unwrap();
        assert_eq!(detail["line_items"].as_array().unwrap().len(), 2);
        assert!(body.get("line_items").is_none(), "{body}");
        body.as_object_mut().unwrap().extend(detail.as_object().unwrap().clone());
        let old = fieldwork_store::docs::Doc { body: body.to_string(), detail: None, ..doc };
        let written = store.write_docs(&app.company_id, vec![fieldwork_store::DocWrite::Update(old)]).await.unwrap();
        assert_eq!(store.get_doc(&app.company_id, kind, &id).await.unwrap().detail, None);
        let version = written[0].version;
        for (path, before) in reads.iter().zip(&before) {
            assert_eq!(&app.get(path).await.body, before, "{path}");
        }

        // The next change writes the detail.
        assert_eq!(app.post(&format!("/jobs/{id}/notes"), json!({"content": "Side gate"})).await.status, StatusCode::CREATED);
        let doc = store.get_doc(&app.company_id, kind, &id).await.unwrap();
        assert_eq!(doc.version, version + 1);
        assert!(doc.detail.is_some() && !doc.body.contains("line_items"), "{doc:?}");
        for (path, before) in reads.iter().zip(&before).skip(1) {
            let mut now = app.get(path).await.body;
            if path == "/jobs" {
                now["jobs"][0]["notes"] = json!([]);
                now["jobs"][0]["updated_at"] = before["jobs"][0]["updated_at"].clone();
            }
            assert_eq!(&now, before, "{path}");
        }
        let job = app.get(&format!("/jobs/{id}")).await.body;
        assert_eq!(job["total_amount"], before[0]["total_amount"]);
        assert_eq!(job["notes"][0]["content"], "Side gate");
    }
}

/// A large detail (50 lines) and its change's message are compressed with LZ4 where PostgreSQL
/// has it, and read back whole.
#[tokio::test]
async fn large_details_and_messages_are_lz4_on_postgres() {
    fieldwork_test_support::Backend::Postgres
        .run(async {
            let app = spawn_app().await;
            let job = new_job(&app).await;
            // A long note makes the job's event payload big enough to be compressed.
            let note = "Gate code 4412, dog in the yard. ".repeat(100);
            let r = app
                .post(&format!("/jobs/{job}/notes"), json!({"content": note}))
                .await;
            assert!(r.status.is_success(), "{:?}", r.body);
            let lines: Vec<Value> = (0..50)
                .map(|i| json!({"name": format!("Part {i}"), "unit_price": 100 + i, "quantity": 2}))
                .collect();
            let r = app
                .put(
                    &format!("/jobs/{job}/line_items/bulk_update"),
                    json!({"line_items": lines}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            let (client, conn) = tokio_postgres::connect(&app.database_url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            let has_lz4: bool = client
                .query_one(
                    "select 'lz4' = any(enumvals) from pg_settings
                     where name = 'default_toast_compression'",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            let method: Option<String> = client
                .query_one(
                    "select pg_column_compression(detail) from jobs where id = $1",
                    &[&job],
                )
                .await
                .unwrap()
                .get(0);
            let expected = Some(if has_lz4 { "lz4" } else { "pglz" });
            assert_eq!(method.as_deref(), expected);
            let message: Option<String> = client
                .query_one(
                    "select pg_column_compression(payload) from webhook_messages
                     where event_type = 'job.updated' and payload like '%' || $1 || '%'
                     order by seq desc limit 1",
                    &[&job],
                )
                .await
                .unwrap()
                .get(0);
            assert_eq!(message.as_deref(), expected, "the job.updated message");
            let read = app.get(&format!("/jobs/{job}/line_items")).await;
            assert_eq!(
                read.body["data"].as_array().unwrap().len(),
                50,
                "{:?}",
                read.body
            );
        })
        .await;
}
