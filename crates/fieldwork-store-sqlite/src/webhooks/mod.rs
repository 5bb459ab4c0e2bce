//! Webhook endpoints: the company's receivers, their secrets, filters and health.

pub(crate) mod delivery;
mod fanout;
pub(crate) mod outbox;
pub(crate) mod retention;

use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{ENDPOINT_PREFIX, Endpoint, EndpointPatch, NewEndpoint};
use fieldwork_store::{StoreError, StoreResult};
use rusqlite::{Connection, Row, params};

use crate::error::{map_err, not_found};
use crate::sql::{collect, from_json, to_json};

const COLS: &str = "id, company_id, url, description, event_types, enabled, disabled_reason,
    is_primary, secret, previous_secret, previous_secret_expires_at, failing_since, created_at,
    updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Endpoint> {
    let types: String = r.get(4)?;
    Ok(Endpoint {
        id: r.get(0)?,
        company_id: r.get(1)?,
        url: r.get(2)?,
        description: r.get(3)?,
        event_types: from_json(&types),
        enabled: r.get(5)?,
        disabled_reason: r.get(6)?,
        is_primary: r.get(7)?,
        secret: r.get(8)?,
        previous_secret: r.get(9)?,
        previous_secret_expires_at: r.get(10)?,
        failing_since: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

pub(crate) fn get(c: &Connection, company_id: &str, id: &str) -> StoreResult<Endpoint> {
    c.prepare_cached(&format!(
        "select {COLS} from webhook_endpoints where id = ?1 and company_id = ?2"
    ))
    .and_then(|mut s| s.query_row([id, company_id], from_row))
    .map_err(not_found("webhook endpoint"))
}

pub(crate) fn list(c: &Connection, company_id: &str) -> StoreResult<Vec<Endpoint>> {
    collect(
        c,
        &format!(
            "select {COLS} from webhook_endpoints where company_id = ?1 order by created_at, rowid"
        ),
        [company_id],
        from_row,
    )
}

pub(crate) fn create(c: &Connection, company_id: &str, new: NewEndpoint) -> StoreResult<Endpoint> {
    let id = new_id(ENDPOINT_PREFIX);
    let now = now_micros();
    c.prepare_cached(
        "insert into webhook_endpoints (id, company_id, url, description, event_types, enabled,
            is_primary, secret, created_at, updated_at)
         values (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?8)",
    )
    .and_then(|mut s| {
        s.execute(params![
            id,
            company_id,
            new.url,
            new.description,
            to_json(&new.event_types),
            new.is_primary,
            new.secret,
            now
        ])
    })
    .map_err(|e| match map_err(e) {
        StoreError::Conflict { .. } => StoreError::Conflict {
            constraint: "primary".into(),
        },
        other => other,
    })?;
    get(c, company_id, &id)
}

pub(crate) fn update(
    c: &Connection,
    company_id: &str,
    id: &str,
    patch: EndpointPatch,
) -> StoreResult<Endpoint> {
    let mut e = get(c, company_id, id)?;
    if let Some(url) = patch.url {
        e.url = url;
    }
    if let Some(d) = patch.description {
        e.description = d;
    }
    if let Some(t) = patch.event_types {
        e.event_types = t;
    }
    match patch.enabled {
        Some(true) if !e.enabled => {
            e.enabled = true;
            e.disabled_reason = None;
            e.failing_since = None;
        }
        Some(false) if e.enabled => {
            e.enabled = false;
            e.disabled_reason = Some("disabled through the API".into());
        }
        _ => {}
    }
    c.prepare_cached(
        "update webhook_endpoints set url = ?3, description = ?4, event_types = ?5, enabled = ?6,
            disabled_reason = ?7, failing_since = ?8, updated_at = ?9
         where id = ?1 and company_id = ?2",
    )
    .and_then(|mut s| {
        s.execute(params![
            id,
            company_id,
            e.url,
            e.description,
            to_json(&e.event_types),
            e.enabled,
            e.disabled_reason,
            e.failing_since,
            now_micros()
        ])
    })
    .map_err(map_err)?;
    get(c, company_id, id)
}

pub(crate) fn delete(c: &Connection, company_id: &str, id: &str) -> StoreResult<()> {
    get(c, company_id, id)?;
    for sql in [
        "delete from webhook_attempts where endpoint_id = ?1 and company_id = ?2",
        "delete from webhook_deliveries where endpoint_id = ?1 and company_id = ?2",
        "delete from webhook_endpoints where id = ?1 and company_id = ?2",
    ] {
        c.prepare_cached(sql)
            .and_then(|mut s| s.execute([id, company_id]))
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) fn rotate(
    c: &Connection,
    company_id: &str,
    id: &str,
    secret: &str,
    previous_expires_at: Option<i64>,
) -> StoreResult<Endpoint> {
    get(c, company_id, id)?;
    c.prepare_cached(
        "update webhook_endpoints set previous_secret = case when ?4 is null then null else secret end,
            previous_secret_expires_at = ?4, secret = ?3, updated_at = ?5
         where id = ?1 and company_id = ?2",
    )
    .and_then(|mut s| s.execute(params![id, company_id, secret, previous_expires_at, now_micros()]))
    .map_err(map_err)?;
    get(c, company_id, id)
}
