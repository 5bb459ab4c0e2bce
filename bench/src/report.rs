//! The Markdown report printed at the end of a run.

use std::process::Command;

use hdrhistogram::Histogram;

use crate::measure::{Backend, Ctx, Row, ms};
use crate::workloads::{LIST_PHASE, SEARCH_PHASE};

fn q(h: &Histogram<u64>, q: f64) -> String {
    format!("{:.2}", ms(h.value_at_quantile(q)))
}

fn verdict(ok: bool) -> &'static str {
    if ok { "**met**" } else { "**MISSED**" }
}

/// The targets a database is held to.
struct Targets {
    issue: &'static str,
    get_ratio: f64,
    p99_ms: f64,
    post_rate: f64,
}

fn targets(backend: &Backend) -> Targets {
    match backend {
        Backend::Sqlite => Targets {
            issue: "issue 2 §6",
            get_ratio: 0.5,
            p99_ms: 20.0,
            post_rate: 3000.0,
        },
        Backend::Postgres { .. } => Targets {
            issue: "issue 3",
            get_ratio: 0.35,
            p99_ms: 25.0,
            post_rate: 2000.0,
        },
    }
}

/// The whole report: what ran where, then one section per database.
pub fn report(ctxs: &[Ctx], machine: &[String]) {
    let a = &ctxs[0].args;
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
    for ctx in ctxs {
        section(ctx);
    }
}

/// The tables of one database's run and its targets.
fn section(ctx: &Ctx) {
    let a = &ctx.args;
    let t = targets(&ctx.backend);
    println!();
    println!("#### {}", ctx.backend.label());
    if let Backend::Postgres { .. } = ctx.backend {
        println!();
        println!(
            "Server CPU includes the PostgreSQL processes of the run's database and PostgreSQL's background processes (local PostgreSQL on the same 2 cores)."
        );
    }
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
    println!("| Target ({}) | Measured | Result |", t.issue);
    println!("|---|---|---|");
    if let (Some(b), Some(f)) = (
        find("GET /customers/{id}", "baseline"),
        find("GET /customers/{id}", "fieldwork"),
    ) {
        let ratio = f.res.rate() / b.res.rate();
        println!(
            "| GET /customers/{{id}} ≥ {:.0} % of the in-memory baseline | {:.0}/s vs {:.0}/s = **{:.0} %** | {} |",
            t.get_ratio * 100.0,
            f.res.rate(),
            b.res.rate(),
            ratio * 100.0,
            verdict(ratio >= t.get_ratio && f.res.errors() == 0)
        );
    }
    let open_loop: Vec<&Row> = ctx
        .rows
        .iter()
        .filter(|r| r.phase.contains("(open loop"))
        .collect();
    let phases = [
        (
            LIST_PHASE.to_owned(),
            "GET /customers?page_size=50 at any page",
        ),
        (SEARCH_PHASE.to_owned(), "q= searches"),
    ]
    .into_iter()
    .chain(open_loop.iter().map(|r| {
        let what = if r.phase.starts_with(LIST_PHASE) {
            "lists"
        } else {
            "searches"
        };
        (r.phase.clone(), what)
    }));
    for (phase, what) in phases {
        let mode = match phase.split_once("(open loop, ") {
            Some((_, rate)) => format!("open loop at {}", rate.trim_end_matches(')')),
            None => format!("closed loop, {} connections", a.conns),
        };
        let what = format!("{what}: p99 < {:.0} ms ({mode})", t.p99_ms);
        if let Some(r) = find(&phase, "fieldwork") {
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
                verdict((worst as f64) < t.p99_ms * 1000.0 && r.res.errors() == 0)
            );
        }
    }
    if let Some(r) = find("POST /customers (sustained)", "fieldwork") {
        let (lo, _) = r.res.min_max_per_sec();
        let mut met = r.res.rate() >= t.post_rate && r.res.errors() == 0;
        let mut extra = String::new();
        if let Some(s) = ctx.seed_rate {
            met &= s >= t.post_rate;
            extra = format!("; {s:.0}/s while creating the data set");
        }
        println!(
            "| POST /customers ≥ {:.0}/s sustained | {:.0}/s over {:.0} s (slowest second {lo}){extra} | {} |",
            t.post_rate,
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
