//! `fieldwork-bench webhooks`: webhook throughput and latency (issue 5), end to end.
//!
//! Starts the real `fieldwork` server (release build next to this program) with `--demo` on a
//! fresh database, subscribes a local receiver (an axum server in this process answering 204)
//! and creates customers through `POST /customers` (each emits `customer.created`), as the
//! issue specifies. Phases:
//!
//! 1. closed loop, one endpoint: customers created per second, events delivered per second in the
//!    same window, and the backlog left at its end (does delivery keep up?);
//! 2. open loop at a fixed rate, one endpoint: create-to-received latency (from the moment the
//!    POST was due to the moment the receiver has the event), p50 / p99;
//! 3. closed loop with 100 endpoints subscribed to everything: deliveries per second.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use hdrhistogram::Histogram;
use serde_json::{Value, json};

use crate::procs::{CpuSnap, ServerProc, admin, set_server_database};
use parking_lot::Mutex;

/// Flags of `fieldwork-bench webhooks`.
#[derive(Debug, clap::Args)]
pub struct WebhookArgs {
    /// The `fieldwork` binary [default: next to this program].
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// `postgres://…` to run on PostgreSQL (the database must exist and be empty)
    /// [default: SQLite in a temporary directory].
    #[arg(long)]
    database: Option<String>,
    /// Concurrent connections of the closed-loop phases.
    #[arg(long, default_value_t = 32)]
    conns: usize,
    /// Measured seconds per phase.
    #[arg(long, default_value_t = 10)]
    secs: u64,
    /// Customers created per second in the latency phase.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Endpoints of the fan-out phase.
    #[arg(long, default_value_t = 100)]
    endpoints: usize,
}

#[derive(Default)]
struct Receiver {
    received: AtomicU64,
    /// First arrival of each customer's `customer.created`.
    first: Mutex<HashMap<String, Instant>>,
}

/// Counts every delivery; reads the customer id only from the first endpoint's (`/0`, the one
/// the latency phase times): parsing every body of the fan-out took the bench a fifth of a
/// core that the server then did not have.
async fn receive(State(r): State<Arc<Receiver>>, uri: Uri, body: Bytes) -> StatusCode {
    let now = Instant::now();
    r.received.fetch_add(1, Ordering::Relaxed);
    if uri.path() == "/0"
        && let Ok(v) = serde_json::from_slice::<Value>(&body)
        && let Some(id) = v["customer"]["id"].as_str()
    {
        r.first.lock().entry(id.to_owned()).or_insert(now);
    }
    StatusCode::NO_CONTENT
}

struct Target {
    client: reqwest::Client,
    base: String,
    key: String,
}

impl Target {
    async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Token {}", self.key))
            .json(body)
            .send()
            .await?;
        ensure!(r.status().is_success(), "POST {path}: {}", r.status());
        Ok(r.json().await?)
    }

    async fn create_customer(&self) -> anyhow::Result<String> {
        let body = json!({"first_name": "Bench", "last_name": "Customer",
                          "email": "bench@example.com"});
        let customer = self.post("/customers", &body).await?;
        Ok(customer["id"].as_str().context("customer id")?.to_owned())
    }
}

/// Runs the three phases and prints the report.
pub async fn run(args: WebhookArgs, default_bin: PathBuf) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bin = args.server_bin.clone().unwrap_or(default_bin);
    let db = args
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/fw.db", dir.path().display()));
    // The request limiter would refuse most of the load: it is measured on its own (issue 6).
    let config = dir.path().join("fieldwork.toml");
    std::fs::write(&config, "rate_limit_enabled = false\n")?;
    let mut cmd = Command::new(&bin);
    cmd.arg("--config").arg(&config).args([
        "serve",
        "--demo",
        "--listen",
        "127.0.0.1:0",
        "--database",
        &db,
    ]);
    let mut server = ServerProc::start("fieldwork", cmd, &dir.path().join("server.log"))?;
    // Server CPU counts PostgreSQL's processes for this database too.
    set_server_database(
        db.starts_with("postgres")
            .then(|| db.rsplit('/').next().unwrap_or("")),
    );
    let key = admin(
        &bin,
        &db,
        &["keys", "create", "--company", "demo", "--name", "bench"],
        dir.path(),
    )?
    .trim()
    .to_owned();
    let receiver = Arc::new(Receiver::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook = format!("http://{}", listener.local_addr()?);
    let app = axum::Router::new()
        .fallback(axum::routing::post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let target = Target {
        client,
        base: format!("http://{}", server.addr),
        key,
    };
    target
        .post(
            "/webhooks/endpoints",
            &json!({"url": format!("{hook}/0"), "events": ["customer.created"]}),
        )
        .await?;
    let target = Arc::new(target);
    let backend = if db.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("## Webhooks on {backend} (`fieldwork-bench webhooks`)\n");

    // 1. Closed loop, one endpoint.
    let before = CpuSnap::take(server.pid());
    let one = closed_loop(&target, &receiver, args.conns, args.secs, 1).await;
    let cpu = cpu_used(&before, &CpuSnap::take(server.pid()), one.created);
    println!(
        "- closed loop, {} connections, 1 endpoint: **{:.0} customers created/s, {:.0} events delivered/s**; backlog at the end of each second {:?}, drained in {:.1} s",
        args.conns,
        one.created as f64 / args.secs as f64,
        one.delivered as f64 / args.secs as f64,
        one.backlog_by_second,
        one.drain.as_secs_f64()
    );
    println!("  - {cpu} per customer created and delivered");

    // 2. Open loop latency.
    let open = latency(&target, &receiver, args.rate, args.secs).await;
    println!(
        "- open loop at {} customers/s (achieved {:.0}/s): create-to-received **p50 {:.1} ms, p99 {:.1} ms**, max {:.1} ms; the `POST` alone p50 {:.1} ms, p99 {:.1} ms",
        args.rate,
        open.achieved,
        open.received.0,
        open.received.1,
        open.received.2,
        open.post.0,
        open.post.1
    );

    // 3. Fan-out.
    for i in 1..args.endpoints {
        target
            .post(
                "/webhooks/endpoints",
                &json!({"url": format!("{hook}/{i}")}),
            )
            .await?;
    }
    let before = receiver.received.load(Ordering::Relaxed);
    let started = Instant::now();
    let cpu_before = CpuSnap::take(server.pid());
    let per_customer = args.endpoints.max(1) as u64;
    let ClosedLoop { created, drain, .. } =
        closed_loop(&target, &receiver, args.conns, args.secs, per_customer).await;
    let total = receiver.received.load(Ordering::Relaxed) - before;
    let cpu = cpu_used(&cpu_before, &CpuSnap::take(server.pid()), total);
    let window = started.elapsed();
    println!(
        "- closed loop with {} endpoints: {:.0} customers created/s; **{:.0} deliveries/s** ({total} deliveries in {:.1} s including a {:.1} s drain)",
        args.endpoints,
        created as f64 / args.secs as f64,
        total as f64 / window.as_secs_f64(),
        window.as_secs_f64(),
        drain.as_secs_f64()
    );
    println!("  - {cpu} per delivery\n");
    server.stop()?;
    Ok(())
}

/// The CPU used between two snapshots, as a line of the report: the server's (with its
/// PostgreSQL processes) per unit of work, which varies less from run to run on a shared
/// machine than the rates do, and the cores of the server, this program and everything else.
fn cpu_used(before: &CpuSnap, after: &CpuSnap, units: u64) -> String {
    let (server, me, other) = before.cores_until(after);
    let secs = match (before.at, after.at) {
        (Some(a), Some(b)) => (b - a).as_secs_f64(),
        _ => 0.0,
    };
    let per_unit = server * secs * 1e6 / units.max(1) as f64;
    format!(
        "server CPU {per_unit:.0} µs (cores: server {server:.2}, bench {me:.2}, other {other:.2})"
    )
}

/// What a closed loop did.
struct ClosedLoop {
    created: u64,
    /// Deliveries received within the window.
    delivered: u64,
    /// Deliveries not yet received at the end of each second of the window: a backlog that
    /// grows second after second is one the worker does not keep up with; a steady one is the
    /// deliveries on their way.
    backlog_by_second: Vec<u64>,
    /// Time to receive the backlog left at the end.
    drain: Duration,
}

/// Creates customers over `conns` connections for `secs`, each delivered to `per_customer`
/// endpoints.
async fn closed_loop(
    target: &Arc<Target>,
    receiver: &Arc<Receiver>,
    conns: usize,
    secs: u64,
    per_customer: u64,
) -> ClosedLoop {
    let stop = Arc::new(AtomicBool::new(false));
    let created = Arc::new(AtomicU64::new(0));
    let before = receiver.received.load(Ordering::Relaxed);
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (target, stop, created) = (target.clone(), stop.clone(), created.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if target.create_customer().await.is_ok() {
                    created.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let mut backlog_by_second = Vec::new();
    for _ in 0..secs {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let want = created.load(Ordering::Relaxed) * per_customer;
        let got = receiver.received.load(Ordering::Relaxed) - before;
        backlog_by_second.push(want.saturating_sub(got));
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let created = created.load(Ordering::Relaxed);
    let delivered = receiver.received.load(Ordering::Relaxed) - before;
    let want = created * per_customer;
    let t = Instant::now();
    let deadline = t + Duration::from_secs(300);
    while receiver.received.load(Ordering::Relaxed) - before < want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ClosedLoop {
        created,
        delivered,
        backlog_by_second,
        drain: t.elapsed(),
    }
}

/// What an open loop measured: (p50, p99, max) in ms.
struct OpenLoop {
    achieved: f64,
    /// From the moment each `POST` was due to its event's arrival.
    received: (f64, f64, f64),
    /// From the moment each `POST` was due to its response: what the webhook adds is the
    /// difference.
    post: (f64, f64, f64),
}

/// Creates customers at a fixed rate.
async fn latency(target: &Arc<Target>, receiver: &Arc<Receiver>, rate: u64, secs: u64) -> OpenLoop {
    let sent: Arc<Mutex<Vec<(String, Instant, Instant)>>> = Arc::default();
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now();
    let total = rate * secs;
    let mut tasks = Vec::new();
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        let (target, sent) = (target.clone(), sent.clone());
        tasks.push(tokio::spawn(async move {
            if let Ok(id) = target.create_customer().await {
                sent.lock().push((id, due, Instant::now()));
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let achieved = total as f64 / start.elapsed().as_secs_f64();
    let sent = std::mem::take(&mut *sent.lock());
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut hist = Histogram::<u64>::new(3).expect("histogram");
    let mut posts = Histogram::<u64>::new(3).expect("histogram");
    for (id, due, answered) in &sent {
        let _ = posts.record(answered.saturating_duration_since(*due).as_micros() as u64);
        loop {
            let got = receiver.first.lock().get(id).copied();
            if let Some(at) = got {
                let _ = hist.record(at.saturating_duration_since(*due).as_micros() as u64);
                break;
            }
            if Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let ms = |h: &Histogram<u64>| {
        let at = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        (at(0.5), at(0.99), h.max() as f64 / 1000.0)
    };
    OpenLoop {
        achieved,
        received: ms(&hist),
        post: ms(&posts),
    }
}
