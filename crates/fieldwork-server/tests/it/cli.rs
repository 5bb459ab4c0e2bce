//! The `fieldwork` binary: admin commands and `serve --demo`.

use std::process::Command;

use fieldwork_test_support::ServerProcess;
use reqwest::StatusCode;

const BIN: &str = env!("CARGO_BIN_EXE_fieldwork");

/// Runs `fieldwork --database URL args…`, asserting success; returns stdout.
pub(crate) fn run(url: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(["--database", url])
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn temp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    (dir, url)
}

#[test]
fn companies_keys_and_employees_commands() {
    let (_dir, url) = temp_db();
    let out = run(
        &url,
        &[
            "companies",
            "create",
            "--name",
            "Acme Heating",
            "--plan",
            "essentials",
        ],
    );
    let company = out.split_whitespace().last().unwrap().to_owned();
    assert_eq!(company.len(), 36, "{out}");
    let list = run(&url, &["companies", "list"]);
    assert!(
        list.contains(&company) && list.contains("essentials") && list.contains("Acme Heating"),
        "{list}"
    );
    run(&url, &["companies", "set-plan", &company, "max"]);
    assert!(run(&url, &["companies", "list"]).contains("\tmax\t"));

    let key = run(
        &url,
        &["keys", "create", "--company", &company, "--name", "zapier"],
    );
    let key = key.trim();
    assert_eq!(key.len(), 32, "only the key is printed: {key:?}");
    let keys = run(&url, &["keys", "list", "--company", &company]);
    let line = keys.lines().next().unwrap();
    let fields: Vec<&str> = line.split('\t').collect();
    assert!(fields[0].starts_with("key_"), "{line}");
    assert_eq!(fields[1], "zapier");
    assert_eq!(fields[3], "never");
    assert_eq!(fields[4], "active");
    run(&url, &["keys", "revoke", fields[0]]);
    assert!(
        run(&url, &["keys", "list", "--company", &company])
            .trim_end()
            .ends_with("revoked")
    );

    let out = run(
        &url,
        &[
            "employees",
            "create",
            "--company",
            &company,
            "--first-name",
            "Rae",
            "--last-name",
            "Kim",
            "--admin",
        ],
    );
    assert!(
        out.split_whitespace().last().unwrap().starts_with("pro_"),
        "{out}"
    );

    // FIELDWORK_DATABASE_URL works in place of --database.
    let out = Command::new(BIN)
        .args(["companies", "list"])
        .env("FIELDWORK_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&company));

    // Bad input is an error with a message, not a panic.
    let out = Command::new(BIN)
        .args([
            "--database",
            &url,
            "companies",
            "set-plan",
            &company,
            "gold",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = Command::new(BIN)
        .args(["--database", &url, "keys", "list", "--company", "demo"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("demo"));
}

#[tokio::test]
async fn serve_demo_prints_a_working_key_every_start() {
    let (_dir, url) = temp_db();
    let mut first = ServerProcess::start(BIN, &url, &["--demo"]).unwrap();
    let key1 = first.demo_key.clone().expect("API key line");
    let client = reqwest::Client::new();
    let get = |base: String, key: String, path: &'static str| {
        let client = client.clone();
        async move {
            let r = client
                .get(format!("{base}{path}"))
                .header("Authorization", format!("Token {key}"))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, body) = get(first.base_url.clone(), key1.clone(), "/customers").await;
    assert_eq!(status, StatusCode::OK);
    // 60 customers, plus the prospects that came in as leads.
    let customers = body["total_items"].as_u64().unwrap();
    assert!(customers >= 60, "{body}");
    let (_, body) = get(first.base_url.clone(), key1.clone(), "/estimates").await;
    assert!(body["total_items"].as_u64().unwrap() >= 60, "{body}");
    let (_, body) = get(first.base_url.clone(), key1.clone(), "/leads").await;
    assert_eq!(body["total_items"], 40);
    let (_, body) = get(first.base_url.clone(), key1.clone(), "/employees").await;
    assert_eq!(body["total_items"], 8);
    for path in ["/tags", "/lead_sources", "/job_fields/job_types"] {
        let (_, body) = get(first.base_url.clone(), key1.clone(), path).await;
        assert!(body["total_items"].as_u64().unwrap() >= 5, "{path}: {body}");
    }
    let (_, body) = get(first.base_url.clone(), key1.clone(), "/jobs?page_size=200").await;
    // 200 demo jobs, plus those that approved estimates and won leads became.
    assert!(
        body["total_items"].as_u64().unwrap() >= 200,
        "{}",
        body["total_items"]
    );
    let statuses: std::collections::BTreeSet<&str> = body["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["work_status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.len(), 7, "every work_status: {statuses:?}");
    first.kill();

    // A second start reuses the company and prints a new key; the old one still works.
    let second = ServerProcess::start(BIN, &url, &["--demo"]).unwrap();
    let key2 = second.demo_key.clone().unwrap();
    assert_ne!(key1, key2);
    for key in [key1, key2] {
        let (status, body) = get(second.base_url.clone(), key, "/customers").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["total_items"], customers);
    }
    assert_eq!(run(&url, &["companies", "list"]).lines().count(), 1);
}

backend_tests! {
    /// `serve --no-migrate` refuses a database that lacks migrations; `migrate` applies them.
    async fn migrate_then_serve_without_migrating() {
        let database = fieldwork_test_support::TestDatabase::create().await;
        let out = Command::new(BIN)
            .args(["serve", "--no-migrate", "--listen", "127.0.0.1:0", "--database", &database.url])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("fieldwork migrate"), "{stderr}");

        let out = run(&database.url, &["migrate"]);
        assert!(out.contains("migrations applied"), "{out}");
        // Applying again is a no-op.
        run(&database.url, &["migrate"]);
        let server = ServerProcess::start(BIN, &database.url, &["--no-migrate"]).unwrap();
        let r = reqwest::get(format!("{}/company", server.base_url)).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn set_limit_applies_to_a_running_server_and_usage_prints_its_figures() {
    let (_dir, url) = temp_db();
    let out = run(&url, &["companies", "create", "--name", "Limits Co"]);
    let company = out.split_whitespace().last().unwrap().to_owned();
    let key = run(
        &url,
        &["keys", "create", "--company", &company, "--name", "zapier"],
    );
    let key = key.trim().to_owned();
    let server =
        ServerProcess::start_with_env(BIN, &url, &[], &[("FIELDWORK_KEY_USAGE_FLUSH_SECS", "1")])
            .unwrap();
    let client = reqwest::Client::new();
    let get = || {
        client
            .get(format!("{}/company", server.base_url))
            .header("Authorization", format!("Token {key}"))
            .send()
    };
    let r = get().await.unwrap();
    assert_eq!(r.headers()["x-ratelimit-limit"], "150");

    let out = run(
        &url,
        &["companies", "set-limit", &company, "--per-minute", "2"],
    );
    assert!(out.contains("2 requests per API key per minute"), "{out}");
    // No restart: the next request already sees the new limit.
    let r = get().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-ratelimit-limit"], "2");
    assert_eq!(get().await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    let out = run(
        &url,
        &[
            "companies",
            "set-limit",
            &company,
            "--per-minute",
            "default",
        ],
    );
    assert!(out.contains("the server's rate_limit_per_minute"), "{out}");
    let bad = Command::new(BIN)
        .args(["--database", &url, "companies", "set-limit", &company])
        .args(["--per-minute", "0"])
        .output()
        .unwrap();
    assert!(!bad.status.success());

    // The server writes its figures every second; the table shows them once written.
    let mut table = String::new();
    for _ in 0..50 {
        table = run(&url, &["usage", "--company", &company, "--since", "1h"]);
        if table.lines().any(|l| l.starts_with("zapier")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let row: Vec<&str> = table
        .lines()
        .find(|l| l.starts_with("zapier"))
        .unwrap_or_else(|| panic!("no zapier row:\n{table}"))
        .split_whitespace()
        .collect();
    assert_eq!(row, ["zapier", "3", "1", "1", "0"], "{table}");
    assert!(table.lines().nth(1).unwrap().starts_with("KEY"), "{table}");
    let by_minute = run(&url, &["usage", "--company", &company, "--by-minute"]);
    assert!(
        by_minute.lines().nth(1).unwrap().starts_with("MINUTE"),
        "{by_minute}"
    );
    assert!(by_minute.contains(":00Z  zapier"), "{by_minute}");
}
