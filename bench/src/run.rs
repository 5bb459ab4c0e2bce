//! A benchmark run: per database, the data set, the sanity checks and every phase.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use hyper::header::HeaderValue;
use hyper::{Method, StatusCode};
use rand::rngs::SmallRng;

use crate::cli::RunArgs;
use crate::data;
use crate::http::{get_json, request};
use crate::load;
use crate::measure::{Backend, Ctx, Row};
use crate::procs::{self, RssSampler, ServerProc};
use crate::report::report;
use crate::sync::Mutex;
use crate::workloads::{
    Assign, GetById, LIST_PHASE, ListPages, PAGE_SIZE, Post, SEARCH_KINDS, SEARCH_PHASE, Search,
    Verify,
};

/// The `fieldwork` binary a run starts: `--server-bin`, or the one next to this program.
pub fn server_bin(args: &RunArgs) -> anyhow::Result<std::path::PathBuf> {
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
    Ok(bin)
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let bin = server_bin(&args)?;
    let backends = args
        .database
        .iter()
        .map(|d| Backend::parse(d))
        .collect::<anyhow::Result<Vec<_>>>()?;
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
    let root = match (&args.work_dir, &tmp) {
        (Some(d), _) => d.clone(),
        (None, Some(t)) => t.path().to_owned(),
        _ => unreachable!(),
    };
    let machine = machine();
    for l in &machine {
        eprintln!("{l}");
    }
    let mut done = Vec::new();
    let mut result = Ok(());
    for backend in backends {
        // One directory per database: its files (SQLite), the server log, the baseline's body.
        let dir = root.join(match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres { .. } => "postgres",
        });
        std::fs::create_dir_all(&dir)?;
        let db_path = dir.join("fieldwork.db");
        ensure!(
            !db_path.exists(),
            "{} exists: the run needs a fresh database",
            db_path.display()
        );
        let db_url = match &backend {
            Backend::Sqlite => format!("sqlite://{}", db_path.display()),
            Backend::Postgres { admin_url, name } => crate::pg::with_database(admin_url, name)?,
        };
        procs::set_server_database(match &backend {
            Backend::Postgres { name, .. } => Some(name),
            Backend::Sqlite => None,
        });
        let mut ctx = Ctx {
            bin: bin.clone(),
            backend,
            dir: dir.clone(),
            db_path,
            db_url,
            log: dir.join("server.log"),
            rss: RssSampler::start(),
            rows: Vec::new(),
            server_rss_max_kb: 0,
            notes: Vec::new(),
            durability: None,
            seed_rate: None,
            service: Vec::new(),
            args: args.clone(),
        };
        eprintln!("==== {} ====", ctx.backend.label());
        let r = run_phases(&mut ctx).await;
        done.push(ctx);
        if let Err(e) = r {
            eprintln!("benchmark failed: {e:#}");
            result = Err(e);
            break;
        }
    }
    crate::pg::drop_created().await;
    if !done.is_empty() {
        report(&done, &machine);
    }
    if (args.keep || result.is_err())
        && let Some(t) = tmp
    {
        let p = t.keep();
        eprintln!("kept {}", p.display());
    }
    result
}

/// `git describe` of the source the binaries were built from, else of the current directory's
/// checkout.
pub fn source() -> String {
    let describe = |dir: &str| {
        Command::new("git")
            .args(["-C", dir, "describe", "--always", "--dirty"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    describe(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .or_else(|| describe("."))
        .unwrap_or_else(|| "unknown".into())
}

pub fn machine() -> Vec<String> {
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
    let git = source();
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
    let manifest = crate::dataset::obtain(ctx, seed).await?;
    let auths: Vec<HeaderValue> = manifest
        .companies
        .iter()
        .map(|(_, k)| HeaderValue::from_str(&format!("Token {k}")).expect("key"))
        .collect();
    let big_auth = auths[0].clone();
    let ids = Arc::new(manifest.big_ids.clone());
    let db_bytes = match &ctx.backend {
        Backend::Sqlite => procs::db_size(&ctx.db_path),
        Backend::Postgres { admin_url, name } => crate::pg::size(admin_url, name).await?,
    };
    eprintln!("database: {:.0} MB", db_bytes as f64 / 1048576.0);

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
    Ok(())
}
