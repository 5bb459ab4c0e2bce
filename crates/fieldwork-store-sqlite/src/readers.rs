//! The read connections that short reads use inline, each keeping its read transaction open
//! from one read to the next while nothing is committed.
//!
//! Beginning and ending a read transaction take and drop a lock on the database file and on
//! a read slot of the WAL index: `fcntl` calls, and SQLite's per-file mutex, which the
//! runtime's threads contend for. That was 6–13 % of the CPU of a
//! `GET /customers/{id}` (BENCHMARKS.md). A transaction is kept only if its snapshot is
//! exactly the state one reading of the WAL-index header ([`crate::changes`]) names: the
//! header was the same before `begin` and after the read. A later read keeps it if the
//! request's reading of the header (`fieldwork_store::request`: fresh at the request's start,
//! renewed after its own commits and after any read of a newer state) is still that one: then
//! no commit came between, and the read sees everything committed before the request began
//! and nothing older than what the request already saw. Otherwise it is ended and a new one
//! begun.
//!
//! An open transaction holds the WAL back: a checkpoint copies no frame past its snapshot and
//! cannot start the WAL over while it is open. So a checkpoint first calls
//! [`Readers::checkpoint`], which ends the transactions of idle readers; until it is done no
//! read keeps its transaction, and a read that began before it ends its own when it finishes.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use fieldwork_store::StoreResult;
use parking_lot::Mutex;
use rusqlite::Connection;

use crate::changes::Snapshot;

/// Read connections kept open between calls.
const MAX_IDLE: usize = 8;

/// The inline read connections of one database.
pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    /// Checkpoints running now: while any does, no read leaves its transaction open.
    checkpoints: AtomicUsize,
    /// Checkpoints started so far: a transaction begun before the last one is not kept.
    generation: AtomicU64,
    /// Connections opened and transactions begun (for tests).
    #[cfg(test)]
    counts: (AtomicUsize, AtomicUsize),
}

struct Reader {
    conn: Connection,
    /// The WAL-index header read just before the open read transaction began; `None` when no
    /// transaction is open.
    held: Option<Snapshot>,
    /// [`Readers::generation`] when the transaction began.
    generation: u64,
}

impl Reader {
    /// Ends the open read transaction, if any.
    fn end(&mut self) {
        if self.held.take().is_some()
            && !self.conn.is_autocommit()
            // A read transaction has nothing to commit: this only drops its locks.
            && self.conn.execute_batch("commit").is_err()
        {
            let _ = self.conn.execute_batch("rollback");
        }
    }
}

impl Readers {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
            checkpoints: AtomicUsize::new(0),
            generation: AtomicU64::new(0),
            #[cfg(test)]
            counts: Default::default(),
        }
    }

    /// Runs `f` on an idle reader (a new one if none is idle) on the calling thread.
    ///
    /// `now` is the WAL-index header as this request read it, maybe a moment ago
    /// ([`fieldwork_store::request`]); `None` if unknown: then `f` runs in a transaction of its
    /// own, as without this module. A transaction begun here takes its snapshot at `f`'s first
    /// statement, which may be later than `now`; so `fresh` reads the header anew after `f`,
    /// and the transaction is kept only if it is still `now`: then its snapshot is exactly the
    /// state `now` names, and a later read that keeps it sees nothing older than this one saw.
    pub(crate) fn read<T>(
        &self,
        now: Option<Snapshot>,
        fresh: impl FnOnce() -> Option<Snapshot>,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let reader = match self.idle.lock().pop() {
            Some(reader) => reader,
            None => {
                #[cfg(test)]
                self.counts.0.fetch_add(1, Ordering::Relaxed);
                Reader {
                    conn: crate::db::open_reader(&self.path)?,
                    held: None,
                    generation: 0,
                }
            }
        };
        // Hands the reader back even if `f` panics.
        let mut guard = GiveBack {
            readers: self,
            reader: Some(reader),
        };
        let reader = guard.reader.as_mut().expect("present until drop");
        let generation = self.generation.load(Ordering::Acquire);
        let hold = now.filter(|_| self.checkpoints.load(Ordering::Acquire) == 0);
        let mut began = None;
        if reader.held.is_none() || reader.held != hold || reader.generation != generation {
            reader.end();
            if let Some(now) = hold
                && reader.conn.execute_batch("begin").is_ok()
            {
                reader.held = Some(now);
                reader.generation = generation;
                began = Some(now);
                #[cfg(test)]
                self.counts.1.fetch_add(1, Ordering::Relaxed);
            }
        }
        let out = f(&reader.conn);
        if let Some(now) = began
            && fresh() != Some(now)
        {
            // A commit came after `now` was read: this snapshot may hold it. Not kept (handed
            // back without `held`, it is rolled back), and the request reads the header anew
            // next time, so that no later read of it keeps an older snapshot.
            reader.held = None;
            fieldwork_store::request::forget();
        }
        out
    }

    /// Marks a checkpoint as running until the guard drops, and ends the read transactions
    /// idle readers hold, so that the checkpoint can copy every frame and start the WAL over.
    pub(crate) fn checkpoint(&self) -> Checkpointing<'_> {
        self.checkpoints.fetch_add(1, Ordering::AcqRel);
        self.generation.fetch_add(1, Ordering::AcqRel);
        for reader in self.idle.lock().iter_mut() {
            reader.end();
        }
        Checkpointing { readers: self }
    }

    fn give_back(&self, mut reader: Reader) {
        if reader.conn.is_autocommit() {
            // An error may have rolled the transaction back.
            reader.held = None;
        } else if reader.held.is_none() {
            // A transaction not to keep ([`Readers::read`]), or one `f` opened itself.
            let _ = reader.conn.execute_batch("rollback");
        }
        // Checked under the lock that `checkpoint` takes to end idle transactions, so that no
        // transaction begun before a checkpoint gets into the pool without being ended.
        let mut idle = self.idle.lock();
        if self.checkpoints.load(Ordering::Acquire) > 0
            || reader.generation != self.generation.load(Ordering::Acquire)
        {
            reader.end();
        }
        if idle.len() < MAX_IDLE {
            idle.push(reader);
        }
    }
}

struct GiveBack<'a> {
    readers: &'a Readers,
    reader: Option<Reader>,
}

impl Drop for GiveBack<'_> {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            self.readers.give_back(reader);
        }
    }
}

/// A running checkpoint ([`Readers::checkpoint`]).
pub(crate) struct Checkpointing<'a> {
    readers: &'a Readers,
}

impl Drop for Checkpointing<'_> {
    fn drop(&mut self) {
        self.readers.checkpoints.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::ChangeWatch;

    /// A WAL database with one row, its writer, its watch and its readers.
    fn database() -> (tempfile::TempDir, Connection, ChangeWatch, Readers) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "pragma journal_mode = wal; pragma wal_autocheckpoint = 0;
                 create table t (x integer); insert into t values (1);",
            )
            .unwrap();
        let watch = ChangeWatch::open(&path).unwrap();
        (dir, writer, watch, Readers::new(path))
    }

    fn sum(c: &Connection) -> StoreResult<i64> {
        c.query_row("select sum(x) from t", [], |r| r.get(0))
            .map_err(crate::error::map_err)
    }

    /// The sum read with `now` as the request's reading of the header.
    fn total_at(readers: &Readers, watch: &ChangeWatch, now: Option<Snapshot>) -> i64 {
        readers.read(now, || watch.snapshot(), sum).unwrap()
    }

    fn total(readers: &Readers, watch: &ChangeWatch) -> i64 {
        total_at(readers, watch, watch.snapshot())
    }

    impl Readers {
        /// Read transactions open now among idle readers.
        fn held(&self) -> usize {
            self.idle
                .lock()
                .iter()
                .filter(|r| !r.conn.is_autocommit())
                .count()
        }
        fn opened(&self) -> usize {
            self.counts.0.load(Ordering::Relaxed)
        }
        fn begun(&self) -> usize {
            self.counts.1.load(Ordering::Relaxed)
        }
    }

    #[test]
    fn a_held_transaction_is_kept_only_while_nothing_is_committed() {
        let (_dir, writer, watch, readers) = database();
        assert_eq!(total(&readers, &watch), 1);
        assert_eq!((readers.held(), readers.begun()), (1, 1));
        assert_eq!(total(&readers, &watch), 1);
        assert_eq!(total(&readers, &watch), 1);
        assert_eq!(
            readers.begun(),
            1,
            "the transaction was kept, not begun again"
        );

        // A commit: the next read sees it, in a new transaction.
        writer.execute("insert into t values (2)", []).unwrap();
        assert_eq!(total(&readers, &watch), 3);
        assert_eq!((readers.held(), readers.begun()), (1, 2));

        // Without a header reading, a read leaves no transaction open.
        assert_eq!(readers.read(None, || watch.snapshot(), sum).unwrap(), 3);
        assert_eq!(readers.held(), 0);
        assert_eq!(readers.opened(), 1, "one connection all along");
    }

    #[test]
    fn a_snapshot_newer_than_the_reading_is_not_kept_and_the_reading_is_dropped() {
        let (_dir, writer, watch, readers) = database();
        let before = watch.snapshot();
        writer.execute("insert into t values (2)", []).unwrap();
        // The request read the header before that commit; the new transaction sees it.
        let source = 7;
        let (seen, reading) = block_on(fieldwork_store::request::scope(async {
            assert_eq!(fieldwork_store::request::marker(source, || before), before);
            let seen = total_at(&readers, &watch, before);
            // The next reading of this request is taken afresh.
            let reading = fieldwork_store::request::marker(source, || watch.snapshot());
            (seen, reading)
        }));
        assert_eq!(seen, 3);
        assert_ne!(reading, before);
        assert_eq!(
            readers.held(),
            0,
            "its snapshot is not the state `before` names"
        );

        // With the reading taken after the commit it is kept.
        assert_eq!(total(&readers, &watch), 3);
        assert_eq!(readers.held(), 1);
    }

    /// Runs a future to completion on a one-thread runtime.
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_checkpoint_ends_held_transactions_and_empties_the_wal() {
        let (dir, writer, watch, readers) = database();
        writer.execute("insert into t values (2)", []).unwrap();
        assert_eq!(total(&readers, &watch), 3);
        assert_eq!(readers.held(), 1);
        // The held snapshot reads the WAL: a truncating checkpoint cannot finish past it.
        let truncate = |c: &Connection| -> i64 {
            c.query_row("pragma wal_checkpoint(truncate)", [], |r| r.get(0))
                .unwrap()
        };
        writer.busy_timeout(std::time::Duration::ZERO).unwrap();
        assert_eq!(truncate(&writer), 1, "busy while the transaction is held");

        let running = readers.checkpoint();
        assert_eq!(readers.held(), 0);
        // Reads during the checkpoint leave nothing open either.
        assert_eq!(total(&readers, &watch), 3);
        assert_eq!(readers.held(), 0);
        assert_eq!(truncate(&writer), 0);
        let wal = std::fs::metadata(dir.path().join("r.db-wal")).unwrap();
        assert_eq!(wal.len(), 0);
        drop(running);

        assert_eq!(total(&readers, &watch), 3);
        assert_eq!(readers.held(), 1, "held again once the checkpoint is over");

        // A read in progress while a checkpoint starts and ends does not keep its transaction.
        writer.execute("insert into t values (3)", []).unwrap();
        let seen = readers
            .read(
                watch.snapshot(),
                || watch.snapshot(),
                |c| {
                    let total = sum(c);
                    drop(readers.checkpoint());
                    total
                },
            )
            .unwrap();
        assert_eq!(seen, 6);
        assert_eq!(readers.held(), 0);
    }

    #[test]
    fn a_read_that_fails_or_panics_leaves_the_reader_usable() {
        let (_dir, _writer, watch, readers) = database();
        let failed = readers.read(
            watch.snapshot(),
            || watch.snapshot(),
            |c| {
                c.query_row("select nothing from nowhere", [], |r| r.get::<_, i64>(0))
                    .map_err(crate::error::map_err)
            },
        );
        assert!(failed.is_err());
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            readers.read(
                watch.snapshot(),
                || watch.snapshot(),
                |_| -> StoreResult<()> { panic!("bug") },
            )
        }));
        assert!(panicked.is_err());
        // A read that opens a transaction of its own gets it rolled back.
        readers
            .read(
                None,
                || watch.snapshot(),
                |c| c.execute_batch("begin").map_err(crate::error::map_err),
            )
            .unwrap();
        assert_eq!(readers.held(), 0);
        assert_eq!(total(&readers, &watch), 1);
        assert_eq!(readers.opened(), 1, "the same reader came back every time");
    }
}
