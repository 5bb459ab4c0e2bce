//! The delivery queue: claims with a lease (through the single writer, which serialises them)
//! and the recording of attempts with their effect on deliveries and endpoints.

use fieldwork_store::webhooks::{
    Attempt, AttemptResult, ClaimRequest, ClaimedDelivery, CompletionRules, DeliveryOutcome,
    HealthChange, RESENT_LEASE_SLACK_MICROS, health_changes,
};
use fieldwork_store::{ListParams, Page, StoreResult};
use rusqlite::types::ToSql;
use rusqlite::{Connection, Row, params};
use serde_json::{Value, json};

use crate::error::map_err;
use crate::sql::{collect, count, limit_offset, to_json};

/// The enabled endpoints of `max`-plan companies that have pending deliveries, found by
/// hopping from one endpoint id to the next in the per-endpoint index (a seek each), so looking
/// costs nothing for the endpoints with nothing queued, however many there are.
const QUEUED_ENDPOINTS: &str = "with recursive queued (id) as (
        select min(endpoint_id) from webhook_deliveries where state = 'pending'
        union all
        select (select min(d.endpoint_id) from webhook_deliveries d
                where d.state = 'pending' and d.endpoint_id > queued.id)
        from queued where queued.id is not null
     )
     select e.id from queued
     join webhook_endpoints e on e.id = queued.id
     join companies co on co.id = e.company_id
     where e.enabled = 1 and co.plan = 'max'";

/// An endpoint's deliveries due and not leased at `?2`, oldest first, at most `?3`: a range of
/// the per-endpoint index, read from the index alone. A claim moves a leased delivery's due
/// time to its lease's end, so the deliveries a worker holds are behind this range.
const DUE_OF_ENDPOINT: &str = "select next_attempt_at, rowid
     from webhook_deliveries indexed by webhook_deliveries_endpoint_due
     where endpoint_id = ?1 and state = 'pending' and next_attempt_at <= ?2
       and (lease_until is null or lease_until <= ?2)
     order by next_attempt_at limit ?3";

/// Whether any fan-out, or delivery of an enabled endpoint of a `max` company, is due and not
/// leased at `now` (what [`claim`] would look for, without the per-endpoint limits).
pub(crate) fn any_due(c: &Connection, now: i64) -> StoreResult<bool> {
    if super::fanout::any_due(c, now)? {
        return Ok(true);
    }
    let endpoints: Vec<String> = collect(c, QUEUED_ENDPOINTS, [], |r| r.get(0))?;
    let mut due = c.prepare_cached(DUE_OF_ENDPOINT).map_err(map_err)?;
    for endpoint in endpoints {
        if due.exists(params![endpoint, now, 1]).map_err(map_err)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Claims due deliveries of enabled endpoints of `max`-plan companies, at most the allowed
/// number per endpoint, oldest due first, and leases them.
///
/// Each endpoint with queued deliveries and free slots gives its first due deliveries from the
/// per-endpoint index (a seek and as many rows as it may send), at most an even share of the
/// claim's limit: ranking every due delivery of every endpoint made a claim cost as much as the
/// whole backlog, and letting each endpoint give all its free slots read 6,400 rows for a claim
/// of 512 with 100 endpoints (BENCHMARKS.md).
pub(crate) fn claim(c: &Connection, req: &ClaimRequest) -> StoreResult<Vec<ClaimedDelivery>> {
    // Fan-outs first, at most three quarters of the claim while rows are due too (retries are
    // not starved by a stream of new events).
    let mut claimed = super::fanout::claim(c, req, req.fanout_limit())?;
    if let Some(rows_req) = req.for_rows(&claimed) {
        claimed.extend(claim_rows(c, &rows_req)?);
    }
    Ok(claimed)
}

/// Claims due delivery rows (see [`claim`]).
fn claim_rows(c: &Connection, req: &ClaimRequest) -> StoreResult<Vec<ClaimedDelivery>> {
    let endpoints: Vec<String> = collect(c, QUEUED_ENDPOINTS, [], |r| r.get(0))?;
    if endpoints.is_empty() {
        return Ok(Vec::new());
    }
    let share = req.limit.div_ceil(endpoints.len() as u32);
    let mut due: Vec<(i64, i64)> = Vec::new();
    let mut stmt = c.prepare_cached(DUE_OF_ENDPOINT).map_err(map_err)?;
    for endpoint in endpoints {
        let free = req
            .available
            .get(&endpoint)
            .copied()
            .unwrap_or(req.per_endpoint)
            .min(share);
        if free == 0 {
            continue;
        }
        let rows = stmt
            .query_map(params![endpoint, req.now, free], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(map_err)?;
        for row in rows {
            due.push(row.map_err(map_err)?);
        }
    }
    due.sort_unstable();
    due.truncate(req.limit as usize);
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let rowids = to_json(&due.iter().map(|d| d.1).collect::<Vec<_>>());
    // A leased delivery falls due again when its lease ends: it moves behind the due ones in
    // the per-endpoint index, so the next claim does not walk past the deliveries this worker
    // still holds (with claiming ahead, up to 64 per endpoint), and a crashed worker's
    // deliveries come back by themselves.
    let lease_until = req.now + req.lease_micros;
    c.prepare_cached(
        "update webhook_deliveries set lease_until = ?2, next_attempt_at = ?2, updated_at = ?3
         where rowid in (select value from json_each(?1))",
    )
    .and_then(|mut s| s.execute(params![rowids, lease_until, req.now]))
    .map_err(map_err)?;
    collect(
        c,
        "select d.id, d.company_id, d.endpoint_id, d.message_id, m.event_type, m.payload, e.url,
            e.secret, case when e.previous_secret_expires_at > ?2 then e.previous_secret end,
            d.attempts
         from json_each(?1) j
         join webhook_deliveries d on d.rowid = j.value
         join webhook_messages m on m.id = d.message_id
         join webhook_endpoints e on e.id = d.endpoint_id
         order by j.key",
        params![rowids, req.now],
        |r| {
            Ok(ClaimedDelivery {
                id: r.get(0)?,
                company_id: r.get(1)?,
                endpoint_id: r.get(2)?,
                message_id: r.get(3)?,
                event_type: r.get(4)?,
                payload: r.get(5)?,
                url: r.get(6)?,
                secret: r.get(7)?,
                previous_secret: r.get(8)?,
                attempts: r.get(9)?,
                lease_until,
                fanout: false,
            })
        },
    )
}

/// Records a batch of attempts with one statement for the attempt rows, one for the delivery
/// states and one per endpoint run of outcomes (see [`health_changes`]): the single writer is
/// shared with the API, so the worker's share of it must stay small.
pub(crate) fn complete(
    c: &Connection,
    results: &[AttemptResult],
    rules: CompletionRules,
) -> StoreResult<()> {
    // Held fan-out deliveries were not attempted: no attempt row.
    let attempts: Vec<_> = results
        .iter()
        .filter(|r| r.outcome != DeliveryOutcome::Held)
        .map(|r| {
            let a = &r.attempt;
            json!([
                a.id,
                r.company_id,
                a.endpoint_id,
                a.message_id,
                r.delivery_id,
                a.response_status_code,
                a.duration_ms,
                a.response_body,
                a.error,
                a.next_retry_at,
                a.created_at
            ])
        })
        .collect();
    c.prepare_cached(
        "insert into webhook_attempts (id, company_id, endpoint_id, message_id, delivery_id,
            response_status_code, duration_ms, response_body, error, next_retry_at, created_at)
         select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
            value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10
         from json_each(?1)
         -- An endpoint deleted during the send: its attempt would fail the foreign key, and
         -- with it the batch at every retry.
         where exists (select 1 from webhook_endpoints e where e.id = value ->> 2)",
    )
    .and_then(|mut s| s.execute([Value::Array(attempts).to_string()]))
    .map_err(map_err)?;
    let (fanned, rows): (Vec<&AttemptResult>, Vec<&AttemptResult>) =
        results.iter().partition(|r| r.fanout);
    if !fanned.is_empty() {
        super::fanout::complete(c, &fanned, fieldwork_store::time::now_micros())?;
    }
    let deliveries: Vec<_> = rows
        .iter()
        .map(|r| {
            let (new_state, next) = r.outcome.new_state();
            json!([
                r.delivery_id,
                new_state,
                next,
                r.attempt.created_at,
                r.lease_until
            ])
        })
        .collect();
    // A lease moved on by a few microseconds means a resend or recover came during the attempt
    // (each moves it by one, `outbox::resend`; at most `RESENT_LEASE_SLACK_MICROS`): the delivery
    // stays pending, with the attempts it was reset to, and is due at once. Any other lease is
    // another claim's (this one ran out): that delivery is left to it. (Every `set` expression sees
    // the row as it was.)
    c.prepare_cached(
        "update webhook_deliveries set
            state = case when lease_until = j.lease then j.state else 'pending' end,
            attempts = case when lease_until = j.lease then attempts + 1 else attempts end,
            next_attempt_at = case when lease_until = j.lease
                                   then coalesce(j.next, next_attempt_at) else j.at end,
            lease_until = null, updated_at = j.at
         from (select value ->> 0 as id, value ->> 1 as state, value ->> 2 as next,
                  value ->> 3 as at, value ->> 4 as lease
               from json_each(?1)) as j
         where webhook_deliveries.id = j.id
           and webhook_deliveries.lease_until between j.lease and j.lease + ?2",
    )
    .and_then(|mut s| {
        s.execute(params![
            Value::Array(deliveries).to_string(),
            RESENT_LEASE_SLACK_MICROS
        ])
    })
    .map_err(map_err)?;
    for change in health_changes(results) {
        health(c, &change, rules)?;
    }
    Ok(())
}

/// Applies one endpoint health change.
fn health(c: &Connection, change: &HealthChange, rules: CompletionRules) -> StoreResult<()> {
    let (sql, args): (&str, Vec<&dyn ToSql>) = match change {
        HealthChange::Recovered { endpoint_id } => (
            "update webhook_endpoints set failing_since = null
             where id = ?1 and failing_since is not null",
            vec![endpoint_id],
        ),
        HealthChange::Gone { endpoint_id, at } => (
            "update webhook_endpoints set enabled = 0, updated_at = ?2,
                disabled_reason = 'disabled automatically: the endpoint answered 410 Gone'
             where id = ?1 and enabled = 1",
            vec![endpoint_id, at],
        ),
        // SQLite evaluates every `set` expression on the old row, so each sees the failure
        // run as it was before these attempts.
        HealthChange::Failed {
            endpoint_id,
            first,
            last,
        } => (
            "update webhook_endpoints set
                failing_since = coalesce(failing_since, ?2),
                enabled = case when coalesce(failing_since, ?2) <= ?3 - ?4 then 0
                               else enabled end,
                disabled_reason = case
                    when enabled = 1 and coalesce(failing_since, ?2) <= ?3 - ?4
                    then 'disabled automatically: every delivery has failed for more than '
                         || (?4 / 1000000) || ' s'
                    else disabled_reason end
             where id = ?1",
            vec![endpoint_id, first, last, &rules.disable_after_micros],
        ),
    };
    c.prepare_cached(sql)
        .and_then(|mut s| s.execute(&args[..]))
        .map_err(map_err)?;
    Ok(())
}

fn attempt_from_row(r: &Row<'_>) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        id: r.get(0)?,
        endpoint_id: r.get(1)?,
        message_id: r.get(2)?,
        created_at: r.get(3)?,
        response_status_code: r.get(4)?,
        duration_ms: r.get(5)?,
        response_body: r.get(6)?,
        error: r.get(7)?,
        next_retry_at: r.get(8)?,
    })
}

pub(crate) fn attempts(
    c: &Connection,
    company_id: &str,
    endpoint_id: &str,
    list: &ListParams,
) -> StoreResult<Page<Attempt>> {
    super::get(c, company_id, endpoint_id)?;
    let total = count(
        c,
        "select count(*) from webhook_attempts where company_id = ?1 and endpoint_id = ?2",
        params![company_id, endpoint_id],
    )?;
    let (limit, offset) = limit_offset(list);
    let items = collect(
        c,
        "select id, endpoint_id, message_id, created_at, response_status_code, duration_ms,
            response_body, error, next_retry_at
         from webhook_attempts where company_id = ?1 and endpoint_id = ?2
         order by created_at desc, rowid desc limit ?3 offset ?4",
        params![company_id, endpoint_id, limit, offset],
        attempt_from_row,
    )?;
    Ok(Page { items, total })
}

#[cfg(test)]
mod tests {
    use crate::SqliteStore;

    /// A claim's per-endpoint read is a range of one index, without a table row per candidate
    /// (the lease is in the index), and the leased deliveries are outside that range.
    #[test]
    fn an_endpoints_due_deliveries_are_read_from_the_index_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fw.db");
        drop(SqliteStore::open(path.to_str().unwrap(), true).unwrap());
        let c = rusqlite::Connection::open(&path).unwrap();
        let plan: Vec<String> = c
            .prepare(&format!("explain query plan {}", super::DUE_OF_ENDPOINT))
            .unwrap()
            .query_map(rusqlite::params!["wh_1", 0, 1], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            plan,
            [
                "SEARCH webhook_deliveries USING COVERING INDEX webhook_deliveries_endpoint_due \
              (endpoint_id=? AND next_attempt_at<?)"
            ],
        );
    }
}
