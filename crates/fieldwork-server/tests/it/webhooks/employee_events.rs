//! `employee.created` from `fieldwork employees create`, with the employee as `GET /employees`
//! lists it (HCP has no employee writes in its API).

use fieldwork_test_support::spawn_app;

use super::Inbox;
use crate::run_cli;

backend_tests! {
    async fn employees_created_from_the_cli_are_announced() {
        let app = spawn_app().await;
        let mut inbox = Inbox::open(&app).await;
        let out = run_cli(&app, &[
            "employees", "create", "--company", &app.company_id,
            "--first-name", "Rae", "--last-name", "Kim",
        ]).await;
        let id = out.split_whitespace().last().unwrap();
        let sent = inbox.take("employee.created", "employee", id).await;
        let listed = app.get("/employees").await.body;
        let listed = listed["employees"].as_array().unwrap().iter().find(|e| e["id"] == id).unwrap();
        assert_eq!(&sent, listed, "the event carries the employee as GET /employees lists it");
    }
}
