//! Console users and API keys (stored as SHA-256 hashes only).

use std::collections::HashMap;

use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::time::now_micros;
use fieldwork_store::{ApiKeyRecord, CompanyLimits, KeyAuth, Plan, StoreResult, UserRecord};
use tokio_postgres::Row;

use crate::companies::limit_from_column;
use crate::db::Db;
use crate::error::found;

const KEY_COLS: &str = "id, company_id, name, prefix, created_at, last_used_at, revoked_at";

fn key_from_row(r: &Row) -> ApiKeyRecord {
    ApiKeyRecord {
        id: r.get(0),
        company_id: r.get(1),
        name: r.get(2),
        prefix: r.get(3),
        created_at: r.get(4),
        last_used_at: r.get(5),
        revoked_at: r.get(6),
    }
}

pub(crate) async fn create_user(
    db: &Db,
    company_id: &str,
    email: &str,
    name: &str,
    is_admin: bool,
) -> StoreResult<UserRecord> {
    let id = new_id(prefix::USER);
    let now = now_micros();
    db.execute(
        "insert into users (id, company_id, email, name, is_admin, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6)",
        &[&id, &company_id, &email, &name, &is_admin, &now],
    )
    .await?;
    Ok(UserRecord {
        id,
        company_id: company_id.to_owned(),
        email: email.to_owned(),
        name: name.to_owned(),
        is_admin,
        created_at: now,
    })
}

pub(crate) async fn list_users(db: &Db, company_id: &str) -> StoreResult<Vec<UserRecord>> {
    let rows = db
        .query(
            "select id, company_id, email, name, is_admin, created_at from users
             where company_id = $1 order by created_at, seq",
            &[&company_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| UserRecord {
            id: r.get(0),
            company_id: r.get(1),
            email: r.get(2),
            name: r.get(3),
            is_admin: r.get(4),
            created_at: r.get(5),
        })
        .collect())
}

/// Stores a key of an existing company (`NotFound("company")` otherwise).
pub(crate) async fn create(
    db: &Db,
    company_id: &str,
    name: &str,
    key_hash: &str,
    key_prefix: &str,
) -> StoreResult<ApiKeyRecord> {
    let id = new_id(prefix::API_KEY);
    let row = db
        .query_opt(
            &format!(
                "insert into api_keys (id, company_id, name, key_hash, prefix, created_at,
                                       updated_at)
                 select $1, co.id, $3, $4, $5, $6, $6 from companies co where co.id = $2
                 returning {KEY_COLS}"
            ),
            &[
                &id,
                &company_id,
                &name,
                &key_hash,
                &key_prefix,
                &now_micros(),
            ],
        )
        .await?;
    found(row.as_ref().map(key_from_row), "company")
}

pub(crate) async fn list(db: &Db, company_id: &str) -> StoreResult<Vec<ApiKeyRecord>> {
    let rows = db
        .query(
            &format!(
                "select {KEY_COLS} from api_keys where company_id = $1 order by created_at, seq"
            ),
            &[&company_id],
        )
        .await?;
    Ok(rows.iter().map(key_from_row).collect())
}

pub(crate) async fn revoke(db: &Db, key_id: &str) -> StoreResult<ApiKeyRecord> {
    let row = db
        .query_opt(
            &format!(
                "update api_keys set revoked_at = coalesce(revoked_at, $1), updated_at = $1
                 where id = $2 returning {KEY_COLS}"
            ),
            &[&now_micros(), &key_id],
        )
        .await?;
    found(row.as_ref().map(key_from_row), "api key")
}

/// The active key whose hash is `$1`, with its company's plan and limits (see [`auth_from_row`]).
pub(crate) const AUTH_QUERY: &str = "select k.id, k.name, k.company_id, co.plan,
        co.rate_limit_per_minute, co.max_concurrent_requests
    from api_keys k
    join companies co on co.id = k.company_id
    where k.key_hash = $1 and k.revoked_at is null";

/// A row whose first six columns are those of [`AUTH_QUERY`].
pub(crate) fn auth_from_row(r: &Row) -> KeyAuth {
    KeyAuth {
        key_id: r.get(0),
        key_name: r.get(1),
        company_id: r.get(2),
        plan: r.get::<_, &str>(3).parse().unwrap_or(Plan::Basic),
        limits: CompanyLimits {
            per_minute: limit_from_column(r.get(4)),
            concurrency: limit_from_column(r.get(5)),
        },
    }
}

pub(crate) async fn authenticate(db: &Db, key_hash: &str) -> StoreResult<Option<KeyAuth>> {
    let row = db.query_opt(AUTH_QUERY, &[&key_hash]).await?;
    Ok(row.as_ref().map(auth_from_row))
}

/// Records last-used times: each key keeps the latest time it was seen.
pub(crate) async fn record_usage(db: &Db, uses: Vec<(String, i64)>) -> StoreResult<()> {
    if uses.is_empty() {
        return Ok(());
    }
    let mut latest: HashMap<String, i64> = HashMap::new();
    for (id, at) in uses {
        let t = latest.entry(id).or_insert(at);
        *t = (*t).max(at);
    }
    let (ids, ats): (Vec<String>, Vec<i64>) = latest.into_iter().unzip();
    db.execute(
        "update api_keys k set last_used_at = greatest(coalesce(k.last_used_at, 0), u.at)
         from unnest($1::text[], $2::bigint[]) as u (id, at)
         where k.id = u.id",
        &[&ids, &ats],
    )
    .await?;
    Ok(())
}
