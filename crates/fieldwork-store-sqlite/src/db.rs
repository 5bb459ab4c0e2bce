//! Connections: a small pool of read connections used inline, threads with a read connection
//! each for long reads, and one writer thread that groups concurrent writes into one commit.
//!
//! Short reads run on the calling thread (no hop to a blocking pool: measured in DESIGN.md as
//! the fastest option); long ones (pages of lists, searches) queue for threads of their own
//! ([`crate::read_pool`]), first come first served. Writes go to one thread: SQLite has one
//! writer anyway, and grouping the writes that queued up while the last commit ran turns many
//! small fsyncs into one. Each write runs inside its own savepoint, so a failing write never
//! undoes its neighbours, and none is acknowledged before the commit that contains it.
//!
//! Checkpoints: inline, the auto-checkpoint and its fsync were ~18 % of the writer's time
//! (BENCHMARKS.md), so the writer does not checkpoint after every 1000 pages
//! (`wal_autocheckpoint = 0`); a checkpoint thread with its own connection copies WAL frames
//! into the database (passive) several times a second, on the other core, while the writer
//! keeps committing. That alone lets the WAL grow without end: SQLite starts the WAL over only
//! when a write transaction begins with every frame already copied, which never happens while
//! commits keep coming. So about once a second the writer itself runs a passive checkpoint
//! right after a commit: it copies the frames the checkpoint thread has not, and the next
//! transaction starts the WAL from the beginning. The writer waits meanwhile, and under a
//! steady write load a quarter second of commits was thousands of frames (50–200 ms of
//! copying and fsync, every write held up: the webhook latency p99, BENCHMARKS.md). So the
//! checkpoint thread runs passes back to back while they have much to copy (each pass copies
//! what came during the last, so they shrink), and the writer runs its checkpoint only after a
//! pass that found little to do, when what is left is a few milliseconds of commits.
//! When writes stop, the WAL keeps its frames until the next write; the writer truncates it
//! once it has been idle for a moment, so that a quiet server's WAL does not sit on disk with
//! hundreds of megabytes of frames that the next start would copy again.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use fieldwork_store::time::now_micros;
use fieldwork_store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use crate::changes::{ChangeWatch, Snapshot};
use crate::error::map_err;
use crate::read_pool::ReadPool;
use crate::readers::Readers;

/// Most writes grouped into one transaction.
const MAX_BATCH: usize = 512;
/// How often the checkpoint thread copies committed WAL frames into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// How long the writer waits for a write before it spends the time merging the search index.
const IDLE_AFTER: Duration = Duration::from_secs(1);
/// How long a connection waits for a lock held by another before it fails with "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the writer completes a checkpoint so that the WAL starts over, once the
/// checkpoint thread has caught up.
const WRITER_CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// The writer completes a checkpoint after this long even if the checkpoint thread never
/// caught up (commits coming faster than it copies), so that the WAL stays bounded.
const WRITER_CHECKPOINT_AT_LATEST: Duration = Duration::from_secs(10);
/// A checkpoint pass that copied at most this many frames (4 KB each) has caught up.
const CAUGHT_UP_FRAMES: i64 = 256;
/// How soon after a caught-up pass the writer's checkpoint must come to be cheap.
const CAUGHT_UP_FRESH_MICROS: i64 = 10_000;

/// The database handle shared by every store call.
pub(crate) struct Db {
    path: PathBuf,
    /// Connections for short reads, on the calling thread ([`crate::readers`]).
    readers: Arc<Readers>,
    /// Threads for long reads ([`crate::read_pool`]).
    long_reads: ReadPool,
    /// The WAL-index header, for telling that nothing was committed since a moment.
    changes: Option<ChangeWatch>,
    writer: mpsc::Sender<Box<dyn WriteJob>>,
    /// Dropped with the handle, which stops the checkpoint thread.
    _stop_checkpoints: mpsc::Sender<()>,
}

impl Db {
    /// Opens (creating if missing) the database, applies migrations and starts the writer.
    pub(crate) fn open(path: &Path, migrate: bool) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(|e| {
            StoreError::Unavailable(format!(
                "cannot open SQLite database {}: {e}",
                path.display()
            ))
        })?;
        configure(&conn).map_err(map_err)?;
        conn.execute_batch("pragma journal_mode = wal;")
            .map_err(map_err)?;
        if migrate {
            crate::migrate::apply(&conn)?;
        }
        crate::migrate::check_current(&conn)?;
        conn.execute_batch("pragma wal_autocheckpoint = 0;")
            .map_err(map_err)?;
        crate::customers::create_pending_table(&conn).map_err(map_err)?;
        let checkpointer = Connection::open(path).map_err(map_err)?;
        configure(&checkpointer).map_err(map_err)?;
        let (stop_checkpoints, stopped) = mpsc::channel::<()>();
        let caught_up = Arc::new(AtomicI64::new(0));
        let signal = caught_up.clone();
        let readers = Arc::new(Readers::new(path.to_owned()));
        let held_back = readers.clone();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpointer, &held_back, &stopped, &signal))
            .map_err(StoreError::other)?;
        let (tx, rx) = mpsc::channel::<Box<dyn WriteJob>>();
        let held_back = readers.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, &held_back, rx, &caught_up))
            .map_err(StoreError::other)?;
        let changes = ChangeWatch::open(path);
        if changes.is_none() {
            tracing::warn!("no shared WAL index to watch: every key check reads the database");
        }
        let long_reads = ReadPool::start(long_read_threads(), || open_reader(path))?;
        Ok(Self {
            path: path.to_owned(),
            readers,
            long_reads,
            changes,
            writer: tx,
            _stop_checkpoints: stop_checkpoints,
        })
    }

    /// The WAL-index header ([`crate::changes`]) now, or as this request read it a moment ago
    /// ([`fieldwork_store::request`]); `None` if it cannot be read or a commit is being
    /// published.
    pub(crate) fn changes(&self) -> Option<Snapshot> {
        let source = std::ptr::from_ref(self) as usize;
        fieldwork_store::request::marker(source, || self.fresh_changes())
    }

    /// The WAL-index header now, read afresh.
    fn fresh_changes(&self) -> Option<Snapshot> {
        self.changes.as_ref().and_then(ChangeWatch::snapshot)
    }

    /// Runs `f` on a read connection, on the calling thread.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        self.readers
            .read(self.changes(), || self.fresh_changes(), f)
    }

    /// Runs `f` on a connection of the long-read threads, in turn: for pages of lists and
    /// searches ([`crate::read_pool`]).
    pub(crate) async fn read_long<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let out = self.long_reads.run(f).await;
        // It read a snapshot of its own, maybe newer than this request's reading of the header.
        fieldwork_store::request::forget();
        out
    }

    /// Copies the WAL into the database file and truncates it, on a connection of its own
    /// (for the end of a process: the process exits with its connections open, so SQLite's
    /// own checkpoint at the last close never runs and the WAL of the last writes, up to
    /// hundreds of megabytes after a bulk load, stayed on disk for the next start to copy).
    pub(crate) fn truncate_wal(&self) -> StoreResult<()> {
        let conn = Connection::open(&self.path).map_err(map_err)?;
        configure(&conn).map_err(map_err)?;
        let _running = self.readers.checkpoint();
        if !checkpoint_truncate(&conn).map_err(map_err)? {
            tracing::warn!(
                "the SQLite WAL could not be truncated: a connection was still reading it"
            );
        }
        Ok(())
    }

    /// Runs `f` on the writer inside the next group commit; resolves after the commit.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.writer
            .send(Box::new(Task { f, tx }))
            .map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?
    }
}

/// Threads for long reads, each with a read connection of its own: one per core, as the
/// runtime has worker threads; more would only take turns on the cores.
fn long_read_threads() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

pub(crate) fn open_reader(path: &Path) -> StoreResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(map_err)?;
    configure(&conn).map_err(map_err)?;
    // 8 MB instead of 2 MB: a deep page skips ~2.5 MB of index entries of a 100,000-customer
    // company, which thrashed the default cache (a pread per page). Short reads run on the
    // runtime's worker threads and long ones on as many threads, so only about twice as many
    // readers as cores are warm at a time. (24 MB for the long-read threads made searches no
    // faster within this machine's noise and the server's RSS 88 MB: BENCHMARKS.md.)
    conn.execute_batch("pragma cache_size = -8192;")
        .map_err(map_err)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // NORMAL in WAL mode: a commit survives the process being killed; only an OS crash or
    // power loss can lose the last commits (see docs/ARCHITECTURE.md).
    conn.execute_batch(
        "pragma synchronous = normal;
         pragma foreign_keys = on;
         pragma temp_store = memory;",
    )?;
    // Plans that do not depend on bound values. Without this, SQLite reads the value bound to
    // a `limit ?` while planning and marks the statement to be prepared again whenever that
    // parameter is bound, which is every execution: a third of the CPU of a search went to
    // preparing its statement again (BENCHMARKS.md). No statement here needs a plan made for
    // its values (no LIKE-prefix or STAT4 plans).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// A write waiting for the writer thread.
trait WriteJob: Send {
    /// Runs inside the open transaction; returns what to do once the commit is known.
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Finish>;
    /// Reports that no transaction could be opened.
    fn abort(self: Box<Self>, reason: String);
}

/// The acknowledgement of a write that ran, sent once its commit succeeded or failed.
trait Finish: Send {
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

struct Task<F, T> {
    f: F,
    tx: oneshot::Sender<StoreResult<T>>,
}

struct Done<T> {
    result: StoreResult<T>,
    tx: oneshot::Sender<StoreResult<T>>,
}

impl<F, T> WriteJob for Task<F, T>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Finish> {
        let result = match conn.execute_batch("savepoint job") {
            Err(e) => Err(map_err(e)),
            Ok(()) => {
                let result = (self.f)(conn);
                let end = if result.is_ok() {
                    "release job"
                } else {
                    "rollback to job; release job"
                };
                match conn.execute_batch(end) {
                    Ok(()) => result,
                    Err(e) => Err(map_err(e)),
                }
            }
        };
        Box::new(Done {
            result,
            tx: self.tx,
        })
    }

    fn abort(self: Box<Self>, reason: String) {
        let _ = self.tx.send(Err(StoreError::Unavailable(reason)));
    }
}

impl<T: Send> Finish for Done<T> {
    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let result = match commit {
            Ok(()) => self.result,
            Err(reason) => Err(StoreError::Unavailable(reason)),
        };
        // The caller may have gone away (client disconnected); the write still happened.
        let _ = self.tx.send(result);
    }
}

/// Work the writer does while no write comes: what is still due since the last write.
struct IdleWork {
    /// The search index may have segments to merge.
    merge: bool,
    /// The WAL may hold frames: empty it, so that reads stop looking through it.
    truncate: bool,
}

impl IdleWork {
    fn all() -> Self {
        Self {
            merge: true,
            truncate: true,
        }
    }
}

/// The next write to run: one that arrived during idle work, else the next from the queue.
/// While no write comes for [`IDLE_AFTER`], merges the search index's segments a step at a
/// time (each step its own transaction) as long as the queue stays empty, then empties the
/// WAL ([`try_truncate_wal`]).
fn next_job(
    conn: &Connection,
    readers: &Readers,
    rx: &mpsc::Receiver<Box<dyn WriteJob>>,
    idle: &mut IdleWork,
) -> Option<Box<dyn WriteJob>> {
    loop {
        match rx.recv_timeout(IDLE_AFTER) {
            Ok(job) => return Some(job),
            Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        while idle.merge {
            idle.merge = crate::customers::merge_search_step(conn);
            match rx.try_recv() {
                Ok(job) => return Some(job),
                Err(mpsc::TryRecvError::Disconnected) => return None,
                Err(mpsc::TryRecvError::Empty) => {}
            }
        }
        if idle.truncate {
            idle.truncate = !try_truncate_wal(conn, readers);
        }
    }
}

/// Copies the whole WAL into the database and truncates it; false if readers kept it busy
/// (tried again at the next idle moment).
///
/// Passive checkpoints copy every frame, but the WAL starts over only at the next write, so
/// after the last write of a busy period it keeps its frames, possibly hundreds of megabytes
/// (after a bulk load, or the index merge above).
fn try_truncate_wal(conn: &Connection, readers: &Readers) -> bool {
    let _running = readers.checkpoint();
    // Waits for readers still on the WAL for a moment only: a write may be queued meanwhile.
    let _ = conn.busy_timeout(Duration::from_millis(100));
    let done = checkpoint_truncate(conn);
    let _ = conn.busy_timeout(BUSY_TIMEOUT);
    done.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "sqlite checkpoint failed");
        true
    })
}

/// Copies the whole WAL into the database and truncates it; false if a reader kept it busy.
fn checkpoint_truncate(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("pragma wal_checkpoint(truncate)", [], |r| {
        r.get::<_, i64>(0).map(|busy| busy == 0)
    })
}

/// `caught_up`: when (unix µs) the checkpoint thread last finished a pass that copied little.
fn writer_loop(
    conn: Connection,
    readers: &Readers,
    rx: mpsc::Receiver<Box<dyn WriteJob>>,
    caught_up: &AtomicI64,
) {
    let mut last_checkpoint = std::time::Instant::now();
    let mut idle = IdleWork::all();
    while let Some(first) = next_job(&conn, readers, &rx, &mut idle) {
        idle = IdleWork::all();
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("begin immediate") {
            let reason = format!("cannot start a write transaction: {e}");
            tracing::error!(error = %e, "sqlite writer could not begin");
            for job in batch {
                job.abort(reason.clone());
            }
            continue;
        }
        let finishes: Vec<Box<dyn Finish>> = batch.into_iter().map(|job| job.run(&conn)).collect();
        // The batch's search documents, indexed once; if that fails, nothing is committed.
        let commit = crate::customers::flush_pending(&conn)
            .and_then(|()| conn.execute_batch("commit"))
            .map_err(|e| {
                tracing::error!(error = %e, "sqlite commit failed");
                let _ = conn.execute_batch("rollback");
                format!("commit failed: {e}")
            });
        if commit.is_ok() {
            // Before any acknowledgement: a request that learns of this commit reads anew.
            fieldwork_store::request::committed();
        }
        for finish in finishes {
            finish.finish(commit.clone());
        }
        let since = last_checkpoint.elapsed();
        if since >= WRITER_CHECKPOINT_AT_LATEST
            || (since >= WRITER_CHECKPOINT_EVERY
                && now_micros() - caught_up.load(Ordering::Relaxed) <= CAUGHT_UP_FRESH_MICROS)
        {
            last_checkpoint = std::time::Instant::now();
            let _running = readers.checkpoint();
            if let Err(e) = conn.query_row("pragma wal_checkpoint(passive)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "sqlite checkpoint failed");
            }
        }
    }
}

/// Runs passive checkpoints until `stop`'s sender is dropped: back to back while each pass
/// has much to copy, else every [`CHECKPOINT_EVERY`]; after a pass that copied little it
/// stores its time in `caught_up` for the writer. Passive: it copies what no reader still
/// needs and never blocks the writer or a reader.
fn checkpoint_loop(
    conn: &Connection,
    readers: &Readers,
    stop: &mpsc::Receiver<()>,
    caught_up: &AtomicI64,
) {
    let mut copied_before: i64 = 0;
    let mut wait = CHECKPOINT_EVERY;
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(wait) {
        // Columns: busy, frames in the WAL, frames copied (which starts over with the WAL).
        let running = readers.checkpoint();
        let pass = conn.query_row("pragma wal_checkpoint(passive)", [], |r| r.get::<_, i64>(2));
        drop(running);
        match pass {
            Ok(copied) => {
                let this_pass = if copied >= copied_before {
                    copied - copied_before
                } else {
                    copied
                };
                copied_before = copied;
                wait = if this_pass <= CAUGHT_UP_FRAMES {
                    caught_up.store(now_micros(), Ordering::Relaxed);
                    CHECKPOINT_EVERY
                } else {
                    Duration::ZERO
                };
            }
            Err(e) => {
                tracing::warn!(error = %e, "sqlite checkpoint failed");
                wait = CHECKPOINT_EVERY;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    use super::*;

    /// Once writes stop, the writer empties the WAL.
    #[tokio::test]
    async fn an_idle_writer_truncates_the_wal() {
        use fieldwork_store::{NewCompany, Plan, Store};

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fw.db");
        let store = crate::SqliteStore::open(path.to_str().unwrap(), true).unwrap();
        store
            .create_company(NewCompany {
                name: "Idle".into(),
                plan: Plan::Max,
                time_zone: "UTC".into(),
            })
            .await
            .unwrap();
        let wal = dir.path().join("fw.db-wal");
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
        let mut waited = 0;
        while std::fs::metadata(&wal).unwrap().len() > 0 {
            waited += 1;
            assert!(waited < 50, "the WAL was not emptied");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Still usable afterwards.
        assert_eq!(store.list_companies().await.unwrap().len(), 1);
    }

    /// Under writes that never pause, the WAL still starts over (the writer completes a
    /// checkpoint once the checkpoint thread has caught up, about once a second): its header's
    /// checkpoint sequence number, bumped at each start-over, advances.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_starts_over_while_writes_keep_coming() {
        use fieldwork_store::{NewCompany, Plan, Store};

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fw.db");
        let store = crate::SqliteStore::open(path.to_str().unwrap(), true).unwrap();
        let wal = dir.path().join("fw.db-wal");
        let sequence = || {
            let header = std::fs::read(&wal).unwrap_or_default();
            header
                .get(12..16)
                .map(|b| u32::from_be_bytes(b.try_into().unwrap()))
        };
        // Sixteen writers, so that a commit is always in progress or queued and the
        // checkpoint thread alone never finds the WAL fully copied.
        let store = std::sync::Arc::new(store);
        let started = std::time::Instant::now();
        let writers: Vec<_> = (0..16)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    while started.elapsed() < Duration::from_millis(4500) {
                        let new = NewCompany {
                            name: "Busy".into(),
                            plan: Plan::Max,
                            time_zone: "UTC".into(),
                        };
                        store.create_company(new).await.unwrap();
                    }
                })
            })
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        while started.elapsed() < Duration::from_millis(4500) {
            seen.extend(sequence());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        for w in writers {
            w.await.unwrap();
        }
        assert!(
            seen.len() >= 2,
            "the WAL started over {} times in 4.5 s of writes",
            seen.len().saturating_sub(1)
        );
    }

    /// `tidy` empties the WAL at once (the end of a process does not wait for the writer to
    /// idle), and the store stays usable.
    #[tokio::test]
    async fn tidy_truncates_the_wal() {
        use fieldwork_store::{NewCompany, Plan, Store};

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fw.db");
        let store = crate::SqliteStore::open(path.to_str().unwrap(), true).unwrap();
        let new = || NewCompany {
            name: "Tidy".into(),
            plan: Plan::Max,
            time_zone: "UTC".into(),
        };
        store.create_company(new()).await.unwrap();
        let wal = dir.path().join("fw.db-wal");
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
        store.tidy().await.unwrap();
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
        store.create_company(new()).await.unwrap();
        assert_eq!(store.list_companies().await.unwrap().len(), 2);
    }

    /// A statement with `limit ?` runs again without being prepared again (see [`configure`]).
    #[test]
    fn bound_limits_do_not_reprepare() {
        let conn = Connection::open_in_memory().unwrap();
        configure(&conn).unwrap();
        conn.execute_batch("create table t (n integer); insert into t values (1), (2), (3);")
            .unwrap();
        for limit in [1, 2, 1, 3] {
            let mut stmt = conn
                .prepare_cached("select n from t order by n limit ?1 offset ?2")
                .unwrap();
            let rows: Vec<i64> = stmt
                .query_map([limit, 0], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(rows.len(), limit as usize);
            assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
        }
    }
}
