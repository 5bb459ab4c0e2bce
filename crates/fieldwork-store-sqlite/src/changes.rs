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
//! pages SQLite maps): no transaction, no lock, no unsafe mapping. That file's descriptor is
//! never closed: closing any descriptor of a file drops every POSIX lock the process holds
//! on it, and SQLite's connections hold theirs on this one (its unix VFS keeps descriptors
//! open for the same reason). Dropping them would let another process take the index for
//! unused and reset it under this one's connections.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::Path;
use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;

/// 32-bit words in one copy of the WAL-index header (48 bytes); a second copy follows it.
const HEADER_WORDS: usize = 12;
/// The header version SQLite writes (`WALINDEX_MAX_VERSION`); another format is not read.
const INDEX_VERSION: u32 = 3_007_000;

/// One reading of the WAL-index header.
pub(crate) type Snapshot = fieldwork_store::request::ChangeMarker;

/// A file's device and inode numbers.
type FileKey = (u64, u64);

/// Every WAL-index file this process opened, kept open until it exits.
static OPENED: LazyLock<Mutex<HashMap<FileKey, Arc<File>>>> = LazyLock::new(Default::default);

/// The WAL-index file of a database, open for reading its header.
pub(crate) struct ChangeWatch {
    shm: Arc<File>,
}

impl ChangeWatch {
    /// Opens the WAL index of the database at `path` (in WAL mode, with a connection open);
    /// `None` if there is none (then every check reads the database, as without a watch).
    pub(crate) fn open(path: &Path) -> Option<Self> {
        let mut name = path.as_os_str().to_owned();
        name.push("-shm");
        // Looked up by the inode the name has now (a `stat`, no descriptor), so that a file
        // made anew at the same path is opened anew.
        let meta = std::fs::metadata(&name).ok()?;
        let mut opened = OPENED.lock();
        let shm = match opened.get(&(meta.dev(), meta.ino())) {
            Some(shm) => shm.clone(),
            None => {
                let shm = Arc::new(File::open(&name).ok()?);
                // Kept whatever happens from here on: a descriptor opened is never closed.
                let key = shm
                    .metadata()
                    .map_or((meta.dev(), meta.ino()), |m| (m.dev(), m.ino()));
                if let Some(earlier) = opened.insert(key, shm.clone()) {
                    std::mem::forget(earlier);
                }
                shm
            }
        };
        drop(opened);
        let watch = Self { shm };
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

    #[test]
    fn the_index_file_stays_open_after_its_watches_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("pragma journal_mode = wal; create table t (x integer);")
            .unwrap();
        let first = ChangeWatch::open(&path).unwrap();
        let second = ChangeWatch::open(&path).unwrap();
        assert!(
            Arc::ptr_eq(&first.shm, &second.shm),
            "one descriptor per file"
        );
        drop((first, second));
        let meta = std::fs::metadata(dir.path().join("w.db-shm")).unwrap();
        let kept = OPENED.lock().get(&(meta.dev(), meta.ino())).cloned();
        assert!(kept.is_some(), "closing it would drop SQLite's locks on it");
    }
}
