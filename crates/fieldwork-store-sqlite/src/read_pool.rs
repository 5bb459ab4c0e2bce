//! Long reads (pages of lists, searches) on a few threads of their own, first come first served.
//!
//! Short reads run inline on the runtime's worker threads ([`crate::db::Db::read`]). A search
//! run inline holds its worker for most of a millisecond while the connections queued on that
//! worker wait, and the runtime looks for new requests only between tasks: at 50 connections
//! the searches' p99 was 1.7–1.8 times their median. Queued here in one FIFO instead, requests
//! are served in the order they came and the workers stay free to take them (p99 1.3–1.4
//! times the median; BENCHMARKS.md).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, mpsc};

use fieldwork_store::{StoreError, StoreResult};
use parking_lot::Mutex;
use rusqlite::Connection;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&Connection) + Send>;

/// The queue and its threads; the threads end when the pool is dropped.
pub(crate) struct ReadPool {
    jobs: mpsc::Sender<Job>,
}

impl ReadPool {
    /// Starts `threads` threads, each with a connection made by `open`.
    pub(crate) fn start(
        threads: usize,
        open: impl Fn() -> StoreResult<Connection>,
    ) -> StoreResult<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let conn = open()?;
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("sqlite-read-{i}"))
                .spawn(move || {
                    // The lock is held only while waiting for the next job, so the threads take
                    // jobs in the order they were queued.
                    while let Ok(job) = { rx.lock().recv() } {
                        // A job that panics loses its answer (its caller gets an error), not
                        // the thread.
                        let _ = catch_unwind(AssertUnwindSafe(|| job(&conn)));
                    }
                })
                .map_err(StoreError::other)?;
        }
        Ok(Self { jobs: tx })
    }

    /// Runs `f` on one of the pool's connections when its turn comes.
    pub(crate) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |c| {
            // The caller may have gone (its client hung up); the answer is then dropped.
            let _ = tx.send(f(c));
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Unavailable("the SQLite read threads have stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::other(std::io::Error::other("a read failed unexpectedly")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> ReadPool {
        ReadPool::start(threads, || {
            Connection::open_in_memory().map_err(crate::error::map_err)
        })
        .unwrap()
    }

    /// The number `sql` selects, read through the pool.
    async fn number(p: &ReadPool, sql: &'static str) -> StoreResult<i64> {
        p.run(move |c| {
            c.query_row(sql, [], |r| r.get(0))
                .map_err(crate::error::map_err)
        })
        .await
    }

    #[tokio::test]
    async fn a_read_answers_from_a_connection_of_the_pool() {
        assert_eq!(number(&pool(2), "select 40 + 2").await.unwrap(), 42);
    }

    #[tokio::test]
    async fn reads_are_served_in_the_order_they_came() {
        let p = Arc::new(pool(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        // Hold the only thread until every read below is queued.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let first = {
            let p = p.clone();
            tokio::spawn(async move {
                p.run(move |_| {
                    held.recv().unwrap();
                    Ok(())
                })
                .await
            })
        };
        let mut queued = Vec::new();
        for i in 0..20 {
            let (p, order) = (p.clone(), order.clone());
            queued.push(tokio::spawn(async move {
                p.run(move |_| {
                    order.lock().push(i);
                    Ok(())
                })
                .await
            }));
            // Each read is in the queue before the next is sent.
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        first.await.unwrap().unwrap();
        for q in queued {
            q.await.unwrap().unwrap();
        }
        assert_eq!(*order.lock(), (0..20).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_read_that_panics_fails_alone() {
        let p = pool(1);
        let failed = p.run(|_| -> StoreResult<()> { panic!("a bug") }).await;
        assert!(matches!(failed, Err(StoreError::Other(_))), "{failed:?}");
        assert_eq!(number(&p, "select 7").await.unwrap(), 7);
    }
}
