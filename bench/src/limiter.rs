//! `fieldwork-bench limiter`: what the request limiter costs (issue 6).
//!
//! Two `fieldwork` servers share one SQLite database with the demo company: one with the limits
//! switched off (`rate_limit_enabled = false`), one with them on at limits no request reaches.
//! The same closed-loop load of `GET /customers/{id}` (random demo customers, one key) goes to
//! each in turn, in A-B-B-A order over several rounds so that drift of a shared, noisy machine
//! falls on both equally. The report is the throughput ratio (on / off), per round and overall.

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

use crate::load::{self, Job, LoadOpts, LoadResult, Workload};
use crate::procs::{self, ServerProc};

/// Flags of `fieldwork-bench limiter`.
#[derive(Debug, clap::Args)]
pub struct LimiterArgs {
    /// The `fieldwork` binary [default: next to this program].
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Rounds; each measures both servers twice (A-B-B-A).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Measured seconds per measurement.
    #[arg(long, default_value_t = 5)]
    secs: u64,
    /// Unrecorded warm-up seconds before each measurement.
    #[arg(long, default_value_t = 1)]
    warmup: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 50)]
    conns: usize,
}

/// Settings of the server with the limits on: both active, neither reached.
const LIMITS_ON: &str = "rate_limit_enabled = true\n\
                         rate_limit_per_minute = 1000000000\n\
                         max_concurrent_requests_per_company = 100000\n";
const LIMITS_OFF: &str = "rate_limit_enabled = false\n";

/// `GET /customers/{id}` of random ids with one key.
struct GetById {
    ids: Vec<String>,
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

/// Runs the comparison and prints the Markdown report on stdout.
pub fn run(args: LimiterArgs) -> anyhow::Result<()> {
    let bin = match &args.server_bin {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("fieldwork"),
    };
    let dir = tempfile::tempdir()?;
    let db_url = format!("sqlite://{}", dir.path().join("fw.db").display());
    let log = dir.path().join("server.log");

    let off = start(
        &bin,
        &db_url,
        dir.path(),
        &log,
        "limits-off",
        LIMITS_OFF,
        true,
    )?;
    let on = start(
        &bin,
        &db_url,
        dir.path(),
        &log,
        "limits-on",
        LIMITS_ON,
        false,
    )?;
    let key = procs::admin(
        &bin,
        &db_url,
        &["keys", "create", "--company", "demo", "--name", "bench"],
        dir.path(),
    )?;
    let auth = HeaderValue::from_str(&format!("Token {}", key.trim()))?;
    let ids = customer_ids(off.addr, &auth)?;
    eprintln!(
        "limiter bench: {} demo customers, {} rounds",
        ids.len(),
        args.rounds
    );
    let workload = Arc::new(GetById { ids, auth });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut rounds = Vec::new();
    for round in 0..args.rounds {
        let measure = |addr: SocketAddr, label: &str| -> anyhow::Result<LoadResult> {
            let res = rt.block_on(load::run(
                Arc::clone(&workload),
                LoadOpts {
                    addr,
                    conns: args.conns,
                    warmup: Duration::from_secs(args.warmup),
                    duration: Some(Duration::from_secs(args.secs)),
                    stop: Arc::new(AtomicBool::new(false)),
                    progress: Arc::new(AtomicU64::new(0)),
                    rate: None,
                },
            ));
            ensure!(
                res.errors() == 0,
                "{label}: {} errors, first: {:?}",
                res.errors(),
                res.first_error
            );
            eprintln!("  round {} {label}: {:.0}/s", round + 1, res.rate());
            Ok(res)
        };
        let a1 = measure(off.addr, "off")?;
        let b1 = measure(on.addr, "on")?;
        let b2 = measure(on.addr, "on")?;
        let a2 = measure(off.addr, "off")?;
        rounds.push(Round {
            off: [a1, a2],
            on: [b1, b2],
        });
    }
    drop((off, on));
    print!("{}", report(&args, &rounds));
    Ok(())
}

struct Round {
    off: [LoadResult; 2],
    on: [LoadResult; 2],
}

impl Round {
    fn rate(results: &[LoadResult; 2]) -> f64 {
        results.iter().map(LoadResult::rate).sum::<f64>() / 2.0
    }

    fn p99_ms(results: &[LoadResult; 2]) -> f64 {
        let max = results
            .iter()
            .map(|r| r.all().value_at_quantile(0.99))
            .max()
            .unwrap_or(0);
        max as f64 / 1000.0
    }
}

fn report(args: &LimiterArgs, rounds: &[Round]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "GET /customers/{{id}}, {} connections, {} × {} s per server per round (A-B-B-A)\n\n",
        args.conns, 2, args.secs
    ));
    out.push_str(
        "| round | limits off (req/s) | limits on (req/s) | on / off | p99 off | p99 on |\n",
    );
    out.push_str("|---|---|---|---|---|---|\n");
    let (mut sum_off, mut sum_on) = (0.0, 0.0);
    let mut ratios = Vec::new();
    for (i, r) in rounds.iter().enumerate() {
        let (off, on) = (Round::rate(&r.off), Round::rate(&r.on));
        sum_off += off;
        sum_on += on;
        ratios.push(on / off);
        out.push_str(&format!(
            "| {} | {off:.0} | {on:.0} | {:.3} | {:.2} ms | {:.2} ms |\n",
            i + 1,
            on / off,
            Round::p99_ms(&r.off),
            Round::p99_ms(&r.on)
        ));
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    out.push_str(&format!(
        "\nOverall: on / off = {:.3} (cost {:.1} %); median round {:.3}.\n",
        sum_on / sum_off,
        (1.0 - sum_on / sum_off) * 100.0,
        median
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
