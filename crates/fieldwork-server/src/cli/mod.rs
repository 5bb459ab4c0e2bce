//! The `fieldwork` command line: `serve`, `migrate` and the admin commands.

mod admin;
mod invoices;
mod listen;
mod serve;
mod usage;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigOverrides};

/// Fieldwork: a field-service management server, wire-compatible with the Housecall Pro API v1.
///
/// Settings come from built-in defaults, then an optional TOML file (./fieldwork.toml, or
/// --config), then FIELDWORK_* environment variables, then flags. `fieldwork config` prints
/// every setting with its documentation.
#[derive(Debug, Parser)]
#[command(name = "fieldwork", version, propagate_version = true)]
pub struct Cli {
    /// TOML settings file (default: ./fieldwork.toml if present).
    #[arg(long, global = true, env = "FIELDWORK_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL, e.g. sqlite://fieldwork.db [env: FIELDWORK_DATABASE_URL]
    /// [default: sqlite://fieldwork.db].
    #[arg(long = "database", global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve(serve::ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the settings file with every setting, its default and its documentation.
    Config,
    /// Manage companies (accounts).
    #[command(subcommand)]
    Companies(admin::CompaniesCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(admin::KeysCommand),
    /// Forward a server's live webhook events to a local URL (for developing a receiver).
    Listen(listen::ListenArgs),
    /// Manage employees (HCP has no API for creating them).
    #[command(subcommand)]
    Employees(admin::EmployeesCommand),
    /// Make, pay and void invoices.
    #[command(subcommand)]
    Invoices(invoices::InvoicesCommand),
    /// Print a company's API usage (requests, 429s, 4xx, 5xx) per key, as a table.
    Usage(usage::UsageArgs),
}

/// Runs the command line and maps errors to a message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = match cli.command {
        // `listen` is a client of a server: no settings, no database, logs stay quiet.
        Command::Listen(args) => return listen::run(args).await,
        other => other,
    };
    let mut overrides = match &command {
        Command::Serve(args) => args.overrides(),
        _ => ConfigOverrides::default(),
    };
    overrides.database_url = cli.database_url.clone();
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    init_tracing(&config.log_format);
    match command {
        Command::Serve(args) => serve::run(config, args).await,
        Command::Migrate => {
            crate::store::open(&config, true).await?.tidy().await?;
            println!(
                "migrations applied to {}",
                crate::store::redact(&config.database_url)
            );
            Ok(())
        }
        Command::Config => {
            print!("{}", crate::config::DEFAULTS_TOML);
            Ok(())
        }
        Command::Companies(cmd) => admin::companies(&config, cmd).await,
        Command::Keys(cmd) => admin::keys(&config, cmd).await,
        Command::Employees(cmd) => admin::employees(&config, cmd).await,
        Command::Listen(args) => listen::run(args).await,
        Command::Invoices(cmd) => invoices::invoices(&config, cmd).await,
        Command::Usage(args) => usage::run(&config, args).await,
    }
}

/// Logs go to stderr; stdout carries only what a script may read (keys, ids, the base URL).
fn init_tracing(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
