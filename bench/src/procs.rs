//! Child processes (the Fieldwork server, the baseline server, admin commands) and their memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Every server process started, so that an interrupted run can stop them.
static CHILDREN: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

/// SIGKILLs every server process this program started that may still run (on Ctrl-C/SIGTERM).
pub fn kill_children() {
    for pid in CHILDREN.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

fn forget_child(pid: u32) {
    CHILDREN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|&p| p != pid);
}

/// A server process that printed `Base URL: http://ADDR` once listening.
pub struct ServerProc {
    pub child: Child,
    pub addr: SocketAddr,
    pub name: &'static str,
}

impl ServerProc {
    /// Starts `cmd` (stdout piped, stderr to `log`) and waits for its `Base URL:` line.
    pub fn start(name: &'static str, mut cmd: Command, log: &Path) -> anyhow::Result<Self> {
        let logf = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        cmd.stdout(Stdio::piped())
            .stderr(logf.try_clone()?)
            .stdin(Stdio::null());
        for (k, _) in std::env::vars() {
            if k.starts_with("FIELDWORK_") || k == "RUST_LOG" {
                cmd.env_remove(k);
            }
        }
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {cmd:?}"))?;
        CHILDREN
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(child.id());
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        // Forward the server's stdout to the log, picking up the address on the way.
        std::thread::spawn(move || {
            let mut logf = logf;
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            let mut tx = Some(tx);
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                let _ = logf.write_all(line.as_bytes());
                if let Some(rest) = line.trim().strip_prefix("Base URL: http://")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(rest.to_owned());
                }
                line.clear();
            }
            let mut rest = Vec::new();
            let _ = r.read_to_end(&mut rest);
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "{name} exited with {status} before listening; log:\n{}",
                    tail(log)
                );
            }
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(addr) => {
                    let addr: SocketAddr = addr.parse().context("Base URL address")?;
                    return Ok(Self { child, addr, name });
                }
                Err(_) if Instant::now() > deadline => {
                    let _ = child.kill();
                    bail!(
                        "{name} did not start listening in 60 s; log:\n{}",
                        tail(log)
                    );
                }
                Err(_) => {}
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, then reap.
    pub fn sigkill(&mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        forget_child(self.pid());
        Ok(())
    }

    /// SIGTERM (graceful shutdown), SIGKILL after 20 s.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        if self.child.try_wait()?.is_some() {
            return Ok(());
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                forget_child(self.pid());
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{} ignored SIGTERM for 20 s; killing it", self.name);
        self.sigkill()
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        forget_child(self.child.id());
    }
}

fn tail(log: &Path) -> String {
    let s = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Runs an admin command of `fieldwork` to completion and returns its stdout.
pub fn admin(bin: &Path, db_url: &str, args: &[&str], cwd: &Path) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .arg("--database")
        .arg(db_url)
        .args(args)
        .current_dir(cwd)
        .env_remove("FIELDWORK_CONFIG")
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    if !out.status.success() {
        bail!(
            "fieldwork {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// A `/proc/PID/status` field in kB (VmRSS, VmHWM).
pub fn proc_kb(pid: u32, field: &str) -> Option<u64> {
    if pid == 0 {
        return None;
    }
    proc_kb_file(&format!("/proc/{pid}/status"), field)
}

/// A `Field: N kB` line of a /proc file.
pub fn proc_kb_file(path: &str, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(path).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Samples VmRSS of one process (which can be swapped) every 20 ms, keeping the maximum.
pub struct RssSampler {
    pid: Arc<AtomicU32>,
    max_kb: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl RssSampler {
    pub fn start() -> Self {
        let s = Self {
            pid: Arc::new(AtomicU32::new(0)),
            max_kb: Arc::new(AtomicU64::new(0)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (pid, max_kb, stop) = (s.pid.clone(), s.max_kb.clone(), s.stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(kb) = proc_kb(pid.load(Ordering::Relaxed), "VmRSS") {
                    max_kb.fetch_max(kb, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        s
    }

    /// Watches `pid` from now on and clears the maximum.
    pub fn watch(&self, pid: u32) {
        self.pid.store(pid, Ordering::Relaxed);
        self.max_kb.store(0, Ordering::Relaxed);
        if let Some(kb) = proc_kb(pid, "VmRSS") {
            self.max_kb.fetch_max(kb, Ordering::Relaxed);
        }
    }

    /// The maximum since [`watch`](Self::watch), and clears it.
    pub fn take_max_kb(&self) -> u64 {
        if let Some(kb) = proc_kb(self.pid.load(Ordering::Relaxed), "VmRSS") {
            self.max_kb.fetch_max(kb, Ordering::Relaxed);
        }
        self.max_kb.swap(0, Ordering::Relaxed)
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Size of a file plus its `-wal` and `-shm` companions, in bytes.
pub fn db_size(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|s| {
            let mut p = path.as_os_str().to_owned();
            p.push(s);
            std::fs::metadata(PathBuf::from(p))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum()
}

/// Copies a SQLite database with its `-wal` file (the server must be stopped).
pub fn copy_db(from: &Path, to: &Path) -> anyhow::Result<()> {
    for s in ["", "-wal"] {
        let mut f = from.as_os_str().to_owned();
        f.push(s);
        let mut t = to.as_os_str().to_owned();
        t.push(s);
        let f = PathBuf::from(f);
        if f.exists() {
            std::fs::copy(&f, PathBuf::from(t)).with_context(|| format!("copy {}", f.display()))?;
        }
    }
    Ok(())
}

/// The PostgreSQL database the measured server uses, if any: the CPU of its backends and of
/// PostgreSQL's shared background processes counts as the server's (it is work the server's
/// requests cause), not as other processes'.
static SERVER_DATABASE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Sets (or clears) the database whose PostgreSQL processes count as the server.
pub fn set_server_database(name: Option<&str>) {
    *SERVER_DATABASE.lock().unwrap_or_else(|e| e.into_inner()) = name.map(str::to_owned);
}

/// Background processes of PostgreSQL, as their titles end (`postgres: 15/main: walwriter`).
const PG_BACKGROUND: &[&str] = &[
    ": walwriter",
    ": checkpointer",
    ": background writer",
    ": autovacuum",
    ": logical replication",
];

/// Clock ticks of the PostgreSQL processes serving `database` (backends whose title names
/// it, and the background processes).
fn pg_ticks(database: &str) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut total = 0;
    for entry in dir.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let title = String::from_utf8_lossy(&cmdline);
        let ours = title.starts_with("postgres: ")
            && (title.split_whitespace().any(|w| w == database)
                || PG_BACKGROUND.iter().any(|p| title.contains(p)));
        if ours {
            total += std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|s| proc_ticks(&s))
                .unwrap_or(0);
        }
    }
    total
}

/// CPU time in clock ticks: the whole machine's busy time, one process's (with its PostgreSQL
/// processes, see [`set_server_database`]), and this process's.
#[derive(Clone, Copy, Default)]
pub struct CpuSnap {
    pub at: Option<std::time::Instant>,
    pub busy: u64,
    pub server: u64,
    pub me: u64,
}

/// Clock ticks per second of /proc (USER_HZ; 100 on Linux).
const TICKS: f64 = 100.0;

fn proc_ticks(stat: &str) -> u64 {
    // Fields after the `(comm)`: state is field 3; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    n(11) + n(12)
}

impl CpuSnap {
    pub fn take(server_pid: u32) -> Self {
        let busy = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|s| {
                let l = s.lines().next()?.to_owned();
                let v: Vec<u64> = l
                    .split_whitespace()
                    .skip(1)
                    .filter_map(|x| x.parse().ok())
                    .collect();
                // user nice system idle iowait irq softirq steal
                Some(
                    v.iter().take(8).sum::<u64>()
                        - v.get(3).copied().unwrap_or(0)
                        - v.get(4).copied().unwrap_or(0),
                )
            })
            .unwrap_or(0);
        let database = SERVER_DATABASE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let server = std::fs::read_to_string(format!("/proc/{server_pid}/stat"))
            .map(|s| proc_ticks(&s))
            .unwrap_or(0)
            + database.map_or(0, |d| pg_ticks(&d));
        let me = std::fs::read_to_string("/proc/self/stat")
            .map(|s| proc_ticks(&s))
            .unwrap_or(0);
        Self {
            at: Some(std::time::Instant::now()),
            busy,
            server,
            me,
        }
    }

    /// Cores used (server, this program, everything else) between `self` and `later`.
    pub fn cores_until(&self, later: &CpuSnap) -> (f64, f64, f64) {
        let secs = match (self.at, later.at) {
            (Some(a), Some(b)) => (b - a).as_secs_f64().max(0.001),
            _ => return (0.0, 0.0, 0.0),
        };
        let d = |a: u64, b: u64| b.saturating_sub(a) as f64 / TICKS / secs;
        let server = d(self.server, later.server);
        let me = d(self.me, later.me);
        let busy = d(self.busy, later.busy);
        (server, me, (busy - server - me).max(0.0))
    }
}
