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
//! 4. `POST /customers`, sustained.
//! 5. Durability: a POST burst, SIGKILL of the server in the middle of it, restart on the same
//!    database, then every customer whose 201 arrived must read back.
//!
//! The server's resident memory (VmRSS) is sampled every 20 ms throughout.
//!
//! Run: `cargo build --release -p fieldwork-bench -p fieldwork-server &&
//!       target/release/fieldwork-bench`

mod data;
mod load;
mod procs;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
#[command(name = "fieldwork-bench", about = "Fieldwork performance benchmark (issue 2 §6)")]
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
    #[arg(long, default_value = "get,list,search,post,durability", value_delimiter = ',')]
    phases: Vec<String>,
    /// Seconds into the durability burst at which the server is SIGKILLed.
    #[arg(long, default_value_t = 4)]
    kill_after: u64,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Cmd::BaselineServer { listen, body_file }) = cli.command {
        return baseline_server(&listen, &body_file);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.run.client_threads)
        .enable_all()
        .build()?;
    rt.block_on(run(cli.run))
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
    fn new(seed: u64, range: std::ops::Range<u64>, auths: Vec<HeaderValue>, assign: Assign) -> Self {
        Self {
            seed,
            next: AtomicU64::new(range.start),
            end: range.end,
            auths,
            assign,
            big: 0,
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
            Assign::Seed => data::company_of(i, self.big, self.small_count),
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
            acked.lock().push((c.id, c.email.unwrap_or_default(), job.tag as usize));
        }
        Ok(())
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
}

const PAGE_SIZE: u32 = 50;

impl ListPages {
    fn bucket(page: u32, pages: u32) -> usize {
        if page <= 100 {
            0
        } else if page <= pages / 2 {
            1
        } else if page <= pages - 100 {
            2
        } else {
            3
        }
    }
}

impl Workload for ListPages {
    fn categories(&self) -> Vec<String> {
        let (p, h) = (self.pages, self.pages / 2);
        vec![
            "pages 1-100".into(),
            format!("pages 101-{h}"),
            format!("pages {}-{}", h + 1, p - 100),
            format!("pages {}-{p}", p - 99),
        ]
    }
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let page = rng.random_range(1..=self.pages);
        Some(Job {
            method: Method::GET,
            path: format!("/customers?page={page}&page_size={PAGE_SIZE}"),
            auth: Some(self.auth.clone()),
            body: None,
            cat: Self::bucket(page, self.pages),
            tag: page as u64,
        })
    }
}

/// `GET /customers?q=TERM` in the big company.
struct Search {
    seed: u64,
    big: u64,
    auth: HeaderValue,
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
        // Customer 2k is the k-th customer of the big company (see data::company_of).
        let i = 2 * rng.random_range(0..self.big);
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
        let kind = rng.random_range(0..SEARCH_KINDS.len());
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

async fn get_json(addr: SocketAddr, path: &str, auth: &HeaderValue) -> anyhow::Result<serde_json::Value> {
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
        eprintln!("== {phase} [{target}], {} connections ...", opts.conns);
        self.rss.watch(server_pid);
        let conns = opts.conns;
        let progress = opts.progress.clone();
        let started = Instant::now();
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
        let rss_kb = self.rss.take_max_kb();
        if target == "fieldwork" {
            self.server_rss_max_kb = self.server_rss_max_kb.max(rss_kb);
        }
        print_row_brief(phase, target, &res, rss_kb);
        self.rows.push(Row {
            phase: phase.into(),
            target,
            conns,
            res,
            rss_kb,
        });
        self.rows.last().expect("pushed")
    }
}

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
        None => Some(tempfile::Builder::new().prefix("fieldwork-bench-").tempdir()?),
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
        args,
    };
    let result = run_phases(&mut ctx).await;
    if let Err(e) = &result {
        eprintln!("benchmark failed: {e:#}");
    }
    if ctx.args.keep || result.is_err() {
        if let Some(t) = tmp {
            let p = t.keep();
            eprintln!("kept {}", p.display());
        }
    }
    result
}

fn machine() -> Vec<String> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = procs::proc_kb_file("/proc/meminfo", "MemTotal").unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let git = Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    vec![
        format!("CPU: {cpu}, {cores} cores available"),
        format!("Memory: {:.1} GB, Linux {}", mem as f64 / 1048576.0, kernel.trim()),
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
                man.big == ctx.args.big && man.small == ctx.args.small && man.small_count == ctx.args.small_count,
                "{} holds a different data set size",
                m.display()
            );
            let from = m.parent().expect("dir").join("fieldwork.db");
            procs::copy_db(&from, &ctx.db_path)?;
            eprintln!("reusing the data set of {} ({})", from.display(), man.seeded);
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
    let last = get_json(addr, &format!("/customers?page={pages}&page_size=50"), &big_auth).await?;
    let n_last = last["customers"].as_array().map(|a| a.len()).unwrap_or(0);
    ensure!(n_last == 50, "page {pages} has {n_last} customers, expected 50");
    let (status, one) = request(addr, Method::GET, &format!("/customers/{}", ids[0]), &big_auth, None).await?;
    ensure!(status == StatusCode::OK, "GET /customers/{}: {status}", ids[0]);
    let body_file = ctx.dir.join("baseline-body.json");
    std::fs::write(&body_file, &one)?;
    eprintln!("one customer = {} bytes of JSON; page of 50 = {} bytes", one.len(), serde_json::to_vec(&first)?.len());
    let search = Arc::new(Search {
        seed: manifest.seed,
        big: manifest.big,
        auth: big_auth.clone(),
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
                let v = get_json(addr, &format!("/customers?q={}", data::encode(&term)), &big_auth).await?;
                let t = v["total_items"].as_u64().unwrap_or(0);
                hits += t;
                if t == 0 {
                    zero += 1;
                    eprintln!("   search {term:?} found nothing");
                }
            }
            ensure!(zero == 0, "{zero} of {n} '{kind}' searches found nothing: the search phase would not measure real searches");
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
        cmd.arg("baseline-server").arg("--body-file").arg(&body_file);
        let mut baseline = ServerProc::start("baseline", cmd, &ctx.dir.join("baseline.log"))?;
        let wl = Arc::new(GetById {
            ids: ids.clone(),
            auth: big_auth.clone(),
        });
        let o = ctx.opts(baseline.addr, conns, true);
        ctx.phase("GET /customers/{id}", "baseline", wl.clone(), o, baseline.pid()).await;
        baseline.stop()?;
        let o = ctx.opts(addr, conns, true);
        ctx.phase("GET /customers/{id}", "fieldwork", wl, o, server.pid()).await;
    }

    // ---- Lists at random pages.
    if want_list {
        let wl = Arc::new(ListPages {
            auth: big_auth.clone(),
            pages,
        });
        let o = ctx.opts(addr, conns, true);
        ctx.phase("GET /customers?page=N&page_size=50", "fieldwork", wl, o, server.pid()).await;
    }

    // ---- Searches.
    if want_search {
        let o = ctx.opts(addr, conns, true);
        ctx.phase("GET /customers?q=TERM", "fieldwork", search.clone(), o, server.pid()).await;
    }

    // ---- Sustained POST.
    let mut next_i = (manifest.big + manifest.small * manifest.small_count) + 1_000_000;
    if want_post {
        let wl = Arc::new(Post::new(manifest.seed, next_i..u64::MAX, auths.clone(), Assign::RoundRobin));
        let o = ctx.opts(addr, conns, true);
        ctx.phase("POST /customers (sustained)", "fieldwork", wl.clone(), o, server.pid()).await;
        next_i = wl.next.load(Ordering::Relaxed) + 1;
    }

    // ---- Durability: SIGKILL during a POST burst.
    if want_dur {
        let mut wl = Post::new(manifest.seed, next_i..u64::MAX, auths.clone(), Assign::RoundRobin);
        wl.acked = Some(Mutex::new(Vec::new()));
        let wl = Arc::new(wl);
        let mut o = ctx.opts(addr, conns, false);
        o.duration = Some(Duration::from_secs(120));
        let stop = o.stop.clone();
        eprintln!("== durability: POST burst, SIGKILL after {} s ...", ctx.args.kill_after);
        ctx.rss.watch(server.pid());
        let t = tokio::spawn(load::run(wl.clone(), o));
        tokio::time::sleep(Duration::from_secs(ctx.args.kill_after)).await;
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
        let row = ctx.phase("GET every acknowledged id after restart", "fieldwork", verify, o, pid).await;
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
