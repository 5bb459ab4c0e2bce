//! The state of one database's run and the mechanics of a measured phase: waiting for a quiet
//! machine, running the load, accounting CPU and memory, repeating disturbed phases.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::cli::RunArgs;
use crate::load::{self, LoadOpts, LoadResult, Workload};
use crate::procs::{self, RssSampler, ServerProc};
use crate::sync::Mutex;

pub struct Row {
    pub phase: String,
    pub target: &'static str,
    pub conns: usize,
    pub res: LoadResult,
    pub rss_kb: u64,
    /// Cores used during the measured window: server, load generator, anything else.
    pub cpu: (f64, f64, f64),
}

/// Service time of one kind of request, measured one request at a time.
pub struct Service {
    pub phase: String,
    pub category: String,
    pub ok: u64,
    pub p50: u64,
    pub p99: u64,
    pub cpu_us: f64,
    pub other: f64,
}

pub struct Ctx {
    pub args: RunArgs,
    pub backend: Backend,
    pub bin: PathBuf,
    pub dir: PathBuf,
    /// The SQLite file (unused on PostgreSQL).
    pub db_path: PathBuf,
    /// What the server's `--database` gets.
    pub db_url: String,
    pub log: PathBuf,
    pub rss: RssSampler,
    pub rows: Vec<Row>,
    /// Largest server VmRSS seen (sampled) and VmHWM read before each server stop.
    pub server_rss_max_kb: u64,
    pub notes: Vec<String>,
    pub service: Vec<Service>,
    /// (acknowledged, read back) of the durability check.
    pub durability: Option<(u64, u64)>,
    /// The POST rate while creating the data set, when it was created in this run.
    pub seed_rate: Option<f64>,
}

/// The database a run measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// A PostgreSQL server, by the URL of a database the run can connect to for creating its
    /// own; `name` is the run's database once created.
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl Backend {
    /// Parses a `--database` value.
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        if s == "sqlite" {
            Ok(Self::Sqlite)
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(Self::Postgres {
                admin_url: s.to_owned(),
                name: crate::pg::unique_name("run"),
            })
        } else {
            anyhow::bail!("--database takes `sqlite` or a postgres:// URL, not {s:?}")
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres { .. } => "PostgreSQL",
        }
    }
}

impl Ctx {
    pub fn start_server(&mut self) -> anyhow::Result<ServerProc> {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--database")
            .arg(&self.db_url)
            .args(["serve", "--listen", "127.0.0.1:0"])
            // 50 connections on one key: far over the default request limits (issue 6).
            .env("FIELDWORK_RATE_LIMIT_ENABLED", "false")
            .current_dir(&self.dir);
        let s = ServerProc::start("fieldwork", cmd, &self.log)?;
        self.rss.watch(s.pid());
        Ok(s)
    }

    /// Records the server's peak memory before it goes away.
    pub fn note_hwm(&mut self, s: &ServerProc) {
        if let Some(kb) = procs::proc_kb(s.pid(), "VmHWM") {
            self.server_rss_max_kb = self.server_rss_max_kb.max(kb);
        }
    }

    pub fn opts(&self, addr: SocketAddr, conns: usize, timed: bool) -> LoadOpts {
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

    pub async fn phase<W: Workload>(
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

    pub async fn run_once<W: Workload>(
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
    pub async fn service_times<W: Workload>(
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
    pub async fn wait_quiet(&self) {
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
pub const OTHER_CPU_LIMIT: f64 = 0.1;

pub fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

pub fn print_row_brief(phase: &str, target: &str, r: &LoadResult, rss_kb: u64) {
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
