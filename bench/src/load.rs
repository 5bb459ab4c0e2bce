//! A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending its next
//! request as soon as the previous answer is read in full, for a fixed time (or until the
//! workload runs out). Latencies go into per-category HDR histograms (microseconds).
//!
//! Closed loop (like wrk): latency is measured from sending a request to reading the last byte
//! of its answer; time a request waited for its connection to become free is not counted.
//! Open loop (a fixed arrival rate) is available too: see [`LoadOpts::rate`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use tokio::net::TcpStream;

/// One request to make.
pub struct Job {
    pub method: Method,
    pub path: String,
    pub auth: Option<HeaderValue>,
    pub body: Option<Bytes>,
    /// Index into [`Workload::categories`]: which histogram the latency goes to.
    pub cat: usize,
    /// Free for the workload (e.g. the customer number of a POST).
    pub tag: u64,
}

pub trait Workload: Send + Sync + 'static {
    fn categories(&self) -> Vec<String> {
        vec!["all".into()]
    }
    /// The next request, or `None` when the workload is exhausted.
    fn next(&self, rng: &mut SmallRng) -> Option<Job>;
    /// Judges a 2xx answer (e.g. records the id a POST returned); `false` counts it as an error.
    fn done(&self, _job: &Job, _status: StatusCode, _body: &Bytes) -> Result<(), String> {
        Ok(())
    }
}

#[derive(Clone)]
pub struct LoadOpts {
    pub addr: SocketAddr,
    pub conns: usize,
    /// Requests finishing before this much time has passed are not recorded.
    pub warmup: Duration,
    /// Measured time after the warm-up; `None` runs until the workload is exhausted.
    pub duration: Option<Duration>,
    /// Set to end the run early (workers stop at their next request; connect errors end them).
    pub stop: Arc<AtomicBool>,
    /// Counts every finished request, for progress reports.
    pub progress: Arc<AtomicU64>,
    /// Open loop: requests are scheduled at this many per second and handed to whichever
    /// connection is free; latency counts from the scheduled time, so time spent waiting for a
    /// free connection is included. `None`: closed loop.
    pub rate: Option<f64>,
}

pub struct LoadResult {
    pub categories: Vec<String>,
    pub hist: Vec<Histogram<u64>>,
    /// 2xx answers the workload accepted, inside the measured window.
    pub ok: u64,
    pub bad_status: u64,
    pub io_errors: u64,
    pub first_error: Option<String>,
    /// Length of the measured window.
    pub elapsed: Duration,
    /// Accepted answers per second of the measured window.
    pub per_sec: Vec<u64>,
}

impl LoadResult {
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
    pub fn all(&self) -> Histogram<u64> {
        let mut h = new_hist();
        for x in &self.hist {
            h.add(x).expect("same bounds");
        }
        h
    }
    pub fn errors(&self) -> u64 {
        self.bad_status + self.io_errors
    }
    /// Lowest and highest full-second rate (the last, partial, second is left out).
    pub fn min_max_per_sec(&self) -> (u64, u64) {
        let full = self.elapsed.as_secs() as usize;
        let s = &self.per_sec[..full.min(self.per_sec.len())];
        (
            s.iter().copied().min().unwrap_or(0),
            s.iter().copied().max().unwrap_or(0),
        )
    }
}

pub fn new_hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds")
}

struct WorkerOut {
    hist: Vec<Histogram<u64>>,
    ok: u64,
    bad_status: u64,
    io_errors: u64,
    first_error: Option<String>,
    per_sec: Vec<u64>,
    last_done: Option<Instant>,
}

async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

pub async fn run<W: Workload>(workload: Arc<W>, opts: LoadOpts) -> LoadResult {
    let categories = workload.categories();
    let start = Instant::now();
    let measure_from = start + opts.warmup;
    let end = opts.duration.map(|d| measure_from + d);
    let host = HeaderValue::from_str(&opts.addr.to_string()).expect("host header");
    // Open loop: a pacer hands out scheduled start times.
    let tickets = opts.rate.map(|rate| {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
        let stop = opts.stop.clone();
        tokio::spawn(async move {
            let every = Duration::from_secs_f64(1.0 / rate);
            let mut at = start;
            while end.is_none_or(|e| at < e) && !stop.load(Ordering::Relaxed) {
                tokio::time::sleep_until(at.into()).await;
                if tx.send(at).is_err() {
                    break;
                }
                at += every;
            }
        });
        Arc::new(tokio::sync::Mutex::new(rx))
    });
    let mut tasks = Vec::with_capacity(opts.conns);
    for w in 0..opts.conns {
        let tickets = tickets.clone();
        let workload = workload.clone();
        let stop = opts.stop.clone();
        let progress = opts.progress.clone();
        let host = host.clone();
        let ncat = categories.len();
        let addr = opts.addr;
        tasks.push(tokio::spawn(async move {
            let mut out = WorkerOut {
                hist: (0..ncat).map(|_| new_hist()).collect(),
                ok: 0,
                bad_status: 0,
                io_errors: 0,
                first_error: None,
                per_sec: Vec::new(),
                last_done: None,
            };
            let mut rng = SmallRng::seed_from_u64(0x5eed_0000 + w as u64);
            let mut sender: Option<SendRequest<Full<Bytes>>> = None;
            loop {
                if stop.load(Ordering::Relaxed) || end.is_some_and(|e| Instant::now() >= e) {
                    break;
                }
                if sender.is_none() {
                    match connect(addr).await {
                        Ok(s) => sender = Some(s),
                        Err(e) => {
                            if stop.load(Ordering::Relaxed) {
                                break;
                            }
                            out.io_errors += 1;
                            out.first_error
                                .get_or_insert_with(|| format!("connect: {e}"));
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    }
                }
                let Some(job) = workload.next(&mut rng) else {
                    break;
                };
                let mut req = Request::builder()
                    .method(job.method.clone())
                    .uri(job.path.as_str())
                    .header(HOST, host.clone());
                if let Some(a) = &job.auth {
                    req = req.header(AUTHORIZATION, a.clone());
                }
                if job.body.is_some() {
                    req = req.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                }
                let req = req
                    .body(Full::new(job.body.clone().unwrap_or_default()))
                    .expect("request");
                let s = sender.as_mut().expect("connected");
                let t0 = match &tickets {
                    None => Instant::now(),
                    Some(rx) => match rx.lock().await.recv().await {
                        Some(at) => at,
                        None => break,
                    },
                };
                let res: anyhow::Result<(StatusCode, Bytes)> = async {
                    s.ready().await?;
                    let resp = s.send_request(req).await?;
                    let status = resp.status();
                    let body = resp.into_body().collect().await?.to_bytes();
                    Ok((status, body))
                }
                .await;
                let t1 = Instant::now();
                progress.fetch_add(1, Ordering::Relaxed);
                let in_window = t1 >= measure_from && end.is_none_or(|e| t1 <= e);
                match res {
                    Ok((status, body)) => {
                        let verdict = if status.is_success() {
                            workload.done(&job, status, &body)
                        } else {
                            Err(format!(
                                "{} {} -> {status}: {}",
                                job.method,
                                job.path,
                                String::from_utf8_lossy(&body[..body.len().min(300)])
                            ))
                        };
                        if !in_window {
                            continue;
                        }
                        match verdict {
                            Ok(()) => {
                                out.ok += 1;
                                let us = (t1 - t0).as_micros() as u64;
                                out.hist[job.cat].saturating_record(us.max(1));
                                let sec = (t1 - measure_from).as_secs() as usize;
                                if out.per_sec.len() <= sec {
                                    out.per_sec.resize(sec + 1, 0);
                                }
                                out.per_sec[sec] += 1;
                                out.last_done = Some(t1);
                            }
                            Err(e) => {
                                out.bad_status += 1;
                                out.first_error.get_or_insert(e);
                            }
                        }
                    }
                    Err(e) => {
                        sender = None;
                        if in_window {
                            out.io_errors += 1;
                            out.first_error
                                .get_or_insert_with(|| format!("{} {}: {e}", job.method, job.path));
                        }
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                    }
                }
            }
            out
        }));
    }
    let mut res = LoadResult {
        categories,
        hist: Vec::new(),
        ok: 0,
        bad_status: 0,
        io_errors: 0,
        first_error: None,
        elapsed: Duration::ZERO,
        per_sec: Vec::new(),
    };
    let mut last_done = measure_from;
    for t in tasks {
        let out = t.await.expect("load worker panicked");
        if res.hist.is_empty() {
            res.hist = out.hist;
        } else {
            for (a, b) in res.hist.iter_mut().zip(&out.hist) {
                a.add(b).expect("same bounds");
            }
        }
        res.ok += out.ok;
        res.bad_status += out.bad_status;
        res.io_errors += out.io_errors;
        if res.first_error.is_none() {
            res.first_error = out.first_error;
        }
        if res.per_sec.len() < out.per_sec.len() {
            res.per_sec.resize(out.per_sec.len(), 0);
        }
        for (a, b) in res.per_sec.iter_mut().zip(&out.per_sec) {
            *a += b;
        }
        if let Some(t) = out.last_done {
            last_done = last_done.max(t);
        }
    }
    res.elapsed = match opts.duration {
        // A run stopped early (the durability burst) measured only until it stopped.
        Some(d) if !opts.stop.load(Ordering::Relaxed) => d,
        _ => last_done.saturating_duration_since(measure_from),
    }
    .max(Duration::from_millis(1));
    res
}
