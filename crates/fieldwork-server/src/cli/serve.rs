//! `fieldwork serve`.

use std::io::Write;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::{Config, ConfigOverrides};
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
    /// Do not deliver webhooks from this process (API-only) [env: FIELDWORK_WEBHOOK_WORKER=false].
    #[arg(long)]
    pub no_webhook_worker: bool,
    /// Delays between webhook attempts, e.g. 5s,5m,30m,2h,5h,10h,10h
    /// [env: FIELDWORK_WEBHOOK_RETRY_SCHEDULE].
    #[arg(long, value_name = "DELAYS")]
    pub webhook_retry_schedule: Option<String>,
    /// Seconds a webhook receiver has to answer [env: FIELDWORK_WEBHOOK_TIMEOUT_SECS] [default: 15].
    #[arg(long, value_name = "SECS")]
    pub webhook_timeout_secs: Option<u64>,
    /// Disable an endpoint whose deliveries have only failed for this long
    /// [env: FIELDWORK_WEBHOOK_DISABLE_AFTER_SECS] [default: 432000].
    #[arg(long, value_name = "SECS")]
    pub webhook_disable_after_secs: Option<u64>,
    /// Seconds a claimed delivery stays leased to this worker (a crashed worker's deliveries
    /// are sent again after it) [env: FIELDWORK_WEBHOOK_LEASE_SECS] [default: 60].
    #[arg(long, value_name = "SECS")]
    pub webhook_lease_secs: Option<u64>,
    /// Allow webhook URLs on loopback addresses (implied by --demo).
    #[arg(long)]
    pub webhook_allow_loopback: bool,
    /// Allow webhook URLs on private networks and loopback (never link-local or metadata).
    #[arg(long)]
    pub webhook_allow_private_networks: bool,
    /// Where each API key's request window is kept: `shared` by every server on the database
    /// (PostgreSQL: in the database) or per `process` [env: FIELDWORK_RATE_LIMIT_SCOPE]
    /// [default: shared].
    #[arg(long, value_name = "SCOPE")]
    pub rate_limit_scope: Option<crate::limits::Scope>,
}

impl ServeArgs {
    /// The settings these flags override (flags left out keep the lower layers).
    pub fn overrides(&self) -> ConfigOverrides {
        ConfigOverrides {
            listen: self.listen.clone(),
            webhook_worker: self.no_webhook_worker.then_some(false),
            webhook_timeout_secs: self.webhook_timeout_secs,
            webhook_retry_schedule: self.webhook_retry_schedule.clone(),
            webhook_disable_after_secs: self.webhook_disable_after_secs,
            webhook_lease_secs: self.webhook_lease_secs,
            webhook_allow_loopback: (self.webhook_allow_loopback || self.demo).then_some(true),
            webhook_allow_private_networks: self.webhook_allow_private_networks.then_some(true),
            rate_limit_scope: self.rate_limit_scope,
            ..ConfigOverrides::default()
        }
    }
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
    let state = AppState::new(store, config);
    tracing::info!(
        listen = %base_url,
        database = %crate::store::redact(&state.config.database_url),
        rate_limits = state.limits.describe(),
        "fieldwork is serving"
    );
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
