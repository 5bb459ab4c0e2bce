//! Whether the database has changed since a moment, told without a transaction.
//!
//! Every commit to a WAL database, by any process, rewrites the header of SQLite's shared
//! WAL index (the `-shm` file every connection maps): its change counter goes up, and the
//! frame count, salts and checksum change with it (file format: sqlite.org/walformat.html).
//! Two equal readings of that header mean no commit came between them. The auth cache uses
//! this to trust a key it checked earlier without opening a read transaction per request:
//! that read cost two `fcntl` lock calls and contention on SQLite's shared-memory mutex
//! between the runtime's threads, about a seventh of a `GET /customers/{id}` (BENCHMARKS.md).
//!
//! The header is read from the `-shm` file with one `pread` (the kernel hands back the same
//! pages SQLite maps), opened once and kept: no transaction, no lock, no unsafe mapping.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// 32-bit words in one copy of the WAL-index header (48 bytes); a second copy follows it.
const HEADER_WORDS: usize = 12;
/// The header version SQLite writes (`WALINDEX_MAX_VERSION`); another format is not read.
const INDEX_VERSION: u32 = 3_007_000;

/// One reading of the WAL-index header.
pub(crate) type Snapshot = [u32; HEADER_WORDS];

/// The WAL-index file of a database, open for reading its header.
pub(crate) struct ChangeWatch {
    shm: File,
}

impl ChangeWatch {
    /// Opens the WAL index of the database at `path` (in WAL mode, with a connection open);
    /// `None` if there is none (then every check reads the database, as without a watch).
    pub(crate) fn open(path: &Path) -> Option<Self> {
        let mut name = path.as_os_str().to_owned();
        name.push("-shm");
        let watch = Self {
            shm: File::open(name).ok()?,
        };
        watch.snapshot().is_some().then_some(watch)
    }

    /// The header now, if it is initialised and its two copies agree. A commit writes the
    /// second copy, then the first; whichever order the two are read in, a reading that
    /// equals an earlier one was taken before the next commit was published.
    pub(crate) fn snapshot(&self) -> Option<Snapshot> {
        let mut bytes = [0u8; 2 * HEADER_WORDS * 4];
        self.shm.read_exact_at(&mut bytes, 0).ok()?;
        let word = |i: usize| {
            let at = i * 4;
            u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let first: Snapshot = std::array::from_fn(word);
        let second: Snapshot = std::array::from_fn(|i| word(HEADER_WORDS + i));
        (first[0] == INDEX_VERSION && first == second).then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    #[test]
    fn a_commit_by_another_connection_changes_the_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch("pragma journal_mode = wal; create table t (x integer);")
            .unwrap();
        let watch = ChangeWatch::open(&path).expect("a WAL database has a shared index");
        assert!(ChangeWatch::open(&dir.path().join("none.db")).is_none());
        let before = watch.snapshot().expect("no commit in progress");
        assert_eq!(watch.snapshot(), Some(before), "nothing committed");

        // Another connection, as another process would be (its own pager and cache).
        let other = Connection::open(&path).unwrap();
        other.execute("insert into t values (1)", []).unwrap();
        let after = watch.snapshot().unwrap();
        assert_ne!(after, before);
        assert_eq!(watch.snapshot(), Some(after));

        // A read changes nothing.
        let _: i64 = other
            .query_row("select count(*) from t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(watch.snapshot(), Some(after));

        // Nor does it go back after a checkpoint that restarts the WAL.
        other
            .query_row("pragma wal_checkpoint(truncate)", [], |_| Ok(()))
            .unwrap();
        writer.execute("insert into t values (2)", []).unwrap();
        let later = watch.snapshot().unwrap();
        assert_ne!(later, before);
        assert_ne!(later, after);
    }
}
