//! Per-key request windows kept in the database, so that every server on it enforces one limit.
//!
//! Only stores that several servers can share implement [`SharedRateWindows`] (PostgreSQL);
//! a SQLite database has one server process, whose in-memory window is already the only one.

use async_trait::async_trait;

use crate::{KeyAuth, StoreResult};

/// What a shared window enforces: at most `limit` requests per key in any `window_secs` whole
/// seconds of the database clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowRule {
    /// Requests per window when the key's company has no limit of its own.
    pub default_limit: u32,
    /// Window length in seconds.
    pub window_secs: u32,
}

/// A key's shared window right after one request was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowCount {
    /// The limit applied (the company's own, or the rule's default).
    pub limit: u32,
    /// Whether the request was admitted (and counted).
    pub admitted: bool,
    /// Requests counted in the window, this one included if admitted.
    pub counted: u32,
    /// Whole seconds until the oldest counted second leaves the window (so one more request
    /// passes); 0 when nothing is counted.
    pub reset_secs: u64,
    /// The second (unix, database clock) the request was counted in; names the count for
    /// [`SharedRateWindows::uncount`].
    pub sec: i64,
}

/// The request windows of every API key, shared by all servers on one database.
#[async_trait]
pub trait SharedRateWindows: Send + Sync + 'static {
    /// Looks up an active key by hash, as `Store::authenticate` does, and when its company is
    /// on `max` decides the request in the key's window in the same round trip: admitted (and
    /// counted) only if fewer than the limit were counted in the last `rule.window_secs`
    /// seconds. Decisions on one key are serialized, so concurrent servers never admit more.
    async fn authenticate_and_count(
        &self,
        key_hash: &str,
        rule: WindowRule,
    ) -> StoreResult<Option<(KeyAuth, Option<WindowCount>)>>;

    /// Takes back an admitted request's count (it was refused for another reason after all).
    async fn uncount(&self, key_id: &str, sec: i64) -> StoreResult<()>;

    /// Forgets keys with no request in the last `idle_secs` seconds; returns how many.
    async fn prune_rate_windows(&self, idle_secs: u64) -> StoreResult<u64>;
}
