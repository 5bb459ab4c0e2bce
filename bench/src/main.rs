//! `fieldwork-bench`: the performance benchmark of issue 2 §6 (see BENCHMARKS.md).
//!
//! It starts the real `fieldwork` server on a fresh SQLite database, creates the data set through
//! the API (100,000 customers in one company, 10,000 in each of 10 others), then measures with
//! its own closed-loop load generator:
//!
//! 1. `GET /customers/{id}` (random ids of the big company) against a minimal axum server that
//!    answers the same JSON bytes from memory (the baseline, a separate process), then against
//!    Fieldwork: same generator, same connection count.
//! 2. `GET /customers?page=N&page_size=50` at random pages of the big company (1..=2000).
//! 3. `GET /customers?q=TERM`: names, emails, phone fragments, street names.
//!    After 2 and 3, each kind of request again over one connection (service time, server CPU),
//!    and with `--open-rates`, both at fixed arrival rates (open loop).
//! 4. `POST /customers`, sustained.
//! 5. Durability: a POST burst, SIGKILL of the server in the middle of it, restart on the same
//!    database, then every customer whose 201 arrived must read back.
//!
//! The server's resident memory (VmRSS) is sampled every 20 ms throughout, and the CPU used by
//! the server, the load generator and other processes is accounted per phase (the bench waits
//! for a quiet machine before each phase and repeats disturbed ones).
//!
//! Run: `cargo build --release -p fieldwork-bench -p fieldwork-server &&
//!       target/release/fieldwork-bench`

mod data;
mod load;
mod procs;
mod webhooks;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use bytes::Bytes;
use clap::{Parser, Subcommand};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request, StatusCode};
use parking_lot_free::Mutex;
use rand::Rng;
use rand::rngs::SmallRng;
use serde::{Deserialize, Serialize};

use crate::load::{Job, LoadOpts, LoadResult, Workload};
use crate::procs::{RssSampler, ServerProc};

/// A std mutex that does not care about poisoning (the bench aborts on panics anyway).
mod parking_lot_free {
    pub struct Mutex<T>(std::sync::Mutex<T>);
    impl<T> Mutex<T> {
        pub fn new(v: T) -> Self {
            Self(std::sync::Mutex::new(v))
        }
        pub fn lock(&self) -> std::sync::MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(|e| e.into_inner())
        }
        pub fn into_inner(self) -> T {
            self.0.into_inner().unwrap_or_else(|e| e.into_inner())
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "fieldwork-bench",
    about = "Fieldwork performance benchmark (issue 2 §6)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// (internal) The baseline: a minimal axum server answering GET /customers/{id} with the
    /// bytes of BODY_FILE from memory. Prints `Base URL: http://ADDR` once listening.
    BaselineServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        #[arg(long)]
        body_file: PathBuf,
    },
    /// Drives GET requests of one path at a server (to calibrate the load generator, e.g.
    /// against wrk): `fieldwork-bench load 127.0.0.1:8080 /customers/x`.
    Load {
        addr: SocketAddr,
        path: String,
        #[arg(long, default_value_t = 50)]
        conns: usize,
        #[arg(long, default_value_t = 8)]
        secs: u64,
        #[arg(long, default_value_t = 2)]
        client_threads: usize,
        /// API key to send as `Authorization: Token KEY`.
        #[arg(long)]
        key: Option<String>,
    },
    /// Webhook throughput and create-to-received latency (issue 5; see BENCHMARKS.md).
    Webhooks(webhooks::WebhookArgs),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The `fieldwork` binary [default: next to this program].
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Concurrent keep-alive connections of every measured phase.
    #[arg(long, default_value_t = 50)]
    conns: usize,
    /// Measured seconds per phase (after the warm-up).
    #[arg(long, default_value_t = 10)]
    secs: u64,
    /// Unrecorded warm-up seconds at the start of every phase.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Customers of the big company.
    #[arg(long, default_value_t = 100_000)]
    big: u64,
    /// Number of small companies.
    #[arg(long, default_value_t = 10)]
    small_count: u64,
    /// Customers of each small company.
    #[arg(long, default_value_t = 10_000)]
    small: u64,
    /// Connections used to create the data set.
    #[arg(long, default_value_t = 50)]
    seed_conns: usize,
    /// Worker threads of the load generator's runtime.
    #[arg(long, default_value_t = 2)]
    client_threads: usize,
    /// Reuse a prepared data set: if DIR/manifest.json exists, copy DIR's database instead of
    /// creating the data set; otherwise create it and save it there for the next runs.
    #[arg(long, value_name = "DIR")]
    prepared: Option<PathBuf>,
    /// Directory for the run's database and logs [default: a fresh temporary directory].
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Keep the temporary directory (database, server log) after the run.
    #[arg(long)]
    keep: bool,
    /// Phases to run, comma-separated: get,list,search,post,durability.
    #[arg(
        long,
        default_value = "get,list,search,post,durability",
        value_delimiter = ','
    )]
    phases: Vec<String>,
    /// Also measure lists and searches in open loop at these arrival rates (requests per
    /// second, comma-separated), over at most --conns connections; latency then includes
    /// waiting for a free connection.
    #[arg(long, value_delimiter = ',')]
    open_rates: Vec<f64>,
    /// Seconds of the one-connection service-time runs of each kind of list and search
    /// request (0: skip them).
    #[arg(long, default_value_t = 2)]
    service_secs: u64,
    /// Before each phase, wait up to this many seconds for other processes to leave the cores.
    #[arg(long, default_value_t = 900)]
    quiet_wait: u64,
    /// Repeat a timed phase up to this many times when other processes disturbed it.
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// Seconds into the durability burst at which the server is SIGKILLed.
    #[arg(long, default_value_t = 4)]
    kill_after: u64,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Cmd::BaselineServer { listen, body_file }) = cli.command {
        return baseline_server(&listen, &body_file);
    }
    if let Some(Cmd::Webhooks(args)) = cli.command {
        let default_bin = std::env::current_exe()?.with_file_name("fieldwork");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        return rt.block_on(webhooks::run(args, default_bin));
    }
    if let Some(Cmd::Load {
        addr,
        path,
        conns,
        secs,
        client_threads,
        key,
    }) = cli.command
    {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(client_threads)
            .enable_all()
            .build()?;
        return rt.block_on(async move {
            let auth = key.map(|k| HeaderValue::from_str(&format!("Token {k}")).expect("key"));
            let wl = Arc::new(Fixed(path, auth));
            let res = load::run(
                wl,
                LoadOpts {
                    addr,
                    conns,
                    warmup: Duration::from_secs(1),
                    duration: Some(Duration::from_secs(secs)),
                    stop: Arc::new(AtomicBool::new(false)),
                    progress: Arc::new(AtomicU64::new(0)),
                    rate: None,
                },
            )
            .await;
            print_row_brief("load", "given", &res, 0);
            Ok(())
        });
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.run.client_threads)
        .enable_all()
        .build()?;
    rt.block_on(async {
        // An interrupted run must not leave servers behind.
        tokio::spawn(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            eprintln!("interrupted: stopping the servers");
            procs::kill_children();
            std::process::exit(130);
        });
        run(cli.run).await
    })
}

// ---------------------------------------------------------------------------------------------
// The baseline server.

fn baseline_server(listen: &str, body_file: &Path) -> anyhow::Result<()> {
    use axum::extract::Path as P;
    let body = Bytes::from(std::fs::read(body_file)?);
    // Same runtime shape as `fieldwork serve`: the default multi-threaded runtime.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let app = axum::Router::new().route(
            "/customers/{id}",
            axum::routing::get(move |P(_id): P<String>| {
                let body = body.clone();
                async move { ([(CONTENT_TYPE, "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind(listen).await?;
        println!("Base URL: http://{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Workloads.

#[derive(Clone, Copy, PartialEq)]
enum Assign {
    /// The data set layout (see [`data::company_of`]).
    Seed,
    /// Round-robin over every company.
    RoundRobin,
}

/// `POST /customers` of customers `next..end`.
struct Post {
    seed: u64,
    next: AtomicU64,
    end: u64,
    auths: Vec<HeaderValue>,
    assign: Assign,
    big: u64,
    small_total: u64,
    small_count: u64,
    /// Ids of the big company's customers, when collecting them.
    big_ids: Option<Mutex<Vec<String>>>,
    /// (id, email) of every 201, when collecting them.
    acked: Option<Mutex<Vec<(String, String, usize)>>>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    email: Option<String>,
}

impl Post {
    fn new(
        seed: u64,
        range: std::ops::Range<u64>,
        auths: Vec<HeaderValue>,
        assign: Assign,
    ) -> Self {
        Self {
            seed,
            next: AtomicU64::new(range.start),
            end: range.end,
            auths,
            assign,
            big: 0,
            small_total: 0,
            small_count: 0,
            big_ids: None,
            acked: None,
        }
    }
}

impl Workload for Post {
    fn next(&self, _rng: &mut SmallRng) -> Option<Job> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= self.end {
            return None;
        }
        let company = match self.assign {
            Assign::Seed => data::company_of(i, self.big, self.small_total, self.small_count),
            Assign::RoundRobin => (i % self.auths.len() as u64) as usize,
        };
        Some(Job {
            method: Method::POST,
            path: "/customers".into(),
            auth: Some(self.auths[company].clone()),
            body: Some(Bytes::from(data::body(&data::person(self.seed, i)))),
            cat: 0,
            tag: company as u64,
        })
    }

    fn done(&self, job: &Job, status: StatusCode, body: &Bytes) -> Result<(), String> {
        if status != StatusCode::CREATED {
            return Err(format!("POST /customers answered {status}, not 201"));
        }
        if self.big_ids.is_none() && self.acked.is_none() {
            return Ok(());
        }
        let c: Created = serde_json::from_slice(body).map_err(|e| format!("POST body: {e}"))?;
        if let (Some(ids), 0) = (&self.big_ids, job.tag) {
            ids.lock().push(c.id.clone());
        }
        if let Some(acked) = &self.acked {
            acked
                .lock()
                .push((c.id, c.email.unwrap_or_default(), job.tag as usize));
        }
        Ok(())
    }
}

/// The same GET again and again.
struct Fixed(String, Option<HeaderValue>);

impl Workload for Fixed {
    fn next(&self, _rng: &mut SmallRng) -> Option<Job> {
        Some(Job {
            method: Method::GET,
            path: self.0.clone(),
            auth: self.1.clone(),
            body: None,
            cat: 0,
            tag: 0,
        })
    }
}

/// `GET /customers/{id}` of random ids.
struct GetById {
    ids: Arc<Vec<String>>,
    auth: HeaderValue,
}

impl Workload for GetById {
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let id = &self.ids[rng.random_range(0..self.ids.len())];
        Some(Job {
            method: Method::GET,
            path: format!("/customers/{id}"),
            auth: Some(self.auth.clone()),
            body: None,
            cat: 0,
            tag: 0,
        })
    }
}

/// `GET /customers?page=N&page_size=50` at uniformly random pages of the big company.
struct ListPages {
    auth: HeaderValue,
    pages: u32,
    /// Draw pages of this category only (`usize::MAX`: any).
    only: AtomicUsize,
}

const PAGE_SIZE: u32 = 50;
const LIST_PHASE: &str = "GET /customers?page=N&page_size=50";
const SEARCH_PHASE: &str = "GET /customers?q=TERM";

impl ListPages {
    /// Page ranges: the first 5 %, up to half, up to 95 %, the last 5 % (deepest).
    fn bounds(&self) -> [u32; 4] {
        let p = self.pages.max(4);
        [(p / 20).max(1), p / 2, p - (p / 20).max(1), p]
    }
    fn bucket(&self, page: u32) -> usize {
        self.bounds().iter().position(|&b| page <= b).unwrap_or(3)
    }
}

impl Workload for ListPages {
    fn categories(&self) -> Vec<String> {
        let b = self.bounds();
        vec![
            format!("pages 1-{}", b[0]),
            format!("pages {}-{}", b[0] + 1, b[1]),
            format!("pages {}-{}", b[1] + 1, b[2]),
            format!("pages {}-{} (deepest)", b[2] + 1, b[3]),
        ]
    }
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let page = match self.only.load(Ordering::Relaxed) {
            usize::MAX => rng.random_range(1..=self.pages),
            k => {
                let b = self.bounds();
                let lo = if k == 0 { 1 } else { b[k - 1] + 1 };
                rng.random_range(lo..=b[k])
            }
        };
        Some(Job {
            method: Method::GET,
            path: format!("/customers?page={page}&page_size={PAGE_SIZE}"),
            auth: Some(self.auth.clone()),
            body: None,
            cat: self.bucket(page),
            tag: page as u64,
        })
    }
}

/// `GET /customers?q=TERM` in the big company.
struct Search {
    seed: u64,
    big: u64,
    small_total: u64,
    auth: HeaderValue,
    /// Draw terms of this kind only (`usize::MAX`: any).
    only: AtomicUsize,
}

const SEARCH_KINDS: &[&str] = &[
    "name (first, last or both)",
    "email (whole address)",
    "phone (5 digits)",
    "street name",
];

impl Search {
    /// A search term of kind `kind`, drawn from the big company's customers.
    fn term(&self, kind: usize, rng: &mut SmallRng) -> String {
        let i = data::big_customer(rng.random_range(0..self.big), self.big, self.small_total);
        let p = data::person(self.seed, i);
        match kind {
            0 => match rng.random_range(0..3) {
                0 => p.first.to_owned(),
                1 => p.last.to_owned(),
                _ => format!("{} {}", p.first, p.last),
            },
            1 => p.email,
            2 => {
                let at = rng.random_range(0..=p.mobile.len() - 5);
                p.mobile[at..at + 5].to_owned()
            }
            _ => data::STREETS[rng.random_range(0..data::STREETS.len())].to_owned(),
        }
    }
}

impl Workload for Search {
    fn categories(&self) -> Vec<String> {
        SEARCH_KINDS.iter().map(|s| s.to_string()).collect()
    }
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let kind = match self.only.load(Ordering::Relaxed) {
            usize::MAX => rng.random_range(0..SEARCH_KINDS.len()),
            k => k,
        };
        let term = self.term(kind, rng);
        Some(Job {
            method: Method::GET,
            path: format!("/customers?q={}", data::encode(&term)),
            auth: Some(self.auth.clone()),
            body: None,
            cat: kind,
            tag: 0,
        })
    }
}

/// `GET /customers/{id}` of every acknowledged customer, checking its email.
struct Verify {
    list: Vec<(String, String, HeaderValue)>,
    next: AtomicU64,
}

#[derive(Deserialize)]
struct Email {
    email: Option<String>,
}

impl Workload for Verify {
    fn next(&self, _rng: &mut SmallRng) -> Option<Job> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) as usize;
        let (id, _, auth) = self.list.get(i)?;
        Some(Job {
            method: Method::GET,
            path: format!("/customers/{id}"),
            auth: Some(auth.clone()),
            body: None,
            cat: 0,
            tag: i as u64,
        })
    }
    fn done(&self, job: &Job, _status: StatusCode, body: &Bytes) -> Result<(), String> {
        let (id, email, _) = &self.list[job.tag as usize];
        let got: Email = serde_json::from_slice(body).map_err(|e| format!("{id}: {e}"))?;
        if got.email.as_deref() != Some(email.as_str()) {
            return Err(format!("{id}: email {:?}, expected {email:?}", got.email));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// One-off requests.

async fn request(
    addr: SocketAddr,
    method: Method,
    path: &str,
    auth: &HeaderValue,
    body: Option<Vec<u8>>,
) -> anyhow::Result<(StatusCode, Bytes)> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut s, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, addr.to_string())
        .header(AUTHORIZATION, auth.clone());
    if body.is_some() {
        req = req.header(CONTENT_TYPE, "application/json");
    }
    let resp = s
        .send_request(req.body(Full::new(Bytes::from(body.unwrap_or_default())))?)
        .await?;
    let status = resp.status();
    Ok((status, resp.into_body().collect().await?.to_bytes()))
}

async fn get_json(
    addr: SocketAddr,
    path: &str,
    auth: &HeaderValue,
) -> anyhow::Result<serde_json::Value> {
    let (status, body) = request(addr, Method::GET, path, auth, None).await?;
    ensure!(
        status == StatusCode::OK,
        "GET {path}: {status}: {}",
        String::from_utf8_lossy(&body)
    );
    Ok(serde_json::from_slice(&body)?)
}

// ---------------------------------------------------------------------------------------------
// The run.

#[derive(Serialize, Deserialize)]
struct Manifest {
    seed: u64,
    big: u64,
    small: u64,
    small_count: u64,
    /// (company id, API key); the big company first.
    companies: Vec<(String, String)>,
    big_ids: Vec<String>,
    /// How the data set was made.
    seeded: String,
}

struct Row {
    phase: String,
    target: &'static str,
    conns: usize,
    res: LoadResult,
    rss_kb: u64,
    /// Cores used during the measured window: server, load generator, anything else.
    cpu: (f64, f64, f64),
}

/// Service time of one kind of request, measured one request at a time.
struct Service {
    phase: String,
    category: String,
    ok: u64,
    p50: u64,
    p99: u64,
    cpu_us: f64,
    other: f64,
}

struct Ctx {
    args: RunArgs,
    bin: PathBuf,
    dir: PathBuf,
    db_path: PathBuf,
    db_url: String,
    log: PathBuf,
    rss: RssSampler,
    rows: Vec<Row>,
    /// Largest server VmRSS seen (sampled) and VmHWM read before each server stop.
    server_rss_max_kb: u64,
    notes: Vec<String>,
    service: Vec<Service>,
    /// (acknowledged, read back) of the durability check.
    durability: Option<(u64, u64)>,
    /// The POST rate while creating the data set, when it was created in this run.
    seed_rate: Option<f64>,
}

impl Ctx {
    fn start_server(&mut self) -> anyhow::Result<ServerProc> {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--database")
            .arg(&self.db_url)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .current_dir(&self.dir);
        let s = ServerProc::start("fieldwork", cmd, &self.log)?;
        self.rss.watch(s.pid());
        Ok(s)
    }

    /// Records the server's peak memory before it goes away.
    fn note_hwm(&mut self, s: &ServerProc) {
        if let Some(kb) = procs::proc_kb(s.pid(), "VmHWM") {
            self.server_rss_max_kb = self.server_rss_max_kb.max(kb);
        }
    }

    fn opts(&self, addr: SocketAddr, conns: usize, timed: bool) -> LoadOpts {
        LoadOpts {
            addr,
            conns,
            warmup: Duration::from_secs(if timed { self.args.warmup } else { 0 }),
            duration: timed.then(|| Duration::from_secs(self.args.secs)),
            stop: Arc::new(AtomicBool::new(false)),
            progress: Arc::new(AtomicU64::new(0)),
            rate: None,
        }
    }

    async fn phase<W: Workload>(
        &mut self,
        phase: &str,
        target: &'static str,
        workload: Arc<W>,
        opts: LoadOpts,
        server_pid: u32,
    ) -> &Row {
        let timed = opts.duration.is_some();
        let mut attempt = 0;
        let (res, cpu, rss_kb) = loop {
            attempt += 1;
            self.wait_quiet().await;
            eprintln!("== {phase} [{target}], {} connections ...", opts.conns);
            let (res, cpu, rss_kb) = self
                .run_once(workload.clone(), opts.clone(), server_pid)
                .await;
            print_row_brief(phase, target, &res, rss_kb);
            if cpu.2 <= OTHER_CPU_LIMIT {
                break (res, cpu, rss_kb);
            }
            eprintln!(
                "   WARNING: other processes used {:.2} cores during this phase: figures are disturbed",
                cpu.2
            );
            // Only timed phases can be repeated; keep the last attempt otherwise.
            if !timed || attempt > self.args.retries {
                break (res, cpu, rss_kb);
            }
            eprintln!("   repeating the phase");
        };
        if target == "fieldwork" {
            self.server_rss_max_kb = self.server_rss_max_kb.max(rss_kb);
        }
        self.rows.push(Row {
            phase: phase.into(),
            target,
            conns: opts.conns,
            res,
            rss_kb,
            cpu,
        });
        self.rows.last().expect("pushed")
    }

    async fn run_once<W: Workload>(
        &self,
        workload: Arc<W>,
        opts: LoadOpts,
        server_pid: u32,
    ) -> (LoadResult, (f64, f64, f64), u64) {
        self.rss.watch(server_pid);
        let progress = opts.progress.clone();
        let started = Instant::now();
        let warmup = opts.warmup;
        // CPU shares are measured over the measured window (from the end of the warm-up).
        let cpu0 = Arc::new(Mutex::new(procs::CpuSnap::take(server_pid)));
        if !warmup.is_zero() {
            let cpu0 = cpu0.clone();
            tokio::spawn(async move {
                tokio::time::sleep(warmup).await;
                *cpu0.lock() = procs::CpuSnap::take(server_pid);
            });
        }
        let mut t = tokio::spawn(load::run(workload, opts));
        let mut tick = tokio::time::interval(Duration::from_secs(10));
        tick.tick().await;
        let res = loop {
            tokio::select! {
                r = &mut t => break r.expect("load task"),
                _ = tick.tick() => eprintln!(
                    "   {:>4.0} s: {} requests",
                    started.elapsed().as_secs_f64(),
                    progress.load(Ordering::Relaxed)
                ),
            }
        };
        let cpu = cpu0.lock().cores_until(&procs::CpuSnap::take(server_pid));
        (res, cpu, self.rss.take_max_kb())
    }

    /// One connection, one category at a time: the service time of each kind of request
    /// without queueing, and the server CPU it costs.
    async fn service_times<W: Workload>(
        &mut self,
        phase: &str,
        workload: Arc<W>,
        addr: SocketAddr,
        server_pid: u32,
        set_only: impl Fn(usize),
    ) {
        if self.args.service_secs == 0 {
            return;
        }
        self.wait_quiet().await;
        eprintln!("== {phase}: service time of each kind, one connection ...");
        for (k, cat) in workload.categories().iter().enumerate() {
            set_only(k);
            let mut o = self.opts(addr, 1, true);
            o.warmup = Duration::from_millis(300);
            o.duration = Some(Duration::from_secs(self.args.service_secs));
            let (res, cpu, _) = self.run_once(workload.clone(), o, server_pid).await;
            let h = res.all();
            let cpu_us = cpu.0 * res.elapsed.as_secs_f64() / res.ok.max(1) as f64 * 1e6;
            eprintln!(
                "   {cat}: p50 {:.2} ms, p99 {:.2} ms, {:.0} server CPU µs each",
                ms(h.value_at_quantile(0.5)),
                ms(h.value_at_quantile(0.99)),
                cpu_us
            );
            self.service.push(Service {
                phase: phase.into(),
                category: cat.clone(),
                ok: res.ok,
                p50: h.value_at_quantile(0.5),
                p99: h.value_at_quantile(0.99),
                cpu_us,
                other: cpu.2,
            });
        }
        set_only(usize::MAX);
    }

    /// Waits (up to --quiet-wait seconds) until other processes have left the cores alone
    /// for three seconds in a row.
    async fn wait_quiet(&self) {
        let deadline = Instant::now() + Duration::from_secs(self.args.quiet_wait);
        let mut said = false;
        let mut quiet = 0;
        loop {
            let a = procs::CpuSnap::take(0);
            tokio::time::sleep(Duration::from_secs(1)).await;
            let (_, me, other) = a.cores_until(&procs::CpuSnap::take(0));
            let busy = me + other;
            if busy <= OTHER_CPU_LIMIT {
                quiet += 1;
                if quiet >= 3 {
                    return;
                }
                continue;
            }
            quiet = 0;
            if Instant::now() >= deadline {
                eprintln!("   the machine is still busy ({busy:.2} cores); going on anyway");
                return;
            }
            if !said {
                eprintln!(
                    "   waiting for other processes to leave the cores ({busy:.2} cores busy) ..."
                );
                said = true;
            }
        }
    }
}

/// Cores other processes may use during a phase before its figures count as disturbed.
const OTHER_CPU_LIMIT: f64 = 0.1;

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

fn print_row_brief(phase: &str, target: &str, r: &LoadResult, rss_kb: u64) {
    let h = r.all();
    eprintln!(
        "   {phase} [{target}]: {} ok in {:.1} s = {:.0}/s, {} errors, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, RSS max {:.1} MB",
        r.ok,
        r.elapsed.as_secs_f64(),
        r.rate(),
        r.errors(),
        ms(h.value_at_quantile(0.5)),
        ms(h.value_at_quantile(0.99)),
        ms(h.max()),
        rss_kb as f64 / 1024.0
    );
    if let Some(e) = &r.first_error {
        eprintln!("   first error: {e}");
    }
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("exe dir")?
            .join("fieldwork"),
    };
    ensure!(
        bin.exists(),
        "no server binary at {} (build it: cargo build --release -p fieldwork-server, or pass --server-bin)",
        bin.display()
    );
    let tmp = match &args.work_dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            None
        }
        None => Some(
            tempfile::Builder::new()
                .prefix("fieldwork-bench-")
                .tempdir()?,
        ),
    };
    let dir = match (&args.work_dir, &tmp) {
        (Some(d), _) => d.clone(),
        (None, Some(t)) => t.path().to_owned(),
        _ => unreachable!(),
    };
    let db_path = dir.join("fieldwork.db");
    ensure!(
        !db_path.exists(),
        "{} exists: the run needs a fresh database",
        db_path.display()
    );
    let db_url = format!("sqlite://{}", db_path.display());
    let log = dir.join("server.log");
    let mut ctx = Ctx {
        bin,
        dir: dir.clone(),
        db_path,
        db_url,
        log,
        rss: RssSampler::start(),
        rows: Vec::new(),
        server_rss_max_kb: 0,
        notes: Vec::new(),
        durability: None,
        seed_rate: None,
        service: Vec::new(),
        args,
    };
    let result = run_phases(&mut ctx).await;
    if let Err(e) = &result {
        eprintln!("benchmark failed: {e:#}");
    }
    if (ctx.args.keep || result.is_err())
        && let Some(t) = tmp
    {
        let p = t.keep();
        eprintln!("kept {}", p.display());
    }
    result
}

fn machine() -> Vec<String> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = procs::proc_kb_file("/proc/meminfo", "MemTotal").unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    // The source the binaries were built from, else the current directory's checkout.
    let describe = |dir: &str| {
        Command::new("git")
            .args(["-C", dir, "describe", "--always", "--dirty"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let git = describe(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .or_else(|| describe("."))
        .unwrap_or_else(|| "unknown".into());
    vec![
        format!("CPU: {cpu}, {cores} cores available"),
        format!(
            "Memory: {:.1} GB, Linux {}",
            mem as f64 / 1048576.0,
            kernel.trim()
        ),
        format!("Source: git {git}"),
    ]
}

async fn run_phases(ctx: &mut Ctx) -> anyhow::Result<()> {
    let machine = machine();
    for l in &machine {
        eprintln!("{l}");
    }
    let want = |p: &str| ctx.args.phases.iter().any(|x| x == p);
    let (want_get, want_list, want_search, want_post, want_dur) = (
        want("get"),
        want("list"),
        want("search"),
        want("post"),
        want("durability"),
    );
    let seed = 20_261_127u64;
    let conns = ctx.args.conns;

    // ---- The data set: reuse a prepared one, or create it through the API.
    let manifest_path = ctx.args.prepared.as_ref().map(|d| d.join("manifest.json"));
    let manifest = match &manifest_path {
        Some(m) if m.exists() => {
            let man: Manifest = serde_json::from_slice(&std::fs::read(m)?)?;
            ensure!(
                man.big == ctx.args.big
                    && man.small == ctx.args.small
                    && man.small_count == ctx.args.small_count,
                "{} holds a different data set size",
                m.display()
            );
            let from = m.parent().expect("dir").join("fieldwork.db");
            procs::copy_db(&from, &ctx.db_path)?;
            eprintln!(
                "reusing the data set of {} ({})",
                from.display(),
                man.seeded
            );
            ctx.notes.push(format!(
                "Data set copied from a prepared database ({}); no seeding in this run.",
                man.seeded
            ));
            man
        }
        _ => {
            let man = create_data_set(ctx, seed).await?;
            if let Some(m) = &manifest_path {
                let d = m.parent().expect("dir");
                std::fs::create_dir_all(d)?;
                procs::copy_db(&ctx.db_path, &d.join("fieldwork.db"))?;
                std::fs::write(m, serde_json::to_vec(&man)?)?;
                eprintln!("saved the data set in {} for --prepared", d.display());
            }
            man
        }
    };
    let auths: Vec<HeaderValue> = manifest
        .companies
        .iter()
        .map(|(_, k)| HeaderValue::from_str(&format!("Token {k}")).expect("key"))
        .collect();
    let big_auth = auths[0].clone();
    let ids = Arc::new(manifest.big_ids.clone());
    eprintln!(
        "database: {:.0} MB",
        procs::db_size(&ctx.db_path) as f64 / 1048576.0
    );

    // ---- A fresh server process on the data set.
    let mut server = ctx.start_server()?;
    let addr = server.addr;

    // Sanity checks, so that the phases measure what they claim to.
    let first = get_json(addr, "/customers?page=1&page_size=50", &big_auth).await?;
    let total = first["total_items"].as_u64().unwrap_or(0);
    ensure!(
        total == manifest.big,
        "the big company lists {total} customers, expected {}: {first}",
        manifest.big
    );
    let pages = (manifest.big / PAGE_SIZE as u64) as u32;
    let last = get_json(
        addr,
        &format!("/customers?page={pages}&page_size=50"),
        &big_auth,
    )
    .await?;
    let n_last = last["customers"].as_array().map(|a| a.len()).unwrap_or(0);
    ensure!(
        n_last == 50,
        "page {pages} has {n_last} customers, expected 50"
    );
    let (status, one) = request(
        addr,
        Method::GET,
        &format!("/customers/{}", ids[0]),
        &big_auth,
        None,
    )
    .await?;
    ensure!(
        status == StatusCode::OK,
        "GET /customers/{}: {status}",
        ids[0]
    );
    let body_file = ctx.dir.join("baseline-body.json");
    std::fs::write(&body_file, &one)?;
    eprintln!(
        "one customer = {} bytes of JSON; page of 50 = {} bytes",
        one.len(),
        serde_json::to_vec(&first)?.len()
    );
    let search = Arc::new(Search {
        seed: manifest.seed,
        big: manifest.big,
        small_total: manifest.small * manifest.small_count,
        auth: big_auth.clone(),
        only: AtomicUsize::new(usize::MAX),
    });
    let mut hits_note = Vec::new();
    {
        let mut rng = <SmallRng as rand::SeedableRng>::seed_from_u64(7);
        for (k, kind) in SEARCH_KINDS.iter().enumerate() {
            let n = 20;
            let mut hits = 0u64;
            let mut zero = 0;
            for _ in 0..n {
                let term = search.term(k, &mut rng);
                let v = get_json(
                    addr,
                    &format!("/customers?q={}", data::encode(&term)),
                    &big_auth,
                )
                .await?;
                let t = v["total_items"].as_u64().unwrap_or(0);
                hits += t;
                if t == 0 {
                    zero += 1;
                    eprintln!("   search {term:?} found nothing");
                }
            }
            ensure!(
                zero == 0,
                "{zero} of {n} '{kind}' searches found nothing: the search phase would not measure real searches"
            );
            hits_note.push(format!("{kind}: {:.0}", hits as f64 / n as f64));
        }
    }
    ctx.notes.push(format!(
        "Mean matches per search (total_items, over 20 sampled terms): {}.",
        hits_note.join("; ")
    ));
    ctx.notes.push(format!(
        "One customer is {} bytes of JSON; the baseline answers exactly these bytes.",
        one.len()
    ));

    // ---- GET /customers/{id}: the baseline, then Fieldwork.
    if want_get {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg("baseline-server")
            .arg("--body-file")
            .arg(&body_file);
        let mut baseline = ServerProc::start("baseline", cmd, &ctx.dir.join("baseline.log"))?;
        let wl = Arc::new(GetById {
            ids: ids.clone(),
            auth: big_auth.clone(),
        });
        let o = ctx.opts(baseline.addr, conns, true);
        ctx.phase(
            "GET /customers/{id}",
            "baseline",
            wl.clone(),
            o,
            baseline.pid(),
        )
        .await;
        baseline.stop()?;
        let o = ctx.opts(addr, conns, true);
        ctx.phase("GET /customers/{id}", "fieldwork", wl, o, server.pid())
            .await;
    }

    // ---- Lists at random pages.
    if want_list {
        let wl = Arc::new(ListPages {
            auth: big_auth.clone(),
            pages,
            only: AtomicUsize::new(usize::MAX),
        });
        let o = ctx.opts(addr, conns, true);
        ctx.phase(LIST_PHASE, "fieldwork", wl.clone(), o, server.pid())
            .await;
        let only = wl.clone();
        ctx.service_times(LIST_PHASE, wl, addr, server.pid(), |k| {
            only.only.store(k, Ordering::Relaxed)
        })
        .await;
    }

    // ---- Searches.
    if want_search {
        let o = ctx.opts(addr, conns, true);
        ctx.phase(SEARCH_PHASE, "fieldwork", search.clone(), o, server.pid())
            .await;
        let only = search.clone();
        ctx.service_times(SEARCH_PHASE, search.clone(), addr, server.pid(), |k| {
            only.only.store(k, Ordering::Relaxed)
        })
        .await;
        search.only.store(usize::MAX, Ordering::Relaxed);
    }

    // ---- Lists and searches at fixed arrival rates (open loop), if asked.
    for &rate in &ctx.args.open_rates.clone() {
        if want_list {
            let wl = Arc::new(ListPages {
                auth: big_auth.clone(),
                pages,
                only: AtomicUsize::new(usize::MAX),
            });
            let mut o = ctx.opts(addr, conns, true);
            o.rate = Some(rate);
            let name = format!("{LIST_PHASE} (open loop, {rate}/s)");
            ctx.phase(&name, "fieldwork", wl, o, server.pid()).await;
        }
        if want_search {
            let mut o = ctx.opts(addr, conns, true);
            o.rate = Some(rate);
            let name = format!("{SEARCH_PHASE} (open loop, {rate}/s)");
            ctx.phase(&name, "fieldwork", search.clone(), o, server.pid())
                .await;
        }
    }

    // ---- Sustained POST.
    let mut next_i = (manifest.big + manifest.small * manifest.small_count) + 1_000_000;
    if want_post {
        let wl = Arc::new(Post::new(
            manifest.seed,
            next_i..u64::MAX,
            auths.clone(),
            Assign::RoundRobin,
        ));
        let o = ctx.opts(addr, conns, true);
        ctx.phase(
            "POST /customers (sustained)",
            "fieldwork",
            wl.clone(),
            o,
            server.pid(),
        )
        .await;
        next_i = wl.next.load(Ordering::Relaxed) + 1;
    }

    // ---- Durability: SIGKILL during a POST burst.
    if want_dur {
        let mut wl = Post::new(
            manifest.seed,
            next_i..u64::MAX,
            auths.clone(),
            Assign::RoundRobin,
        );
        wl.acked = Some(Mutex::new(Vec::new()));
        let wl = Arc::new(wl);
        let mut o = ctx.opts(addr, conns, false);
        o.duration = Some(Duration::from_secs(120));
        let stop = o.stop.clone();
        eprintln!(
            "== durability: POST burst, SIGKILL after {} s ...",
            ctx.args.kill_after
        );
        ctx.wait_quiet().await;
        ctx.rss.watch(server.pid());
        let cpu0 = procs::CpuSnap::take(server.pid());
        let t = tokio::spawn(load::run(wl.clone(), o));
        tokio::time::sleep(Duration::from_secs(ctx.args.kill_after)).await;
        let cpu = cpu0.cores_until(&procs::CpuSnap::take(server.pid()));
        ctx.note_hwm(&server);
        let rss = ctx.rss.take_max_kb();
        ctx.server_rss_max_kb = ctx.server_rss_max_kb.max(rss);
        server.sigkill()?;
        let killed_at = Instant::now();
        stop.store(true, Ordering::Relaxed);
        let res = t.await?;
        let in_flight_errors = res.io_errors;
        let wl = Arc::into_inner(wl).context("workload still shared")?;
        let acked = wl.acked.expect("collecting").into_inner();
        eprintln!(
            "   {} POSTs acknowledged (201) before the kill; {} requests cut off; restarting ...",
            acked.len(),
            in_flight_errors
        );
        ctx.rows.push(Row {
            phase: "POST burst until SIGKILL".into(),
            target: "fieldwork",
            conns,
            res,
            rss_kb: rss,
            cpu,
        });
        server = ctx.start_server()?;
        let restart = killed_at.elapsed();
        let list: Vec<(String, String, HeaderValue)> = acked
            .into_iter()
            .map(|(id, email, company)| (id, email, auths[company].clone()))
            .collect();
        let n = list.len() as u64;
        let verify = Arc::new(Verify {
            list,
            next: AtomicU64::new(0),
        });
        let o = ctx.opts(server.addr, 16, false);
        let pid = server.pid();
        let row = ctx
            .phase(
                "GET every acknowledged id after restart",
                "fieldwork",
                verify,
                o,
                pid,
            )
            .await;
        let verified = row.res.ok;
        ctx.notes.push(format!(
            "Durability: {n} customers got a 201 before the SIGKILL at {} s into the burst; after a restart ({:.2} s to listening) {verified} of them read back with the same email, {} did not.",
            ctx.args.kill_after,
            restart.as_secs_f64(),
            n - verified
        ));
        ctx.durability = Some((n, verified));
    }

    ctx.note_hwm(&server);
    server.stop()?;
    report(ctx, &machine);
    Ok(())
}

async fn create_data_set(ctx: &mut Ctx, seed: u64) -> anyhow::Result<Manifest> {
    let (big, small, small_count) = (ctx.args.big, ctx.args.small, ctx.args.small_count);
    let total = big + small * small_count;
    eprintln!(
        "creating the data set through the API: {} + {} x {} customers ...",
        big, small_count, small
    );
    let mut companies = Vec::new();
    for k in 0..=small_count {
        let name = if k == 0 {
            "Bench Big Co".to_owned()
        } else {
            format!("Bench Small Co {k}")
        };
        let out = procs::admin(
            &ctx.bin,
            &ctx.db_url,
            &["companies", "create", "--name", &name, "--plan", "max"],
            &ctx.dir,
        )?;
        let id = out
            .split_whitespace()
            .last()
            .context("companies create printed nothing")?
            .to_owned();
        let key = procs::admin(
            &ctx.bin,
            &ctx.db_url,
            &["keys", "create", "--company", &id, "--name", "bench"],
            &ctx.dir,
        )?
        .trim()
        .to_owned();
        companies.push((id, key));
    }
    let auths: Vec<HeaderValue> = companies
        .iter()
        .map(|(_, k)| HeaderValue::from_str(&format!("Token {k}")).expect("key"))
        .collect();
    let mut server = ctx.start_server()?;
    let mut wl = Post::new(seed, 0..total, auths, Assign::Seed);
    wl.big = big;
    wl.small_total = small * small_count;
    wl.small_count = small_count;
    wl.big_ids = Some(Mutex::new(Vec::with_capacity(big as usize)));
    let wl = Arc::new(wl);
    let o = ctx.opts(server.addr, ctx.args.seed_conns, false);
    let pid = server.pid();
    let row = ctx
        .phase(
            "POST /customers (creating the data set)",
            "fieldwork",
            wl.clone(),
            o,
            pid,
        )
        .await;
    if row.res.errors() > 0 {
        bail!(
            "{} errors while creating the data set; first: {}",
            row.res.errors(),
            row.res.first_error.clone().unwrap_or_default()
        );
    }
    let rate = row.res.rate();
    ctx.seed_rate = Some(rate);
    ctx.note_hwm(&server);
    server.stop()?;
    let wl = Arc::into_inner(wl).context("workload still shared")?;
    let big_ids = wl.big_ids.expect("collecting").into_inner();
    ensure!(
        big_ids.len() as u64 == ctx.args.big,
        "got {} ids of the big company",
        big_ids.len()
    );
    Ok(Manifest {
        seed,
        big: ctx.args.big,
        small: ctx.args.small,
        small_count: ctx.args.small_count,
        companies,
        big_ids,
        seeded: format!(
            "{total} POSTs over {} connections at {rate:.0}/s",
            ctx.args.seed_conns
        ),
    })
}

fn q(h: &Histogram<u64>, q: f64) -> String {
    format!("{:.2}", ms(h.value_at_quantile(q)))
}

fn verdict(ok: bool) -> &'static str {
    if ok { "**met**" } else { "**MISSED**" }
}

fn report(ctx: &Ctx, machine: &[String]) {
    let a = &ctx.args;
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let argv: Vec<String> = std::env::args().collect();
    println!();
    println!("### Run of {date}");
    println!();
    println!("- Command: `{}`", argv.join(" "));
    for l in machine {
        println!("- {l}");
    }
    println!(
        "- Load generator: this program, {} client threads, closed loop, {} keep-alive connections per phase, {} s warm-up + {} s measured; client and server share the cores (nothing pinned).",
        a.client_threads, a.conns, a.warmup, a.secs
    );
    println!();
    println!(
        "| Phase | Server | Conns | Measured s | OK | Errors | Req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | Server RSS max MB | CPU cores: server / load gen / other | Server CPU µs per request |"
    );
    println!("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for r in &ctx.rows {
        let h = r.res.all();
        println!(
            "| {} | {} | {} | {:.1} | {} | {} | {:.0} | {} | {} | {} | {} | {:.1} | {:.1} | {:.2} / {:.2} / {:.2} | {:.0} |",
            r.phase.replace('|', "\\|"),
            r.target,
            r.conns,
            r.res.elapsed.as_secs_f64(),
            r.res.ok,
            r.res.errors(),
            r.res.rate(),
            q(&h, 0.5),
            q(&h, 0.9),
            q(&h, 0.99),
            q(&h, 0.999),
            ms(h.max()),
            r.rss_kb as f64 / 1024.0,
            r.cpu.0,
            r.cpu.1,
            r.cpu.2,
            r.cpu.0 * r.res.elapsed.as_secs_f64() / r.res.ok.max(1) as f64 * 1e6
        );
    }
    if !ctx.service.is_empty() {
        println!();
        println!(
            "Service time, one connection (no queueing), {} s per kind:",
            a.service_secs
        );
        println!();
        println!(
            "| Phase | Requests of | OK | p50 ms | p99 ms | Server CPU µs each | Other CPU cores |"
        );
        println!("|---|---|--:|--:|--:|--:|--:|");
        for v in &ctx.service {
            println!(
                "| {} | {} | {} | {:.2} | {:.2} | {:.0} | {:.2} |",
                v.phase,
                v.category,
                v.ok,
                ms(v.p50),
                ms(v.p99),
                v.cpu_us,
                v.other
            );
        }
    }
    let multi: Vec<&Row> = ctx
        .rows
        .iter()
        .filter(|r| r.res.categories.len() > 1)
        .collect();
    if !multi.is_empty() {
        println!();
        println!("| Phase | Requests of | OK | p50 ms | p99 ms | max ms |");
        println!("|---|---|--:|--:|--:|--:|");
        for r in multi {
            for (c, h) in r.res.categories.iter().zip(&r.res.hist) {
                println!(
                    "| {} | {c} | {} | {} | {} | {:.1} |",
                    r.phase,
                    h.len(),
                    q(h, 0.5),
                    q(h, 0.99),
                    ms(h.max())
                );
            }
        }
    }
    // Targets.
    let find = |phase: &str, target: &str| {
        ctx.rows
            .iter()
            .find(|r| r.phase == phase && r.target == target)
    };
    println!();
    println!("| Target (issue 2 §6) | Measured | Result |");
    println!("|---|---|---|");
    if let (Some(b), Some(f)) = (
        find("GET /customers/{id}", "baseline"),
        find("GET /customers/{id}", "fieldwork"),
    ) {
        let ratio = f.res.rate() / b.res.rate();
        println!(
            "| GET /customers/{{id}} ≥ 50 % of the in-memory baseline | {:.0}/s vs {:.0}/s = **{:.0} %** | {} |",
            f.res.rate(),
            b.res.rate(),
            ratio * 100.0,
            verdict(ratio >= 0.5 && f.res.errors() == 0)
        );
    }
    for (phase, what) in [
        (
            LIST_PHASE,
            "GET /customers?page_size=50 at any page: p99 < 20 ms",
        ),
        (SEARCH_PHASE, "q= searches: p99 < 20 ms"),
    ] {
        if let Some(r) = find(phase, "fieldwork") {
            let all = r.res.all().value_at_quantile(0.99);
            let (worst_cat, worst) = r
                .res
                .categories
                .iter()
                .zip(&r.res.hist)
                .map(|(c, h)| (c.clone(), h.value_at_quantile(0.99)))
                .max_by_key(|x| x.1)
                .unwrap_or_default();
            println!(
                "| {what} | p99 {:.1} ms overall; worst: {worst_cat} p99 {:.1} ms | {} |",
                ms(all),
                ms(worst),
                verdict(worst < 20_000 && r.res.errors() == 0)
            );
        }
    }
    if let Some(r) = find("POST /customers (sustained)", "fieldwork") {
        let (lo, _) = r.res.min_max_per_sec();
        let mut met = r.res.rate() >= 3000.0 && r.res.errors() == 0;
        let mut extra = String::new();
        if let Some(s) = ctx.seed_rate {
            met &= s >= 3000.0;
            extra = format!("; {s:.0}/s while creating the data set");
        }
        println!(
            "| POST /customers ≥ 3,000/s sustained | {:.0}/s over {:.0} s (slowest second {lo}){extra} | {} |",
            r.res.rate(),
            r.res.elapsed.as_secs_f64(),
            verdict(met)
        );
    }
    if let Some((n, v)) = ctx.durability {
        println!(
            "| every 201 durable across SIGKILL | {v} of {n} acknowledged customers read back after restart | {} |",
            verdict(n > 0 && v == n)
        );
    }
    let rss = ctx.server_rss_max_kb as f64 / 1024.0;
    println!(
        "| server RSS < 100 MB throughout | max {rss:.1} MB (VmRSS sampled every 20 ms, and VmHWM) | {} |",
        verdict(rss < 100.0)
    );
    println!();
    for r in ctx.rows.iter().filter(|r| r.cpu.2 > 0.1) {
        println!(
            "- WARNING: other processes used {:.2} cores during \"{}\" [{}]: its figures are disturbed.",
            r.cpu.2, r.phase, r.target
        );
    }
    for n in &ctx.notes {
        println!("- {n}");
    }
}
