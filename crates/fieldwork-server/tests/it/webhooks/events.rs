//! Every job event the API can cause arrives with the HCP envelope and the full current job.

use std::time::Duration;

use fieldwork_test_support::{Delivery, Receiver, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

use super::new_job;

const WAIT: Duration = Duration::from_secs(15);

/// The deliveries of one job, in arrival order, as `(event, delivery)`.
fn of_job(ds: &[Delivery], job_id: &str) -> Vec<String> {
    ds.iter()
        .filter(|d| d.body["job"]["id"] == job_id)
        .map(|d| d.event().to_owned())
        .collect()
}

backend_tests! {
    async fn job_lifecycle_events_carry_the_full_job() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        app.subscribe(&receiver, &[]).await;
        let pro = app.create_employee("Luis").await;

        let job = new_job(&app, json!({
            "schedule": {"scheduled_start": "2026-12-01T15:00:00Z",
                         "scheduled_end": "2026-12-01T17:00:00Z"},
            "assigned_employee_ids": [pro]
        })).await;
        let id = job["id"].as_str().unwrap().to_owned();
        let created = receiver.wait_until(WAIT, |d| d.event() == "job.created").await;
        assert!(created.verified_by(0), "both signatures verify with the endpoint's secret");
        assert_eq!(created.body["company_id"], app.company_id.as_str());
        let keys: Vec<_> = created.body.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["company_id", "event", "job"]);
        let got = app.get(&format!("/jobs/{id}?expand[]=appointments")).await.body;
        assert_eq!(created.body["job"], got, "the event carries the job as GET shows it");
        assert_eq!(created.body["job"]["invoice_number"], job["invoice_number"]);
        assert!(created.id.starts_with("msg_"));

        for action in ["on_my_way", "start", "finish"] {
            let r = app.post(&format!("/jobs/{id}/{action}"), json!({})).await;
            assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
        }
        let done = receiver.wait_until(WAIT, |d| d.event() == "job.completed").await;
        let got = app.get(&format!("/jobs/{id}?expand[]=appointments")).await.body;
        assert_eq!(done.body["job"], got);
        assert_eq!(done.body["job"]["work_status"], "complete unrated");
        assert_eq!(
            of_job(&receiver.deliveries(), &id),
            ["job.created", "job.on_my_way", "job.started", "job.completed"]
        );

        // Canceling, and a plain change (a note) that only `job.updated` describes.
        let other = new_job(&app, json!({})).await;
        let other_id = other["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/jobs/{other_id}/notes"), json!({"content": "Gate code 4411"})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        app.post(&format!("/jobs/{other_id}/cancel"), json!({"by": "customer"})).await;
        let canceled = receiver.wait_until(WAIT, |d| d.event() == "job.canceled").await;
        assert_eq!(canceled.body["job"]["work_status"], "user canceled");
        assert_eq!(
            of_job(&receiver.deliveries(), &other_id),
            ["job.created", "job.updated", "job.canceled"]
        );
        let updated = receiver
            .deliveries()
            .into_iter()
            .find(|d| d.event() == "job.updated")
            .unwrap();
        assert_eq!(updated.body["job"]["notes"].as_array().unwrap().len(), 1);
        for d in receiver.deliveries() {
            assert!(d.verified_by(0), "{}", d.event());
        }
    }

    async fn paying_a_job_in_full_emits_job_paid() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        app.subscribe(&receiver, &["job.paid", "job.updated", "job.completed"]).await;
        let job = new_job(&app, json!({
            "line_items": [{"name": "Labor", "unit_price": 20_000, "quantity": 1, "kind": "labor"}]
        })).await;
        let id = job["id"].as_str().unwrap().to_owned();
        app.post(&format!("/jobs/{id}/finish"), json!({})).await;
        let completed = receiver.wait_until(WAIT, |d| d.event() == "job.completed").await;
        assert_eq!(completed.body["job"]["outstanding_balance"], 20_000);
        let invoices = app.get(&format!("/jobs/{id}/invoices")).await.body;
        let invoice = invoices["invoices"][0]["id"].as_str().unwrap().to_owned();
        let pay = |amount: i64| json!({"amount": amount, "payment_method": "external"});
        let path = format!("/api/invoices/{invoice}/payments");
        assert!(app.post(&path, pay(5_000)).await.status.is_success());
        let partly = receiver.wait_until(WAIT, |d| d.event() == "job.updated").await;
        assert_eq!(partly.body["job"]["outstanding_balance"], 15_000);
        assert!(app.post(&path, pay(15_000)).await.status.is_success());
        let paid = receiver.wait_until(WAIT, |d| d.event() == "job.paid").await;
        assert_eq!(paid.body["job"]["outstanding_balance"], 0);
        assert_eq!(
            of_job(&receiver.deliveries(), &id),
            ["job.completed", "job.updated", "job.paid"]
        );
    }

    async fn appointment_events_carry_the_appointment_and_job() {
        let app = spawn_app().await;
        let receiver = Receiver::start().await;
        app.subscribe(&receiver, &[]).await;
        let (luis, ana) = (app.create_employee("Luis").await, app.create_employee("Ana").await);
        let job = new_job(&app, json!({})).await;
        let id = job["id"].as_str().unwrap().to_owned();

        let r = app.post(&format!("/jobs/{id}/appointments"), json!({
            "start_time": "2026-12-03T15:00:00Z", "end_time": "2026-12-03T17:00:00Z",
            "dispatched_employees_ids": [luis]
        })).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let apt = r.body["id"].as_str().unwrap().to_owned();
        let scheduled = receiver.wait_until(WAIT, |d| d.event() == "job.appointment.scheduled").await;
        assert_eq!(scheduled.body["appointment"]["id"], apt.as_str());
        assert_eq!(scheduled.body["appointment"]["job_id"], id.as_str());
        assert_eq!(scheduled.body["appointment"]["dispatched_employees_ids"], json!([luis]));
        assert_eq!(scheduled.body["job"]["id"], id.as_str());
        receiver.wait_until(WAIT, |d| d.event() == "job.scheduled").await;

        app.put(&format!("/jobs/{id}/appointments/{apt}"), json!({
            "end_time": "2026-12-03T18:00:00Z", "dispatched_employees_ids": [ana]
        })).await;
        let moved = receiver.wait_until(WAIT, |d| d.event() == "job.appointment.rescheduled").await;
        assert_eq!(moved.body["appointment"]["end_time"], "2026-12-03T18:00:00Z");
        receiver.wait_until(WAIT, |d| d.event() == "job.appointment.appointment_pros_assigned").await;
        let off = receiver.wait_until(WAIT, |d| d.event() == "job.appointment.appointment_pros_unassigned").await;
        assert_eq!(off.body["appointment"]["dispatched_employees_ids"], json!([ana]));

        assert_eq!(app.delete(&format!("/jobs/{id}/appointments/{apt}")).await.status, StatusCode::OK);
        let gone = receiver.wait_until(WAIT, |d| d.event() == "job.appointment.appointment_discarded").await;
        assert_eq!(gone.body["appointment"]["id"], apt.as_str());
        assert_eq!(gone.body["job"]["work_status"], "needs scheduling");
        for d in receiver.deliveries() {
            assert!(d.verified_by(0), "{}", d.event());
            assert_eq!(d.body["company_id"], app.company_id.as_str());
        }
    }

    async fn filters_and_other_companies_are_respected() {
        let app = spawn_app().await;
        let only_completed = Receiver::start().await;
        app.subscribe(&only_completed, &["job.completed"]).await;
        let everything = Receiver::start().await;
        app.subscribe(&everything, &[]).await;
        // Another company's endpoint never sees this company's events.
        let (_, other_key) = app.new_company("Other Co", fieldwork_store::Plan::Max).await;
        let foreign = Receiver::start().await;
        let r = app.call_as(&other_key, reqwest::Method::POST, "/webhooks/endpoints",
            Some(&json!({"url": foreign.url}))).await;
        assert_eq!(r.status, StatusCode::CREATED);

        let job = new_job(&app, json!({})).await;
        let id = job["id"].as_str().unwrap();
        app.post(&format!("/jobs/{id}/finish"), json!({})).await;
        let d = only_completed.wait_for(1, WAIT).await;
        everything.wait_for(2, WAIT).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(only_completed.deliveries().len(), 1);
        assert_eq!(d[0].event(), "job.completed");
        assert!(foreign.deliveries().is_empty());
    }
}
