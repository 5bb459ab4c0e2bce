//! Console users and API keys (stored as SHA-256 hashes only).

use std::collections::HashMap;

use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::time::now_micros;
use fieldwork_store::{
    ApiKeyRecord, CompanyLimits, KeyAuth, Plan, StoreError, StoreResult, UserRecord,
};
use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::changes::Snapshot;
use crate::companies::limit_from_column;
use crate::db::Db;
use crate::error::{map_err, not_found};
use crate::sql::collect;

const KEY_COLS: &str = "id, company_id, name, prefix, created_at, last_used_at, revoked_at";

fn key_from_row(r: &Row<'_>) -> rusqlite::Result<ApiKeyRecord> {
    Ok(ApiKeyRecord {
        id: r.get(0)?,
        company_id: r.get(1)?,
        name: r.get(2)?,
        prefix: r.get(3)?,
        created_at: r.get(4)?,
        last_used_at: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: r.get(0)?,
        company_id: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        is_admin: r.get(4)?,
        created_at: r.get(5)?,
    })
}

pub(crate) async fn create_user(
    db: &Db,
    company_id: &str,
    email: &str,
    name: &str,
    is_admin: bool,
) -> StoreResult<UserRecord> {
    let (company_id, email, name) = (company_id.to_owned(), email.to_owned(), name.to_owned());
    db.write(move |c| {
        let id = new_id(prefix::USER);
        let now = now_micros();
        c.execute(
            "insert into users (id, company_id, email, name, is_admin, created_at, updated_at)
             values (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![id, company_id, email, name, is_admin, now],
        )
        .map_err(map_err)?;
        Ok(UserRecord {
            id,
            company_id,
            email,
            name,
            is_admin,
            created_at: now,
        })
    })
    .await
}

pub(crate) fn list_users(c: &Connection, company_id: &str) -> StoreResult<Vec<UserRecord>> {
    collect(
        c,
        "select id, company_id, email, name, is_admin, created_at from users
         where company_id = ?1 order by created_at",
        [company_id],
        user_from_row,
    )
}

pub(crate) async fn create(
    db: &Db,
    company_id: &str,
    name: &str,
    key_hash: &str,
    key_prefix: &str,
) -> StoreResult<ApiKeyRecord> {
    let (company_id, name) = (company_id.to_owned(), name.to_owned());
    let (key_hash, key_prefix) = (key_hash.to_owned(), key_prefix.to_owned());
    db.write(move |c| {
        let exists: bool = c
            .query_row(
                "select count(*) from companies where id = ?1",
                [&company_id],
                |r| r.get(0),
            )
            .map_err(map_err)?;
        if !exists {
            return Err(StoreError::NotFound("company"));
        }
        let id = new_id(prefix::API_KEY);
        let now = now_micros();
        c.execute(
            "insert into api_keys (id, company_id, name, key_hash, prefix, created_at, updated_at)
             values (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![id, company_id, name, key_hash, key_prefix, now],
        )
        .map_err(map_err)?;
        Ok(ApiKeyRecord {
            id,
            company_id,
            name,
            prefix: key_prefix,
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        })
    })
    .await
}

pub(crate) fn list(c: &Connection, company_id: &str) -> StoreResult<Vec<ApiKeyRecord>> {
    collect(
        c,
        &format!("select {KEY_COLS} from api_keys where company_id = ?1 order by created_at"),
        [company_id],
        key_from_row,
    )
}

pub(crate) async fn revoke(db: &Db, key_id: &str) -> StoreResult<ApiKeyRecord> {
    let key_id = key_id.to_owned();
    db.write(move |c| {
        let now = now_micros();
        c.execute(
            "update api_keys set revoked_at = coalesce(revoked_at, ?1), updated_at = ?1
             where id = ?2",
            params![now, key_id],
        )
        .map_err(map_err)?;
        c.query_row(
            &format!("select {KEY_COLS} from api_keys where id = ?1"),
            [&key_id],
            key_from_row,
        )
        .map_err(not_found("api key"))
    })
    .await
}

/// Successful key lookups, each with the `auth_epoch` value it was made under.
///
/// `auth_epoch` is bumped by triggers whenever a key is revoked or deleted or a company's plan
/// changes, in the changing transaction and by whichever process commits it (the CLI included).
/// A lookup checks the current epoch first (one read of a one-row table instead of the key and
/// company lookups) and uses a cached entry only if it was made under that same epoch, so a
/// revoked key is refused from the first request after the revocation's commit. Failed
/// lookups are not cached.
///
/// Each entry also keeps the WAL-index header read just before its epoch was last confirmed
/// ([`crate::changes`]): while the header still reads the same, nothing has been committed
/// since, so the entry holds without reading the epoch ([`AuthCache::unchanged`]).
#[derive(Default)]
pub(crate) struct AuthCache {
    entries: Mutex<HashMap<String, CachedKey>>,
}

struct CachedKey {
    epoch: i64,
    confirmed_at: Option<Snapshot>,
    auth: KeyAuth,
}

impl AuthCache {
    /// The cached lookup of a key, if no commit came since it was last confirmed (`now`: the
    /// WAL-index header now).
    pub(crate) fn unchanged(&self, key_hash: &str, now: Option<Snapshot>) -> Option<KeyAuth> {
        let now = now?;
        let entries = self.entries.lock();
        let entry = entries.get(key_hash)?;
        (entry.confirmed_at == Some(now)).then(|| entry.auth.clone())
    }
}

/// Most cached keys; past that the cache starts over (keys are few; this bounds a flood of
/// distinct valid keys).
const MAX_CACHED_KEYS: usize = 4096;

/// Looks up a key under the current `auth_epoch`; `seen` is the WAL-index header read before
/// this read transaction began, recorded with the entry it confirms.
pub(crate) fn authenticate(
    c: &Connection,
    cache: &AuthCache,
    key_hash: &str,
    seen: Option<Snapshot>,
) -> StoreResult<Option<KeyAuth>> {
    let epoch: i64 = c
        .prepare_cached("select n from auth_epoch where id = 1")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(map_err)?;
    if let Some(entry) = cache.entries.lock().get_mut(key_hash)
        && entry.epoch == epoch
    {
        entry.confirmed_at = seen;
        return Ok(Some(entry.auth.clone()));
    }
    let found = c
        .prepare_cached(
            "select k.id, k.name, k.company_id, co.plan, (select n from auth_epoch where id = 1),
                    co.rate_limit_per_minute, co.max_concurrent_requests
             from api_keys k
             join companies co on co.id = k.company_id
             where k.key_hash = ?1 and k.revoked_at is null",
        )
        .and_then(|mut s| {
            s.query_row([key_hash], |r| {
                let plan: String = r.get(3)?;
                let auth = KeyAuth {
                    key_id: r.get(0)?,
                    key_name: r.get(1)?,
                    company_id: r.get(2)?,
                    plan: plan.parse().unwrap_or(Plan::Basic),
                    limits: CompanyLimits {
                        per_minute: limit_from_column(r.get(5)?),
                        concurrency: limit_from_column(r.get(6)?),
                    },
                };
                Ok((r.get::<_, i64>(4)?, auth))
            })
            .optional()
        })
        .map_err(map_err)?;
    Ok(found.map(|(epoch, auth)| {
        let mut entries = cache.entries.lock();
        if entries.len() >= MAX_CACHED_KEYS {
            entries.clear();
        }
        let entry = CachedKey {
            epoch,
            confirmed_at: seen,
            auth: auth.clone(),
        };
        entries.insert(key_hash.to_owned(), entry);
        auth
    }))
}

pub(crate) async fn record_usage(db: &Db, uses: Vec<(String, i64)>) -> StoreResult<()> {
    if uses.is_empty() {
        return Ok(());
    }
    db.write(move |c| {
        let mut stmt = c
            .prepare_cached(
                "update api_keys set last_used_at = max(coalesce(last_used_at, 0), ?1)
                 where id = ?2",
            )
            .map_err(map_err)?;
        for (id, at) in uses {
            stmt.execute(params![at, id]).map_err(map_err)?;
        }
        Ok(())
    })
    .await
}
