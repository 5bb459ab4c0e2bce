//! The connection pool: settings, start-up checks, and the bounds that keep calls from hanging.
//!
//! deadpool recycles a connection only if it is still open (`RecyclingMethod::Fast`): when
//! PostgreSQL restarts, every connection receives "terminating connection due to administrator
//! command" and closes, so the pool drops it and connects anew on the next call; while the
//! server is down, connecting is refused at once or times out after `connect_timeout`. Each call
//! is bounded as a whole as well, so a server that stops answering cannot hold a request.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{
    GenericClient, Hook, HookError, Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime,
};
use fieldwork_store::{StoreError, StoreResult};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use crate::error::{map_err, map_pool_err};

/// Parameters of a statement.
pub(crate) type Params<'a> = [&'a (dyn ToSql + Sync)];

/// Size and timeouts of the connection pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// Most connections open at once (each is a PostgreSQL server process).
    pub max_connections: usize,
    /// How long opening one connection may take.
    pub connect_timeout: Duration,
    /// How long a call waits for a free connection when all are busy.
    pub acquire_timeout: Duration,
    /// Longest a single statement may run (PostgreSQL's `statement_timeout`).
    pub statement_timeout: Duration,
    /// A pooled connection older than this is closed when it comes back instead of being
    /// used again. Each connection plans a cached statement once (the connections run with
    /// generic plans), on the table sizes of that moment; a connection that lived for ever
    /// kept plans made on nearly empty tables at start-up (BENCHMARKS.md, "a PostgreSQL plan
    /// trap").
    pub max_age: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            max_age: Duration::from_secs(30 * 60),
        }
    }
}

/// Whom a pool's connections serve, which sets how they commit and plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The API: commits as the database is set to (`synchronous_commit = on` by default: a
    /// commit waits for its WAL to reach the disk).
    Api,
    /// The webhook worker (named `fieldwork-webhooks`). Its commits do not wait for the WAL
    /// flush: its leases and outcomes may be lost if PostgreSQL itself crashes, and then the
    /// deliveries are sent again (at least once holds). Its statements read queues that go from
    /// empty to millions of rows, and each connection plans them once, at its first claim (the
    /// pools run generic plans): bitmap and sequential scans are off, so a plan made on an empty
    /// queue still reads the oldest due messages in index order instead of reading and sorting
    /// every due one (seen: 2,405 index entries read and sorted for a claim of 14).
    WebhookWorker,
}

impl Role {
    fn application_name(self) -> &'static str {
        match self {
            Role::Api => "fieldwork",
            Role::WebhookWorker => "fieldwork-webhooks",
        }
    }

    fn options(self) -> &'static str {
        match self {
            // The server's or database's own settings (a replica setup may ask for more than
            // `on`).
            Role::Api => "",
            Role::WebhookWorker => {
                "-c synchronous_commit=off -c enable_bitmapscan=off -c enable_seqscan=off"
            }
        }
    }
}

/// The pool and what every call needs to use it.
pub(crate) struct Db {
    pool: Pool,
    /// Longest a whole store call may take before it fails as `Unavailable`.
    deadline: Duration,
    /// `host:port/dbname` for messages (never the password).
    pub(crate) target: String,
}

impl Db {
    /// Builds the pool for `url` and checks that the server answers.
    pub(crate) async fn connect(url: &str, settings: &PoolSettings) -> StoreResult<Self> {
        let db = Self::build(url, settings, Role::Api)?;
        if let Err(e) = db.client().await {
            let reason = match e {
                StoreError::Unavailable(reason) => reason,
                other => other.to_string(),
            };
            return Err(StoreError::Unavailable(format!(
                "cannot connect to PostgreSQL at {}: {reason}",
                db.target
            )));
        }
        Ok(db)
    }

    /// Builds the pool for `url`; it connects at its first use.
    pub(crate) fn build(url: &str, settings: &PoolSettings, role: Role) -> StoreResult<Self> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("invalid PostgreSQL URL: {e}")))?;
        let target = describe(&config);
        config
            .connect_timeout(settings.connect_timeout)
            .keepalives_idle(Duration::from_secs(30))
            .application_name(role.application_name())
            // Generic plans: no re-planning per call, and every statement of this crate is
            // written to plan well without its parameters' values.
            .options(format!(
                "-c statement_timeout={} -c idle_in_transaction_session_timeout={} \
                 -c plan_cache_mode=force_generic_plan {}",
                settings.statement_timeout.as_millis(),
                settings.statement_timeout.as_millis().max(1) * 2,
                role.options()
            ));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let max_age = settings.max_age;
        let pool = Pool::builder(manager)
            .pre_recycle(Hook::sync_fn(move |_, metrics| {
                if metrics.age() > max_age {
                    return Err(HookError::message("the connection reached its maximum age"));
                }
                Ok(())
            }))
            .max_size(settings.max_connections.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(settings.acquire_timeout))
            .create_timeout(Some(settings.connect_timeout))
            .recycle_timeout(Some(settings.connect_timeout))
            .build()
            .map_err(StoreError::other)?;
        Ok(Self {
            pool,
            deadline: settings.acquire_timeout
                + settings.connect_timeout
                + settings.statement_timeout,
            target,
        })
    }

    /// A pooled connection; `Unavailable` when none can be had in time.
    pub(crate) async fn client(&self) -> StoreResult<Object> {
        self.pool.get().await.map_err(map_pool_err)
    }

    /// Runs one statement on a pooled connection and returns its rows.
    pub(crate) async fn query(&self, sql: &str, params: &Params<'_>) -> StoreResult<Vec<Row>> {
        query(&self.client().await?, sql, params).await
    }

    /// Runs one statement that returns at most one row on a pooled connection.
    pub(crate) async fn query_opt(
        &self,
        sql: &str,
        params: &Params<'_>,
    ) -> StoreResult<Option<Row>> {
        query_opt(&self.client().await?, sql, params).await
    }

    /// Runs one statement on a pooled connection; returns the number of rows it changed.
    pub(crate) async fn execute(&self, sql: &str, params: &Params<'_>) -> StoreResult<u64> {
        execute(&self.client().await?, sql, params).await
    }

    /// Runs one store call within the call deadline.
    pub(crate) async fn run<T>(
        &self,
        call: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        match tokio::time::timeout(self.deadline, call).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable(format!(
                "PostgreSQL at {} did not answer within {} s",
                self.target,
                self.deadline.as_secs()
            ))),
        }
    }
}

/// Runs one statement (prepared once per connection) on a connection or in a transaction and
/// returns its rows. Statements started together on one connection are pipelined.
pub(crate) async fn query(
    c: &impl GenericClient,
    sql: &str,
    params: &Params<'_>,
) -> StoreResult<Vec<Row>> {
    let stmt = c.prepare_cached(sql).await.map_err(map_err)?;
    c.query(&stmt, params).await.map_err(map_err)
}

/// Like [`query`], for a statement that returns at most one row.
pub(crate) async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    params: &Params<'_>,
) -> StoreResult<Option<Row>> {
    let stmt = c.prepare_cached(sql).await.map_err(map_err)?;
    c.query_opt(&stmt, params).await.map_err(map_err)
}

/// Like [`query`], returning the number of rows the statement changed.
pub(crate) async fn execute(
    c: &impl GenericClient,
    sql: &str,
    params: &Params<'_>,
) -> StoreResult<u64> {
    let stmt = c.prepare_cached(sql).await.map_err(map_err)?;
    c.execute(&stmt, params).await.map_err(map_err)
}

/// `user@host:port/dbname` of a connection config, without the password.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("");
    let dbname = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{dbname}")
}

/// Runs a single-statement write again when it lost a deadlock or serialization race (at most
/// three times in all).
pub(crate) async fn retry<T, F, Fut>(mut write: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut attempt = 1;
    loop {
        match write().await {
            Err(e) if attempt < 3 && crate::error::is_retryable(&e) => attempt += 1,
            other => return other,
        }
    }
}

/// Runs `$body` in a transaction on a pooled connection and commits it; a transaction that
/// lost a deadlock or serialization race is run again (at most three times in all).
///
/// `$tx` names the transaction inside `$body`, which is an expression of type
/// `StoreResult<T>` that may `.await`. The transaction rolls back when `$body` fails.
macro_rules! transaction {
    ($db:expr, |$tx:ident| $body:expr) => {{
        let mut attempt = 1;
        loop {
            let mut client = $db.client().await?;
            let $tx = client.transaction().await.map_err($crate::error::map_err)?;
            let result = match $body {
                Ok(value) => $tx
                    .commit()
                    .await
                    .map(|()| value)
                    .map_err($crate::error::map_err),
                Err(e) => Err(e),
            };
            match result {
                Err(e) if attempt < 3 && $crate::error::is_retryable(&e) => attempt += 1,
                other => break other,
            }
        }
    }};
}
pub(crate) use transaction;
