//! What one request has read of its database's change marker, shared by the store calls the
//! request makes.
//!
//! The SQLite store reads the header of its WAL index (a `pread`) to tell whether anything was
//! committed since a moment: once to trust a cached API key, once more for the read the
//! handler makes, which keeps its read transaction if nothing was. The second reading can be
//! the first: every commit after the request began overlaps the request, so answering from
//! the state at the earlier reading is as correct as from a later one. Not after a commit
//! this process made since ([`committed`]): the request may have made it or waited for it.
//! Nor for long: a reading is reused for [`FRESH`] at most, so a request that waits for
//! something another process writes sees it.

use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What a store reads to tell that its database changed (SQLite: the WAL-index header).
pub type ChangeMarker = [u32; 12];

/// How long a reading stays good for the rest of its request.
pub const FRESH: Duration = Duration::from_millis(1);

/// Commits made by this process so far.
static COMMITS: AtomicU64 = AtomicU64::new(0);

#[derive(Clone, Copy)]
struct Seen {
    /// Which database (a store's own token: one request could use two stores).
    source: usize,
    marker: ChangeMarker,
    /// [`COMMITS`] just before the reading.
    commits: u64,
    at: Instant,
}

tokio::task_local! {
    static SEEN: Cell<Option<Seen>>;
}

/// Runs `request` with a slot for its readings; store calls outside any scope read afresh.
pub fn scope<F: Future>(request: F) -> impl Future<Output = F::Output> {
    SEEN.scope(Cell::new(None), request)
}

/// Counts a commit of this process: readings taken before it are not reused. Call after the
/// commit and before anyone learns of it.
pub fn committed() {
    COMMITS.fetch_add(1, Ordering::AcqRel);
}

/// Drops this request's reading (if any): the next call of [`marker`] reads afresh. For a
/// store that has just answered from a state newer than that reading.
pub fn forget() {
    let _ = SEEN.try_with(|slot| slot.set(None));
}

/// The marker of the database `source`: this request's earlier reading if still good, else
/// `read()`, remembered for the rest of the request.
pub fn marker(source: usize, read: impl FnOnce() -> Option<ChangeMarker>) -> Option<ChangeMarker> {
    marker_within(FRESH, source, read)
}

/// [`marker`] with readings good for `fresh`.
fn marker_within(
    fresh: Duration,
    source: usize,
    read: impl FnOnce() -> Option<ChangeMarker>,
) -> Option<ChangeMarker> {
    let commits = COMMITS.load(Ordering::Acquire);
    let Ok(earlier) = SEEN.try_with(Cell::get) else {
        return read();
    };
    if let Some(seen) = earlier
        && seen.source == source
        && seen.commits == commits
        && seen.at.elapsed() < fresh
    {
        return Some(seen.marker);
    }
    let marker = read();
    let seen = marker.map(|marker| Seen {
        source,
        marker,
        commits,
        at: Instant::now(),
    });
    let _ = SEEN.try_with(|slot| slot.set(seen));
    marker
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that counts its calls and answers `value`.
    fn reading(calls: &Cell<u32>, value: u32) -> impl FnOnce() -> Option<ChangeMarker> + '_ {
        move || {
            calls.set(calls.get() + 1);
            Some([value; 12])
        }
    }

    #[tokio::test]
    async fn a_reading_is_reused_within_a_request_until_a_commit_or_it_gets_old() {
        // Long enough that a slow test machine never lets a reading get old by accident.
        let hour = Duration::from_secs(3600);
        let calls = Cell::new(0);
        // Outside a request: always read.
        assert_eq!(marker_within(hour, 1, reading(&calls, 1)), Some([1; 12]));
        assert_eq!(marker_within(hour, 1, reading(&calls, 2)), Some([2; 12]));
        assert_eq!(calls.get(), 2);

        scope(async {
            let m = |source, value| marker_within(hour, source, reading(&calls, value));
            assert_eq!(m(1, 3), Some([3; 12]));
            assert_eq!(m(1, 4), Some([3; 12]), "reused");
            assert_eq!(calls.get(), 3);
            // Another database is read for itself.
            assert_eq!(m(2, 5), Some([5; 12]));
            assert_eq!(calls.get(), 4);
            // After a commit of this process, read again.
            assert_eq!(m(2, 6), Some([5; 12]));
            committed();
            assert_eq!(m(2, 7), Some([7; 12]));
            assert_eq!(calls.get(), 5);
            // Once old, read again.
            tokio::time::sleep(Duration::from_millis(2)).await;
            let short = Duration::from_millis(1);
            assert_eq!(marker_within(short, 2, reading(&calls, 8)), Some([8; 12]));
            assert_eq!(calls.get(), 6);
            // A failed reading is not remembered.
            assert_eq!(marker_within(hour, 3, || None), None);
            assert_eq!(m(3, 9), Some([9; 12]));
        })
        .await;

        // Each request starts with nothing.
        scope(async {
            assert_eq!(marker_within(hour, 3, reading(&calls, 10)), Some([10; 12]));
        })
        .await;
    }
}
