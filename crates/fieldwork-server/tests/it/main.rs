//! Integration tests: the real server on 127.0.0.1:0 with a fresh database per test, on every
//! backend: SQLite always, PostgreSQL too when `FIELDWORK_TEST_POSTGRES_URL` is set.

/// Declares each `async fn` as two tests, `<name>::sqlite` and `<name>::postgres`; the body's
/// `spawn_app()` and `test_database_url()` use the backend of the test that runs it.
macro_rules! backend_tests {
    ($( $(#[$meta:meta])* async fn $name:ident() $body:block )*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                fieldwork_test_support::Backend::Sqlite.run(async $body).await
            }

            #[tokio::test]
            async fn postgres() {
                fieldwork_test_support::Backend::Postgres.run(async $body).await
            }
        }
    )*};
}

mod auth;
mod bad_input;
mod cli;
mod company;
mod customers;
mod demo_work;
mod durability;
mod estimates;
mod events;
mod invoice_views;
mod invoices;
mod job_lists;
mod job_parts;
mod jobs;
mod leads;
mod limits;
mod lists;
mod postgres_outage;
mod reference;
mod shared_limits;
mod usage;
mod vendors;
mod webhooks;

use serde_json::{Value, json};

/// A customer body with every field set.
pub fn full_customer(first: &str) -> Value {
    json!({
        "first_name": first,
        "last_name": "Okafor",
        "email": format!("{}@example.com", first.to_lowercase()),
        "mobile_number": "(415) 555-0199",
        "home_number": null,
        "company": "Okafor Rentals",
        "notifications_enabled": false,
        "tags": ["vip", "residential"],
        "lead_source": "Yelp",
        "notes": "Side gate code 1234",
        "addresses": [{
            "street": "742 Evergreen Terrace", "street_line_2": "Unit B",
            "city": "Springfield", "state": "OR", "zip": "97403", "country": "USA"
        }]
    })
}

/// Asserts an id is the given prefix plus 32 lowercase hex digits.
pub fn assert_id(id: &Value, prefix: &str) {
    let id = id
        .as_str()
        .unwrap_or_else(|| panic!("id is not a string: {id}"));
    let hex = id
        .strip_prefix(&format!("{prefix}_"))
        .unwrap_or_else(|| panic!("{id} lacks {prefix}_"));
    assert_eq!(hex.len(), 32, "{id}");
    assert!(
        hex.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{id}"
    );
}

/// Runs `fieldwork --database <the app's> args…` and returns stdout, asserting success.
pub async fn run_cli(app: &fieldwork_test_support::TestApp, args: &[&str]) -> String {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_fieldwork"))
        .args(["--database", &app.database_url])
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("fieldwork runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// A multipart body with one `file` part.
pub fn multipart(file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "fieldwork-test-boundary-7d3f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub async fn upload(
    app: &fieldwork_test_support::TestApp,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> fieldwork_test_support::Reply {
    let resp = app
        .client
        .post(format!("{}{path}", app.base_url))
        .header("Authorization", format!("Token {}", app.key))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .expect("sent");
    fieldwork_test_support::reply(resp).await
}
