//! `fieldwork-bench limiter`: what the request limiter costs (issue 6).
//!
//! Two `fieldwork` servers share one SQLite database with the demo company: one with the limits
//! switched off (`rate_limit_enabled = false`), one with them on at limits no request reaches.
//! The same closed-loop load of `GET /customers/{id}` (random demo customers, one key) goes to
//! each in turn, in A-B-B-A order over several rounds so that drift of a shared, noisy machine
//! falls on both equally; then, in each round, both at once with half the connections each, so
//! that other work on the machine slows both alike. The report gives the throughput ratios
//! (on / off) of both methods, per round and overall, and the server CPU time per request.
//!
//! With `--database postgres://…` the servers run on a fresh PostgreSQL database instead, and
//! the two arms are the limits with per-process windows (`off` in the report) and with the
//! windows shared in the database (`on`), so the ratio is what sharing the limit costs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Duration;

use anyhow::{Context, ensure};
use hyper::Method;
use hyper::header::HeaderValue;
use rand::Rng;
use rand::rngs::SmallRng;

use crate::load::{self, Job, LoadOpts, Workload};
use crate::procs::{self, ServerProc};

/// Flags of `fieldwork-bench limiter`.
#[derive(Debug, clap::Args)]
pub struct LimiterArgs {
    /// The `fieldwork` binary [default: next to this program].
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Rounds; each measures both servers twice (A-B-B-A).
    #[arg(long, default_value_t = 8)]
    rounds: usize,
    /// Measured seconds per measurement.
    #[arg(long, default_value_t = 3)]
    secs: u64,
    /// Unrecorded warm-up seconds before each measurement.
    #[arg(long, default_value_t = 1)]
    warmup: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 50)]
    conns: usize,
    /// API keys of the demo company the requests are spread over (the shared window of one
    /// key serializes its requests on one row).
    #[arg(long, default_value_t = 1)]
    keys: usize,
    /// A PostgreSQL URL whose role may create databases: compare shared and per-process
    /// windows on a database created there for the run (and dropped after it).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

/// Settings of the server with the limits on: both active, neither reached.
const LIMITS_ON: &str = "rate_limit_enabled = true\n\
                         rate_limit_per_minute = 1000000000\n\
                         max_concurrent_requests_per_company = 100000\n";
const LIMITS_OFF: &str = "rate_limit_enabled = false\n";
/// The two arms on PostgreSQL: the same limits, windows per process or in the database.
const SCOPE_PROCESS: &str = "rate_limit_scope = \"process\"\n";
const SCOPE_SHARED: &str = "rate_limit_scope = \"shared\"\n";

/// `GET /customers/{id}` of random ids, each with a random one of the keys.
struct GetById {
    ids: Vec<String>,
    auths: Vec<HeaderValue>,
}

impl Workload for GetById {
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let id = &self.ids[rng.random_range(0..self.ids.len())];
        Some(Job {
            method: Method::GET,
            path: format!("/customers/{id}"),
            auth: Some(self.auths[rng.random_range(0..self.auths.len())].clone()),
            body: None,
            cat: 0,
            tag: 0,
        })
    }
}

/// Runs the comparison and prints the Markdown report on stdout.
pub fn run(args: LimiterArgs) -> anyhow::Result<()> {
    let bin = match &args.server_bin {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("fieldwork"),
    };
    let dir = tempfile::tempdir()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (db_url, arm_off, arm_on, arms) = match &args.database {
        Some(admin_url) => {
            let name = crate::pg::unique_name("limiter");
            rt.block_on(crate::pg::create(admin_url, &name, None))?;
            (
                crate::pg::with_database(admin_url, &name)?,
                format!("{LIMITS_ON}{SCOPE_PROCESS}"),
                format!("{LIMITS_ON}{SCOPE_SHARED}"),
                "PostgreSQL; off = limits on with per-process windows, on = limits on with the \
                 windows shared in the database",
            )
        }
        None => (
            format!("sqlite://{}", dir.path().join("fw.db").display()),
            LIMITS_OFF.to_owned(),
            LIMITS_ON.to_owned(),
            "SQLite; off = limits switched off, on = limits on (in-memory windows)",
        ),
    };
    let result = compare(&args, &rt, &bin, &db_url, dir.path(), [&arm_off, &arm_on]);
    if args.database.is_some() {
        rt.block_on(crate::pg::drop_created());
    }
    print!("{arms}\n\n{}", report(&args, &result?));
    Ok(())
}

/// Starts the servers (`off`, `on` and the control, another `off`) and measures the rounds.
fn compare(
    args: &LimiterArgs,
    rt: &tokio::runtime::Runtime,
    bin: &Path,
    db_url: &str,
    dir: &Path,
    [arm_off, arm_on]: [&str; 2],
) -> anyhow::Result<Vec<Round>> {
    let log = dir.join("server.log");
    let off = start(bin, db_url, dir, &log, "limits-off", arm_off, true)?;
    let on = start(bin, db_url, dir, &log, "limits-on", arm_on, false)?;
    // A second server exactly like `off`: how far two identical servers differ in this run.
    let control = start(bin, db_url, dir, &log, "control", arm_off, false)?;
    let mut auths = Vec::with_capacity(args.keys);
    for _ in 0..args.keys.max(1) {
        let key = procs::admin(
            bin,
            db_url,
            &["keys", "create", "--company", "demo", "--name", "bench"],
            dir,
        )?;
        auths.push(HeaderValue::from_str(&format!("Token {}", key.trim()))?);
    }
    let ids = customer_ids(off.addr, &auths[0])?;
    eprintln!(
        "limiter bench: {} demo customers, {} keys, {} rounds",
        ids.len(),
        auths.len(),
        args.rounds
    );
    let workload = Arc::new(GetById { ids, auths });
    let mut rounds = Vec::new();
    for round in 0..args.rounds {
        let measure = |server: &ServerProc, label: &str| -> anyhow::Result<Measurement> {
            let before = procs::CpuSnap::take(server.pid());
            let res = rt.block_on(load::run(
                Arc::clone(&workload),
                LoadOpts {
                    addr: server.addr,
                    conns: args.conns,
                    warmup: Duration::from_secs(args.warmup),
                    duration: Some(Duration::from_secs(args.secs)),
                    stop: Arc::new(AtomicBool::new(false)),
                    progress: Arc::new(AtomicU64::new(0)),
                    rate: None,
                },
            ));
            let after = procs::CpuSnap::take(server.pid());
            ensure!(
                res.errors() == 0,
                "{label}: {} errors, first: {:?}",
                res.errors(),
                res.first_error
            );
            let (server_cores, _, other_cores) = before.cores_until(&after);
            // Warm-up requests used CPU too; spread it over everything served in the run.
            let secs = after
                .at
                .zip(before.at)
                .map_or(1.0, |(b, a)| (b - a).as_secs_f64());
            let served = res.rate() * secs;
            let m = Measurement {
                rate: res.rate(),
                p99_ms: res.all().value_at_quantile(0.99) as f64 / 1000.0,
                cpu_us: server_cores * secs * 1e6 / served.max(1.0),
                other_cores,
            };
            eprintln!(
                "  round {} {label}: {:.0}/s, {:.1} µs server CPU per request, {:.2} other cores busy",
                round + 1,
                m.rate,
                m.cpu_us,
                m.other_cores
            );
            Ok(m)
        };
        let a1 = measure(&off, "off")?;
        let b1 = measure(&on, "on")?;
        let b2 = measure(&on, "on")?;
        let a2 = measure(&off, "off")?;
        // Both servers at once, half the connections each: whatever else the machine does
        // then slows both alike, and the ratio is that of their cost per request.
        let opts = |addr: SocketAddr| LoadOpts {
            addr,
            conns: args.conns / 2,
            warmup: Duration::from_secs(args.warmup),
            duration: Some(Duration::from_secs(args.secs)),
            stop: Arc::new(AtomicBool::new(false)),
            progress: Arc::new(AtomicU64::new(0)),
            rate: None,
        };
        let (together_off, together_on) = rt.block_on(async {
            tokio::join!(
                load::run(Arc::clone(&workload), opts(off.addr)),
                load::run(Arc::clone(&workload), opts(on.addr))
            )
        });
        let (control_off, control_off2) = rt.block_on(async {
            tokio::join!(
                load::run(Arc::clone(&workload), opts(off.addr)),
                load::run(Arc::clone(&workload), opts(control.addr))
            )
        });
        ensure!(
            together_off.errors() + together_on.errors() == 0,
            "errors while loading both servers at once: {:?} {:?}",
            together_off.first_error,
            together_on.first_error
        );
        eprintln!(
            "  round {} together: off {:.0}/s, on {:.0}/s",
            round + 1,
            together_off.rate(),
            together_on.rate()
        );
        rounds.push(Round {
            off: [a1, a2],
            on: [b1, b2],
            together: (together_off.rate(), together_on.rate()),
            control: (control_off.rate(), control_off2.rate()),
        });
    }
    drop((off, on, control));
    Ok(rounds)
}

/// One load run against one server.
struct Measurement {
    rate: f64,
    p99_ms: f64,
    /// Server CPU time per request, in microseconds.
    cpu_us: f64,
    /// Cores busy outside the server and the load generator (noise from other work).
    other_cores: f64,
}

struct Round {
    off: [Measurement; 2],
    on: [Measurement; 2],
    /// Requests per second of (off, on) while both were loaded at once.
    together: (f64, f64),
    /// The same for `off` and an identical second server (the A/A control).
    control: (f64, f64),
}

fn mean(pair: &[Measurement; 2], f: impl Fn(&Measurement) -> f64) -> f64 {
    (f(&pair[0]) + f(&pair[1])) / 2.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn report(args: &LimiterArgs, rounds: &[Round]) -> String {
    let mut out = format!(
        "GET /customers/{{id}} with {} key(s), {} connections, per round 2 × {} s per server \
         (A-B-B-A), {} s warm-up each\n\n",
        args.keys.max(1),
        args.conns,
        args.secs,
        args.warmup
    );
    out.push_str(
        "| round | off req/s | on req/s | on / off | off CPU µs/req | on CPU µs/req | \
         p99 off | p99 on | other cores busy |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    let (mut sum_off, mut sum_on) = (0.0, 0.0);
    let (mut ratios, mut cpu_ratios) = (Vec::new(), Vec::new());
    for (i, r) in rounds.iter().enumerate() {
        let (off, on) = (mean(&r.off, |m| m.rate), mean(&r.on, |m| m.rate));
        let (cpu_off, cpu_on) = (mean(&r.off, |m| m.cpu_us), mean(&r.on, |m| m.cpu_us));
        sum_off += off;
        sum_on += on;
        ratios.push(on / off);
        cpu_ratios.push(cpu_on / cpu_off);
        let other = (mean(&r.off, |m| m.other_cores) + mean(&r.on, |m| m.other_cores)) / 2.0;
        out.push_str(&format!(
            "| {} | {off:.0} | {on:.0} | {:.3} | {cpu_off:.1} | {cpu_on:.1} | {:.2} ms | {:.2} ms | {other:.2} |\n",
            i + 1,
            on / off,
            mean(&r.off, |m| m.p99_ms),
            mean(&r.on, |m| m.p99_ms),
        ));
    }
    out.push_str(&format!(
        "\nAlternating: throughput on / off {:.3} over all rounds (median round {:.3}); server \
         CPU per request on / off: median round {:.3}.\n",
        sum_on / sum_off,
        median(ratios),
        median(cpu_ratios)
    ));
    out.push_str(&format!(
        "\nBoth at once ({} connections each, {} s per round), and the control: `off` and an \
         identical second server `off'` at once:\n\n\
         | round | off req/s | on req/s | on / off | off req/s | off' req/s | off' / off |\n\
         |---|---|---|---|---|---|---|\n",
        args.conns / 2,
        args.secs
    ));
    let (mut t_off, mut t_on, mut t_ratios) = (0.0, 0.0, Vec::new());
    let (mut c_off, mut c_off2, mut c_ratios) = (0.0, 0.0, Vec::new());
    for (i, r) in rounds.iter().enumerate() {
        let ((off, on), (a, b)) = (r.together, r.control);
        t_off += off;
        t_on += on;
        t_ratios.push(on / off);
        c_off += a;
        c_off2 += b;
        c_ratios.push(b / a);
        out.push_str(&format!(
            "| {} | {off:.0} | {on:.0} | {:.3} | {a:.0} | {b:.0} | {:.3} |\n",
            i + 1,
            on / off,
            b / a
        ));
    }
    out.push_str(&format!(
        "\nBoth at once: throughput on / off {:.3} over all rounds (median round {:.3}); \
         control off' / off {:.3} (median round {:.3}).\n",
        t_on / t_off,
        median(t_ratios),
        c_off2 / c_off,
        median(c_ratios)
    ));
    out
}

/// Starts a server with the given settings file; `demo` creates the demo company first.
fn start(
    bin: &Path,
    db_url: &str,
    dir: &Path,
    log: &Path,
    name: &'static str,
    settings: &str,
    demo: bool,
) -> anyhow::Result<ServerProc> {
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(&config, settings)?;
    let mut cmd = Command::new(bin);
    cmd.arg("--config")
        .arg(&config)
        .arg("--database")
        .arg(db_url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir);
    if demo {
        cmd.arg("--demo");
    }
    ServerProc::start(name, cmd, log)
}

/// The ids of the demo company's customers, read with one plain HTTP/1.0 request.
fn customer_ids(addr: SocketAddr, auth: &HeaderValue) -> anyhow::Result<Vec<String>> {
    let mut stream = TcpStream::connect(addr)?;
    write!(
        stream,
        "GET /customers?page_size=200 HTTP/1.0\r\nHost: {addr}\r\nAuthorization: {}\r\n\r\n",
        auth.to_str()?
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .context("no HTTP body")?;
    let list: serde_json::Value = serde_json::from_str(body).context("customer list")?;
    let ids: Vec<String> = list["customers"]
        .as_array()
        .context("no customers array")?
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    ensure!(!ids.is_empty(), "the demo company has no customers");
    Ok(ids)
}
