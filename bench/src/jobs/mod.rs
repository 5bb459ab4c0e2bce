//! Issue 4's benchmark: 1,000,000 jobs in one company; GET /jobs for one week of
//! `scheduled_start` (p99 < 25 ms at 50 connections), POST /jobs with 5 line items (≥ 2,000/s
//! on SQLite, 1,500/s on PostgreSQL) and PUT …/line_items/bulk_update with 50 items
//! (p99 < 20 ms), on each database.

mod seed;
mod workloads;

use std::sync::Arc;
use std::time::Instant;

use anyhow::ensure;
use hyper::header::HeaderValue;

use crate::cli::RunArgs;
use crate::http::get_json;
use crate::measure::{Backend, Ctx, ms};
use crate::procs::{self, RssSampler};
use workloads::{BulkUpdate, ListWeek, PostJob};

/// A target of the issue and what one database measured against it.
struct Verdict {
    backend: &'static str,
    target: String,
    measured: String,
    met: bool,
}

/// The phases `--job-phases` may name.
const PHASES: [&str; 3] = ["week", "bulk", "post"];

pub async fn run(
    args: RunArgs,
    jobs: u64,
    phases: &[String],
    week_offset_hours: i64,
) -> anyhow::Result<()> {
    if let Some(unknown) = phases.iter().find(|p| !PHASES.contains(&p.as_str())) {
        anyhow::bail!(
            "unknown phase {unknown:?}: --job-phases takes {}",
            PHASES.join(",")
        );
    }
    let bin = crate::run::server_bin(&args)?;
    let tmp = tempfile::Builder::new()
        .prefix("fieldwork-bench-jobs-")
        .tempdir()?;
    let machine = crate::run::machine();
    let mut done: Vec<Ctx> = Vec::new();
    let mut verdicts = Vec::new();
    let mut seeding = Vec::new();
    for spec in &args.database {
        let backend = Backend::parse(spec)?;
        let dir = tmp.path().join(match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres { .. } => "postgres",
        });
        std::fs::create_dir_all(&dir)?;
        let db_path = dir.join("fieldwork.db");
        let mut pg_prepared = None;
        let db_url = match &backend {
            Backend::Sqlite => format!("sqlite://{}", db_path.display()),
            Backend::Postgres { admin_url, name } => {
                pg_prepared = match &args.prepared {
                    Some(dir) => seed::pg_prepared(dir, admin_url, jobs).await?,
                    None => None,
                };
                let template = pg_prepared.as_ref().map(|(t, _)| t.as_str());
                crate::pg::create(admin_url, name, template).await?;
                crate::pg::with_database(admin_url, name)?
            }
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
        let label = ctx.backend.label();
        eprintln!("==== {label}: seeding {jobs} jobs ====");
        let t = Instant::now();
        let (manifest, copied) = match (&ctx.backend, &args.prepared, pg_prepared) {
            (Backend::Sqlite, Some(prepared), _) => {
                seed::prepared(prepared, &ctx.db_url, &ctx.db_path, jobs).await?
            }
            (Backend::Postgres { .. }, Some(_), Some((template, manifest))) => {
                eprintln!("copied the prepared data set from database {template}");
                (manifest, true)
            }
            (Backend::Postgres { admin_url, name }, Some(dir), None) => {
                let manifest = seed::create(&ctx.db_url, jobs).await?;
                seed::pg_save(dir, admin_url, name, &manifest).await?;
                (manifest, false)
            }
            _ => (seed::create(&ctx.db_url, jobs).await?, false),
        };
        let secs = t.elapsed().as_secs_f64();
        if matches!(ctx.backend, Backend::Postgres { .. }) {
            // Without statistics a million-row table gets plans that no running database with
            // autovacuum would use (this machine's PostgreSQL runs with autovacuum off).
            crate::pg::vacuum_analyze(&ctx.db_url).await?;
            ctx.notes.push(crate::pg::ANALYZED_AFTER_SEEDING.into());
        }
        seeding.push(if copied {
            format!(
                "{label}: {jobs} jobs copied from the prepared data set (`--prepared`; seeded by \
                 git {}, schema {})",
                manifest.seeded_by, manifest.schema
            )
        } else {
            format!(
                "{label}: {jobs} jobs seeded in {secs:.0} s ({:.0}/s, store library, batches of {})",
                jobs as f64 / secs,
                seed::BATCH
            )
        });
        measure(
            &mut ctx,
            &manifest,
            phases,
            week_offset_hours,
            &mut verdicts,
        )
        .await?;
        done.push(ctx);
    }
    crate::pg::drop_created().await;
    report(&done, &machine, &seeding, &verdicts);
    Ok(())
}

const WEEK_PHASE: &str = "GET /jobs, one week of scheduled_start, page_size=50";
const BULK_PHASE: &str = "PUT /jobs/{id}/line_items/bulk_update, 50 items";
const POST_PHASE: &str = "POST /jobs, 5 line items";

/// Runs one measured phase against Fieldwork; its rate (per second) and p99 (ms).
async fn timed<W: crate::load::Workload>(
    ctx: &mut Ctx,
    phase: &str,
    workload: Arc<W>,
    opts: crate::load::LoadOpts,
    pid: u32,
) -> Timed {
    let row = ctx.phase(phase, "fieldwork", workload, opts, pid).await;
    Timed {
        rate: row.res.rate(),
        p99: ms(row.res.all().value_at_quantile(0.99)),
        errors: row.res.errors(),
    }
}

/// What a phase's verdict is made of. A phase with errors misses its target whatever its
/// figures (answers that failed are fast).
struct Timed {
    rate: f64,
    p99: f64,
    errors: u64,
}

impl Timed {
    fn measured(&self, figures: String) -> String {
        match self.errors {
            0 => figures,
            n => format!("{figures}, {n} errors"),
        }
    }
}

async fn measure(
    ctx: &mut Ctx,
    m: &seed::JobsManifest,
    phases: &[String],
    week_offset_hours: i64,
    verdicts: &mut Vec<Verdict>,
) -> anyhow::Result<()> {
    let want = |p: &str| phases.iter().any(|x| x == p);
    let auth = HeaderValue::from_str(&format!("Token {}", m.key))?;
    let mut server = ctx.start_server()?;
    let addr = server.addr;
    let pid = server.pid();
    // Sanity: the data set is all there and a week holds what it should.
    let all = get_json(addr, "/jobs?page_size=1", &auth).await?;
    ensure!(
        all["total_items"].as_u64() == Some(m.jobs),
        "GET /jobs lists {} jobs, expected {}",
        all["total_items"],
        m.jobs
    );
    let week = ListWeek::new(m, auth.clone(), week_offset_hours);
    let probe = get_json(
        addr,
        &crate::load::Workload::next(&week, &mut rand::SeedableRng::seed_from_u64(1))
            .expect("a request")
            .path,
        &auth,
    )
    .await?;
    ctx.notes.push(format!(
        "{}: one week holds about {} jobs (of {} over {} days); weeks start at {:02}:00 UTC",
        ctx.backend.label(),
        probe["total_items"],
        m.jobs,
        m.days,
        week_offset_hours.rem_euclid(24)
    ));
    let conns = ctx.args.conns;
    let label = ctx.backend.label();
    let post_target = if matches!(ctx.backend, Backend::Sqlite) {
        2_000.0
    } else {
        1_500.0
    };

    let opts = |ctx: &Ctx| ctx.opts(addr, conns, true);
    if want("week") {
        let t = timed(ctx, WEEK_PHASE, Arc::new(week), opts(ctx), pid).await;
        verdicts.push(Verdict {
            backend: label,
            target: format!("GET /jobs one week, p99 < 25 ms at {conns} connections"),
            measured: t.measured(format!("p99 {:.1} ms at {:.0}/s", t.p99, t.rate)),
            met: t.errors == 0 && t.p99 < 25.0,
        });
    }
    if want("bulk") {
        let bulk = Arc::new(BulkUpdate::new(m, auth.clone()));
        let t = timed(ctx, BULK_PHASE, bulk, opts(ctx), pid).await;
        verdicts.push(Verdict {
            backend: label,
            target: format!("bulk_update of 50 items, p99 < 20 ms at {conns} connections"),
            measured: t.measured(format!("p99 {:.1} ms at {:.0}/s", t.p99, t.rate)),
            met: t.errors == 0 && t.p99 < 20.0,
        });
    }
    if want("post") {
        let post = Arc::new(PostJob::new(m, auth.clone()));
        let t = timed(ctx, POST_PHASE, post, opts(ctx), pid).await;
        verdicts.push(Verdict {
            backend: label,
            target: format!("POST /jobs with 5 line items ≥ {post_target:.0}/s"),
            measured: t.measured(format!("{:.0}/s, p99 {:.1} ms", t.rate, t.p99)),
            met: t.errors == 0 && t.rate >= post_target,
        });
    }

    ctx.note_hwm(&server);
    server.stop()?;
    Ok(())
}

fn report(done: &[Ctx], machine: &[String], seeding: &[String], verdicts: &[Verdict]) {
    println!("### Issue 4 — jobs\n");
    for l in machine.iter().chain(seeding) {
        println!("- {l}");
    }
    for ctx in done {
        for n in &ctx.notes {
            println!("- {n}");
        }
    }
    println!(
        "\n| Database | Phase | Conns | OK | Errors | Req/s | p50 ms | p99 ms | max ms | CPU cores server / load gen / other |"
    );
    println!("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for ctx in done {
        for r in &ctx.rows {
            let h = r.res.all();
            println!(
                "| {} | {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {:.2} / {:.2} / {:.2} |",
                ctx.backend.label(),
                r.phase,
                r.conns,
                r.res.ok,
                r.res.errors(),
                r.res.rate(),
                ms(h.value_at_quantile(0.5)),
                ms(h.value_at_quantile(0.99)),
                ms(h.max()),
                r.cpu.0,
                r.cpu.1,
                r.cpu.2
            );
        }
    }
    println!("\n| Database | Target (issue 4) | Measured | Result |\n|---|---|---|---|");
    for v in verdicts {
        println!(
            "| {} | {} | {} | {} |",
            v.backend,
            v.target,
            v.measured,
            if v.met { "met" } else { "**MISSED**" }
        );
    }
}
