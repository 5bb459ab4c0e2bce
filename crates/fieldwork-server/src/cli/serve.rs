//! `fieldwork serve`.

use std::io::Write;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::state::AppState;

/// Flags of `fieldwork serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [env: FIELDWORK_LISTEN] [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Create (once) a demo company with realistic data and print a fresh API key for it.
    #[arg(long)]
    pub demo: bool,
    /// Do not apply migrations at start; refuse to start if any are pending.
    #[arg(long)]
    pub no_migrate: bool,
}

/// Opens the store, prepares the demo if asked, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    let store = crate::store::open(&config, !args.no_migrate).await?;
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let mut out = std::io::stdout().lock();
    if args.demo {
        let company = crate::demo::ensure_demo_company(store.as_ref()).await?;
        let key = crate::keys::generate_key();
        store
            .create_api_key(
                &company.id,
                "demo (serve --demo)",
                &crate::keys::hash_key(&key),
                &crate::keys::key_prefix(&key),
            )
            .await?;
        writeln!(out, "Demo company: {} ({})", company.name, company.id)?;
        writeln!(out, "API key: {key}")?;
    }
    writeln!(out, "Base URL: {base_url}")?;
    writeln!(
        out,
        "Try: curl -H 'Authorization: Token <key>' {base_url}/customers"
    )?;
    out.flush()?;
    drop(out);
    tracing::info!(listen = %base_url, database = %crate::store::redact(&config.database_url), "fieldwork is serving");
    let state = AppState::new(store, config);
    crate::launch(state, listener, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
