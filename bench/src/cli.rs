//! Command line of the benchmark.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "fieldwork-bench",
    about = "Fieldwork performance benchmark (issue 2 §6)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Issue 4's benchmark: one company with --jobs jobs (seeded through the store library),
    /// then GET /jobs for one week, POST /jobs with 5 line items and 50-line bulk updates, at
    /// --conns connections, on each --database.
    Jobs {
        /// Jobs in the data set.
        #[arg(long, default_value_t = 1_000_000)]
        jobs: u64,
        /// Phases to run, comma-separated: week (GET /jobs for one week), bulk (50-item
        /// bulk updates), post (POST /jobs). `--phases` is the customers benchmark's.
        #[arg(long, default_value = "week,bulk,post", value_delimiter = ',')]
        job_phases: Vec<String>,
        /// Hours added to both bounds of every week (8: a week of a company in Los Angeles,
        /// from Monday 00:00 PST; 0: whole UTC days).
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        week_offset_hours: i64,
        #[command(flatten)]
        run: RunArgs,
    },
    /// (internal) The baseline: a minimal axum server answering GET /customers/{id} with the
    /// bytes of BODY_FILE from memory. Prints `Base URL: http://ADDR` once listening.
    BaselineServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        #[arg(long)]
        body_file: PathBuf,
    },
    /// Drives GET requests of one path at a server (to calibrate the load generator, e.g.
    /// against wrk): `fieldwork-bench load 127.0.0.1:8080 /customers/x`.
    Load {
        addr: SocketAddr,
        path: String,
        #[arg(long, default_value_t = 50)]
        conns: usize,
        #[arg(long, default_value_t = 8)]
        secs: u64,
        #[arg(long, default_value_t = 2)]
        client_threads: usize,
        /// API key to send as `Authorization: Token KEY`.
        #[arg(long)]
        key: Option<String>,
    },
    /// Webhook throughput and create-to-received latency (issue 5; see BENCHMARKS.md).
    Webhooks(crate::webhooks::WebhookArgs),
    /// The request limiter's cost (issue 6): GET /customers/{id} with limits off and on.
    Limiter(crate::limiter::LimiterArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The `fieldwork` binary [default: next to this program].
    #[arg(long)]
    pub server_bin: Option<PathBuf>,
    /// Concurrent keep-alive connections of every measured phase.
    #[arg(long, default_value_t = 50)]
    pub conns: usize,
    /// Measured seconds per phase (after the warm-up).
    #[arg(long, default_value_t = 10)]
    pub secs: u64,
    /// Unrecorded warm-up seconds at the start of every phase.
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// Customers of the big company.
    #[arg(long, default_value_t = 100_000)]
    pub big: u64,
    /// Number of small companies.
    #[arg(long, default_value_t = 10)]
    pub small_count: u64,
    /// Customers of each small company.
    #[arg(long, default_value_t = 10_000)]
    pub small: u64,
    /// Connections used to create the data set.
    #[arg(long, default_value_t = 50)]
    pub seed_conns: usize,
    /// Worker threads of the load generator's runtime.
    #[arg(long, default_value_t = 2)]
    pub client_threads: usize,
    /// Reuse a prepared data set: if DIR/manifest.json exists, copy DIR's database instead of
    /// creating the data set; otherwise create it and save it there for the next runs. The
    /// jobs benchmark reuses only a data set whose store wrote the schema its own writes (the
    /// same newest migration), and reports the commit that seeded it.
    #[arg(long, value_name = "DIR")]
    pub prepared: Option<PathBuf>,
    /// Directory for the run's database and logs [default: a fresh temporary directory].
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Keep the temporary directory (database, server log) after the run.
    #[arg(long)]
    pub keep: bool,
    /// Phases to run, comma-separated: get,list,search,post,durability.
    #[arg(
        long,
        default_value = "get,list,search,post,durability",
        value_delimiter = ','
    )]
    pub phases: Vec<String>,
    /// Also measure lists and searches in open loop at these arrival rates (requests per
    /// second, comma-separated), over at most --conns connections; latency then includes
    /// waiting for a free connection.
    #[arg(long, value_delimiter = ',')]
    pub open_rates: Vec<f64>,
    /// Seconds of the one-connection service-time runs of each kind of list and search
    /// request (0: skip them).
    #[arg(long, default_value_t = 2)]
    pub service_secs: u64,
    /// Before each phase, wait up to this many seconds for other processes to leave the cores.
    #[arg(long, default_value_t = 900)]
    pub quiet_wait: u64,
    /// Repeat a timed phase up to this many times when other processes disturbed it.
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
    /// Databases to measure, comma-separated, each with every phase and its own baseline:
    /// `sqlite` (a file in the run's directory) or a PostgreSQL URL whose role may create
    /// databases, e.g. `postgres://postgres@127.0.0.1:5432/postgres`: the run creates its own
    /// uniquely named database there and drops it at the end.
    #[arg(long, value_delimiter = ',', default_value = "sqlite")]
    pub database: Vec<String>,
    /// Seconds into the durability burst at which the server is SIGKILLed.
    #[arg(long, default_value_t = 4)]
    pub kill_after: u64,
}
