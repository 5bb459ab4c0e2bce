//! Fan-outs: messages queued once (`webhook_fanouts`, see `outbox::emit`), leased by a worker
//! (through the writer, which serialises claims) and sent to every matching endpoint, with a
//! delivery row made only for what did not succeed at that first try. With many endpoints a
//! row's insert, lease and completion per delivery were most of the writer's work
//! (BENCHMARKS.md, issue 5). The same design as PostgreSQL's `webhooks/fanout.rs`.

use std::collections::HashMap;

use fieldwork_store::StoreResult;
use fieldwork_store::webhooks::{
    AttemptResult, ClaimRequest, ClaimedDelivery, DeliveryOutcome, HOLD_BUSY_AFTER_MICROS,
    fanout_delivery_id, outcomes_per_fanout,
};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use crate::error::map_err;
use crate::sql::{collect, to_json};

/// Messages looked at by one claim, at most (each endpoint takes at most `per_endpoint` of a
/// claim's messages anyway).
const MAX_MESSAGES: u32 = 512;

/// Queued messages a claim looks through at most for ones it may take (passing over those
/// whose endpoints are all busy): more would make every claim slow while one endpoint is busy
/// and many of its messages wait.
const SCAN_AT_MOST: u32 = 512;

/// Whether a queued fan-out of a `max`-plan company is due at `now`.
pub(crate) fn any_due(c: &Connection, now: i64) -> StoreResult<bool> {
    c.prepare_cached(
        "select 1 from webhook_fanouts f join companies co on co.id = f.company_id
         where f.due_at <= ?1 and co.plan = 'max' limit 1",
    )
    .and_then(|mut s| s.exists([now]))
    .map_err(map_err)
}

/// Claims queued messages, oldest first, and returns one delivery per enabled endpoint that
/// takes each (`fanout: true`, the message's lease). Messages are taken in order while each
/// endpoint with room (`available`, `per_endpoint`) still has room for them and the deliveries
/// stay within `limit` (the first message whatever its size); endpoints without any room do
/// not stop the claim (the worker holds their deliveries as rows), and a message whose
/// endpoints are all busy is not looked at until it has waited [`HOLD_BUSY_AFTER_MICROS`]
/// (then it is taken and held). A message no endpoint takes any more leaves the queue.
pub(crate) fn claim(
    c: &Connection,
    req: &ClaimRequest,
    limit: u32,
) -> StoreResult<Vec<ClaimedDelivery>> {
    // Endpoints with no room: a message all of whose endpoints are among them is passed over
    // until it has waited long enough to be held.
    let busy: Vec<&String> = req
        .available
        .iter()
        .filter(|(_, room)| **room == 0)
        .map(|(id, _)| id)
        .collect();
    let picked: Vec<(String, String, String)> = collect(
        c,
        "select f.message_id, f.company_id, f.event_type
         from (select q.* from webhook_fanouts q join companies co on co.id = q.company_id
               where q.due_at <= ?1 and co.plan = 'max'
               order by q.due_at, q.message_id limit ?5) f
         where (f.due_at <= ?3 or exists (
                 select 1 from webhook_endpoints e
                 where e.company_id = f.company_id and e.enabled = 1
                   and (e.event_types = '[]'
                        or exists (select 1 from json_each(e.event_types)
                                   where value = f.event_type))
                   and e.id not in (select value from json_each(?4))))
         order by f.due_at, f.message_id limit ?2",
        params![
            req.now,
            req.per_endpoint.clamp(1, MAX_MESSAGES),
            req.now - HOLD_BUSY_AFTER_MICROS,
            to_json(&busy),
            SCAN_AT_MOST
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let lease_until = req.now + req.lease_micros;
    let room = |endpoint: &str| {
        req.available
            .get(endpoint)
            .copied()
            .unwrap_or(req.per_endpoint)
            .min(req.per_endpoint)
    };
    let mut used: HashMap<String, u32> = HashMap::new();
    let mut claimed = Vec::new();
    let mut lease = c
        .prepare_cached(
            "update webhook_fanouts set lease_until = ?2, due_at = ?2, remaining = ?3
             where message_id = ?1",
        )
        .map_err(map_err)?;
    let mut drop = c
        .prepare_cached("delete from webhook_fanouts where message_id = ?1")
        .map_err(map_err)?;
    for (message_id, company_id, event_type) in picked {
        let targets: Vec<(String, String, String, Option<String>)> = collect(
            c,
            "select e.id, e.url, e.secret,
                case when e.previous_secret_expires_at > ?3 then e.previous_secret end
             from webhook_endpoints e
             where e.company_id = ?1 and e.enabled = 1
               and (e.event_types = '[]'
                    or exists (select 1 from json_each(e.event_types) where value = ?2))
             order by e.id",
            params![company_id, event_type, req.now],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        if targets.is_empty() {
            drop.execute([&message_id]).map_err(map_err)?;
            continue;
        }
        // (A message whose endpoints are all busy is here only once it has waited long enough:
        // taken, to be held.)
        if targets.iter().any(|t| room(&t.0) > 0) {
            let fits = targets.iter().all(|t| {
                let r = room(&t.0);
                r == 0 || used.get(&t.0).copied().unwrap_or(0) < r
            });
            let over = !claimed.is_empty() && claimed.len() + targets.len() > limit as usize;
            if !fits || over {
                break;
            }
        }
        lease
            .execute(params![message_id, lease_until, targets.len() as i64])
            .map_err(map_err)?;
        let payload: String = c
            .prepare_cached("select payload from webhook_messages where id = ?1")
            .and_then(|mut s| s.query_row([&message_id], |r| r.get(0)))
            .map_err(map_err)?;
        for (endpoint_id, url, secret, previous_secret) in targets {
            *used.entry(endpoint_id.clone()).or_default() += 1;
            claimed.push(ClaimedDelivery {
                id: fanout_delivery_id(&message_id, &endpoint_id),
                company_id: company_id.clone(),
                endpoint_id,
                message_id: message_id.clone(),
                event_type: event_type.clone(),
                payload: payload.clone(),
                url,
                secret,
                previous_secret,
                attempts: 0,
                lease_until,
                fanout: true,
            });
        }
    }
    Ok(claimed)
}

/// Records the outcomes of fan-out deliveries (their attempt rows are written with the rest):
/// a delivery row for each that did not succeed, then each message's count of outcomes still to
/// come; a message with none left leaves the queue, and the delivery rows a resend made during
/// its lease fall due at once. Outcomes under a lease that is no longer the message's leave
/// everything to the claim that holds it now.
pub(crate) fn complete(c: &Connection, results: &[&AttemptResult], now: i64) -> StoreResult<()> {
    let unsettled: Vec<Value> = results
        .iter()
        .filter(|r| r.outcome != DeliveryOutcome::Succeeded)
        .map(|r| {
            let (state, next) = r.outcome.new_state();
            json!([
                r.delivery_id,
                r.company_id,
                r.attempt.message_id,
                r.attempt.endpoint_id,
                state,
                i32::from(r.outcome != DeliveryOutcome::Held),
                next.unwrap_or(now),
                r.lease_until
            ])
        })
        .collect();
    if !unsettled.is_empty() {
        c.prepare_cached(
            "insert into webhook_deliveries (id, company_id, message_id, endpoint_id, state,
                attempts, next_attempt_at, created_at, updated_at)
             select j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
                j.value ->> 5, j.value ->> 6, ?2, ?2
             from json_each(?1) j
             join webhook_fanouts f on f.message_id = j.value ->> 2
                and f.lease_until = j.value ->> 7
             join webhook_endpoints e on e.id = j.value ->> 3
             where true
             on conflict (message_id, endpoint_id) do update set next_attempt_at = ?2
             where webhook_deliveries.state = 'pending' and webhook_deliveries.lease_until is null",
        )
        .and_then(|mut s| s.execute(params![Value::Array(unsettled).to_string(), now]))
        .map_err(map_err)?;
    }
    let mut count = c
        .prepare_cached(
            "update webhook_fanouts set remaining = remaining - ?3
             where message_id = ?1 and lease_until = ?2
             returning remaining, resent",
        )
        .map_err(map_err)?;
    let mut finish = c
        .prepare_cached("delete from webhook_fanouts where message_id = ?1")
        .map_err(map_err)?;
    let mut release = c
        .prepare_cached(
            "update webhook_deliveries set next_attempt_at = ?2, updated_at = ?2
             where message_id = ?1 and state = 'pending' and lease_until is null
               and next_attempt_at > ?2",
        )
        .map_err(map_err)?;
    for (message_id, lease, n) in outcomes_per_fanout(results) {
        let left: Option<(i64, bool)> = count
            .query_row(params![message_id, lease, n], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(map_err)?;
        let Some((remaining, resent)) = left else {
            continue;
        };
        if remaining <= 0 {
            finish.execute([message_id]).map_err(map_err)?;
            if resent {
                release.execute(params![message_id, now]).map_err(map_err)?;
            }
        }
    }
    Ok(())
}
