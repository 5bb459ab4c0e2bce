//! The data set: created through the API (companies and keys from the admin CLI, customers by
//! `POST /customers`), or copied from a prepared one.

use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use hyper::header::HeaderValue;
use serde::{Deserialize, Serialize};

use crate::measure::{Backend, Ctx};
use crate::sync::Mutex;
use crate::workloads::{Assign, Post};
use crate::{pg, procs};

#[derive(Serialize, Deserialize)]
pub struct Manifest {
    pub seed: u64,
    pub big: u64,
    pub small: u64,
    pub small_count: u64,
    /// (company id, API key); the big company first.
    pub companies: Vec<(String, String)>,
    pub big_ids: Vec<String>,
    /// How the data set was made.
    pub seeded: String,
    /// PostgreSQL: the database kept as the data set's template.
    #[serde(default)]
    pub pg_template: Option<String>,
}

/// The run's data set in its database: copied from `--prepared DIR` when DIR holds one for
/// this kind of database, else created through the API (and then saved in DIR if given).
/// SQLite data sets are a database file in DIR; PostgreSQL ones a template database named in
/// DIR's manifest.
pub async fn obtain(ctx: &mut Ctx, seed: u64) -> anyhow::Result<Manifest> {
    let manifest_path = ctx.args.prepared.as_ref().map(|d| {
        d.join(match ctx.backend {
            Backend::Sqlite => "manifest.json",
            Backend::Postgres { .. } => "manifest-postgres.json",
        })
    });
    let prepared = match &manifest_path {
        Some(m) if m.exists() => {
            let man: Manifest = serde_json::from_slice(&std::fs::read(m)?)?;
            ensure!(
                man.big == ctx.args.big
                    && man.small == ctx.args.small
                    && man.small_count == ctx.args.small_count,
                "{} holds a different data set size",
                m.display()
            );
            Some(man)
        }
        _ => None,
    };
    let backend = ctx.backend.clone();
    if let Some(man) = prepared {
        let from = match &backend {
            Backend::Sqlite => {
                let from = manifest_path
                    .as_ref()
                    .expect("prepared")
                    .with_file_name("fieldwork.db");
                procs::copy_db(&from, &ctx.db_path)?;
                from.display().to_string()
            }
            Backend::Postgres { admin_url, name } => {
                let template = man
                    .pg_template
                    .clone()
                    .context("manifest without pg_template")?;
                ensure!(
                    pg::exists(admin_url, &template).await?,
                    "the prepared data set's database {template} is gone: delete {} and run again",
                    manifest_path.as_ref().expect("prepared").display()
                );
                pg::create(admin_url, name, Some(&template)).await?;
                format!("database {template}")
            }
        };
        if matches!(backend, Backend::Postgres { .. }) {
            pg::vacuum_analyze(&ctx.db_url).await?;
            ctx.notes.push(
                "The PostgreSQL database was vacuumed and analyzed (`vacuum (analyze)`) before the phases: a copy made from a template has no statistics or visibility map until autovacuum visits it.".into(),
            );
        }
        eprintln!("reusing the data set of {from} ({})", man.seeded);
        ctx.notes.push(format!(
            "Data set copied from a prepared database ({}); no seeding in this run.",
            man.seeded
        ));
        return Ok(man);
    }
    if let Backend::Postgres { admin_url, name } = &backend {
        pg::create(admin_url, name, None).await?;
    }
    let mut man = create_data_set(ctx, seed).await?;
    if matches!(backend, Backend::Postgres { .. }) {
        pg::vacuum_analyze(&ctx.db_url).await?;
        ctx.notes.push(pg::ANALYZED_AFTER_SEEDING.into());
    }
    if let Some(m) = &manifest_path {
        let d = m.parent().expect("dir");
        std::fs::create_dir_all(d)?;
        match &backend {
            Backend::Sqlite => procs::copy_db(&ctx.db_path, &d.join("fieldwork.db"))?,
            Backend::Postgres { admin_url, name } => {
                // The server has stopped, so the run's database can be copied.
                let template = pg::unique_name("prepared");
                pg::create(admin_url, &template, Some(name)).await?;
                pg::keep(&template);
                man.pg_template = Some(template);
            }
        }
        std::fs::write(m, serde_json::to_vec(&man)?)?;
        eprintln!("saved the data set in {} for --prepared", d.display());
    }
    Ok(man)
}

async fn create_data_set(ctx: &mut Ctx, seed: u64) -> anyhow::Result<Manifest> {
    let (big, small, small_count) = (ctx.args.big, ctx.args.small, ctx.args.small_count);
    let total = big + small * small_count;
    eprintln!(
        "creating the data set through the API: {} + {} x {} customers ...",
        big, small_count, small
    );
    let mut companies = Vec::new();
    for k in 0..=small_count {
        let name = if k == 0 {
            "Bench Big Co".to_owned()
        } else {
            format!("Bench Small Co {k}")
        };
        let out = procs::admin(
            &ctx.bin,
            &ctx.db_url,
            &["companies", "create", "--name", &name, "--plan", "max"],
            &ctx.dir,
        )?;
        let id = out
            .split_whitespace()
            .last()
            .context("companies create printed nothing")?
            .to_owned();
        let key = procs::admin(
            &ctx.bin,
            &ctx.db_url,
            &["keys", "create", "--company", &id, "--name", "bench"],
            &ctx.dir,
        )?
        .trim()
        .to_owned();
        companies.push((id, key));
    }
    let auths: Vec<HeaderValue> = companies
        .iter()
        .map(|(_, k)| HeaderValue::from_str(&format!("Token {k}")).expect("key"))
        .collect();
    let mut server = ctx.start_server()?;
    let mut wl = Post::new(seed, 0..total, auths, Assign::Seed);
    wl.big = big;
    wl.small_total = small * small_count;
    wl.small_count = small_count;
    wl.big_ids = Some(Mutex::new(Vec::with_capacity(big as usize)));
    let wl = Arc::new(wl);
    let o = ctx.opts(server.addr, ctx.args.seed_conns, false);
    let pid = server.pid();
    let row = ctx
        .phase(
            "POST /customers (creating the data set)",
            "fieldwork",
            wl.clone(),
            o,
            pid,
        )
        .await;
    if row.res.errors() > 0 {
        bail!(
            "{} errors while creating the data set; first: {}",
            row.res.errors(),
            row.res.first_error.clone().unwrap_or_default()
        );
    }
    let rate = row.res.rate();
    ctx.seed_rate = Some(rate);
    ctx.note_hwm(&server);
    // The server's idle work after a bulk load (on SQLite: merging the search index, then
    // truncating the WAL) is done before it stops, so that the saved data set, and every run
    // made from it, starts in the state a server that has been running for a while is in.
    // (A server that merged a large index itself then served lists at half speed for as long
    // as it ran, for a reason not yet found: BENCHMARKS.md.)
    ctx.wait_quiet().await;
    server.stop()?;
    let wl = Arc::into_inner(wl).context("workload still shared")?;
    let big_ids = wl.big_ids.expect("collecting").into_inner();
    ensure!(
        big_ids.len() as u64 == ctx.args.big,
        "got {} ids of the big company",
        big_ids.len()
    );
    Ok(Manifest {
        seed,
        big: ctx.args.big,
        small: ctx.args.small,
        small_count: ctx.args.small_count,
        companies,
        big_ids,
        seeded: format!(
            "{total} POSTs over {} connections at {rate:.0}/s",
            ctx.args.seed_conns
        ),
        pg_template: None,
    })
}
