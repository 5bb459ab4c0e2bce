//! Invoice events (finishing a job, payments, voiding, `fieldwork invoices create`) with the
//! invoice as `GET /api/invoices/{id}` shows it; refused changes emit nothing.

use fieldwork_test_support::spawn_app;
use reqwest::Method;
use serde_json::json;

use super::{Inbox, refused_without_event};
use crate::invoices::{finished_job, pay};
use crate::run_cli;

backend_tests! {
    async fn invoice_changes_emit_the_full_invoice() {
        let app = spawn_app().await;
        let mut inbox = Inbox::open(&app).await;

        let (job, invoice) = finished_job(&app, "Ana").await;
        let id = invoice["id"].as_str().unwrap();
        let path = format!("/api/invoices/{id}");
        let sent = inbox.expect("invoice.created", "invoice", id, &path).await;
        assert_eq!(sent["job_id"], job["id"]);
        assert_eq!(sent["due_amount"], 114_900);

        assert!(pay(&app, id, json!({"amount": 14_900, "payment_method": "ach"})).await.status.is_success());
        let sent = inbox.expect("invoice.payment.succeeded", "invoice", id, &path).await;
        assert_eq!(sent["due_amount"], 100_000);
        let r = pay(&app, id, json!({"amount": 100_000, "payment_method": "credit_card"})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox.expect("invoice.payment.succeeded", "invoice", id, &path).await;
        assert_eq!(sent, r.body, "the response and the event carry the same invoice");
        let sent = inbox.expect("invoice.paid", "invoice", id, &path).await;
        assert_eq!(sent["status"], "paid");

        // Another invoice of the same job, made from the command line, then voided.
        let job_id = job["id"].as_str().unwrap();
        let out = run_cli(&app, &["invoices", "create", "--job", job_id]).await;
        let second = out.split_whitespace().last().unwrap().to_owned();
        let second_path = format!("/api/invoices/{second}");
        inbox.expect("invoice.created", "invoice", &second, &second_path).await;
        let r = app.post(&format!("{second_path}/void"), json!({})).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        let sent = inbox.expect("invoice.voided", "invoice", &second, &second_path).await;
        assert_eq!(sent["status"], "voided");
    }

    async fn refused_invoice_changes_emit_nothing() {
        let app = spawn_app().await;
        let (_, invoice) = finished_job(&app, "Ben").await;
        let path = format!("/api/invoices/{}", invoice["id"].as_str().unwrap());
        let too_much = json!({"amount": 999_999_999, "payment_method": "ach"});
        refused_without_event(&app, Method::POST, &format!("{path}/payments"), too_much, 422).await;
        let bad_method = json!({"amount": 100, "payment_method": "barter"});
        refused_without_event(&app, Method::POST, &format!("{path}/payments"), bad_method, 422).await;
        assert!(pay(&app, invoice["id"].as_str().unwrap(), json!({"amount": 100, "payment_method": "ach"})).await.status.is_success());
        refused_without_event(&app, Method::POST, &format!("{path}/void"), json!({}), 422).await;
    }
}
