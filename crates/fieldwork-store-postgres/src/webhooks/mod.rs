//! Webhook endpoints: the company's receivers, their secrets, filters and health.

pub(crate) mod delivery;
pub(crate) mod fanout;
pub(crate) mod outbox;
pub(crate) mod retention;

use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{ENDPOINT_PREFIX, Endpoint, EndpointPatch, NewEndpoint};
use fieldwork_store::{StoreError, StoreResult};
use tokio_postgres::Row;

use crate::db::{Db, transaction};
use crate::error::found;

const COLS: &str = "id, company_id, url, description, event_types, enabled, disabled_reason,
    is_primary, secret, previous_secret, previous_secret_expires_at, failing_since, created_at,
    updated_at";

fn from_row(r: &Row) -> Endpoint {
    Endpoint {
        id: r.get(0),
        company_id: r.get(1),
        url: r.get(2),
        description: r.get(3),
        event_types: r.get(4),
        enabled: r.get(5),
        disabled_reason: r.get(6),
        is_primary: r.get(7),
        secret: r.get(8),
        previous_secret: r.get(9),
        previous_secret_expires_at: r.get(10),
        failing_since: r.get(11),
        created_at: r.get(12),
        updated_at: r.get(13),
    }
}

pub(crate) async fn get(db: &Db, company_id: &str, id: &str) -> StoreResult<Endpoint> {
    let row = db
        .query_opt(
            &format!("select {COLS} from webhook_endpoints where id = $1 and company_id = $2"),
            &[&id, &company_id],
        )
        .await?;
    found(row.as_ref().map(from_row), "webhook endpoint")
}

pub(crate) async fn list(db: &Db, company_id: &str) -> StoreResult<Vec<Endpoint>> {
    let rows = db
        .query(
            &format!(
                "select {COLS} from webhook_endpoints where company_id = $1
                 order by created_at, seq"
            ),
            &[&company_id],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

pub(crate) async fn create(db: &Db, company_id: &str, new: NewEndpoint) -> StoreResult<Endpoint> {
    let id = new_id(ENDPOINT_PREFIX);
    let now = now_micros();
    let row = db
        .query_opt(
            &format!(
                "insert into webhook_endpoints (id, company_id, url, description, event_types,
                    enabled, is_primary, secret, created_at, updated_at)
                 values ($1, $2, $3, $4, $5, true, $6, $7, $8, $8)
                 returning {COLS}"
            ),
            &[
                &id,
                &company_id,
                &new.url,
                &new.description,
                &new.event_types,
                &new.is_primary,
                &new.secret,
                &now,
            ],
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Conflict {
                constraint: "primary".into(),
            },
            other => other,
        })?;
    found(row.as_ref().map(from_row), "webhook endpoint")
}

pub(crate) async fn update(
    db: &Db,
    company_id: &str,
    id: &str,
    patch: EndpointPatch,
) -> StoreResult<Endpoint> {
    // `enabled` going from false to true clears the reason and the failure run; going to
    // false records that the API did it.
    let row = db
        .query_opt(
            &format!(
                "update webhook_endpoints set
                    url = coalesce($3, url),
                    description = coalesce($4, description),
                    event_types = coalesce($5, event_types),
                    disabled_reason = case
                        when $6::boolean is null or $6 = enabled then disabled_reason
                        when $6 then null
                        else 'disabled through the API' end,
                    failing_since = case when $6 and not enabled then null
                                         else failing_since end,
                    enabled = coalesce($6, enabled),
                    updated_at = $7
                 where id = $1 and company_id = $2
                 returning {COLS}"
            ),
            &[
                &id,
                &company_id,
                &patch.url,
                &patch.description,
                &patch.event_types,
                &patch.enabled,
                &now_micros(),
            ],
        )
        .await?;
    found(row.as_ref().map(from_row), "webhook endpoint")
}

pub(crate) async fn delete(db: &Db, company_id: &str, id: &str) -> StoreResult<()> {
    transaction!(db, |tx| async {
        let n = crate::db::execute(
            &tx,
            "delete from webhook_endpoints where id = $1 and company_id = $2",
            &[&id, &company_id],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound("webhook endpoint"));
        }
        // Deliveries go with it (`on delete cascade`); attempts have no key to cascade by.
        crate::db::execute(
            &tx,
            "delete from webhook_attempts where endpoint_id = $1",
            &[&id],
        )
        .await?;
        Ok(())
    }
    .await)
}

pub(crate) async fn rotate(
    db: &Db,
    company_id: &str,
    id: &str,
    secret: &str,
    previous_expires_at: Option<i64>,
) -> StoreResult<Endpoint> {
    let row = db
        .query_opt(
            &format!(
                "update webhook_endpoints set
                    previous_secret = case when $4::bigint is null then null else secret end,
                    previous_secret_expires_at = $4, secret = $3, updated_at = $5
                 where id = $1 and company_id = $2
                 returning {COLS}"
            ),
            &[
                &id,
                &company_id,
                &secret,
                &previous_expires_at,
                &now_micros(),
            ],
        )
        .await?;
    found(row.as_ref().map(from_row), "webhook endpoint")
}
