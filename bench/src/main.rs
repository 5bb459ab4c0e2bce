//! `fieldwork-bench`: the performance benchmark of issue 2 §6 (see BENCHMARKS.md).
//!
//! It starts the real `fieldwork` server on a fresh SQLite database (and/or a fresh PostgreSQL
//! database with `--database`, each measured in turn with its own baseline), creates the data set through
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

mod baseline;
mod cli;
mod data;
mod dataset;
mod http;
mod jobs;
mod limiter;
mod load;
mod measure;
mod pg;
mod procs;
mod report;
mod run;
mod sync;
mod webhooks;
mod workloads;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Duration;

use clap::Parser;
use hyper::header::HeaderValue;

use crate::cli::{Cli, Cmd};
use crate::load::LoadOpts;
use crate::measure::print_row_brief;
use crate::workloads::Fixed;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Cmd::Limiter(args)) = cli.command {
        return limiter::run(args);
    }
    if let Some(Cmd::BaselineServer { listen, body_file }) = cli.command {
        return baseline::baseline_server(&listen, &body_file);
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
            pg::drop_created().await;
            std::process::exit(130);
        });
        match cli.command {
            Some(Cmd::Jobs {
                jobs,
                job_phases,
                week_offset_hours,
                run,
            }) => jobs::run(run, jobs, &job_phases, week_offset_hours).await,
            _ => run::run(cli.run).await,
        }
    })
}
