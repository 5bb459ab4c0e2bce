//! Fan-outs: messages queued once (`webhook_fanouts`, see `outbox::queue_fanouts`), leased by a
//! worker and sent to every matching endpoint, with a delivery row made only for what did not
//! succeed at that first try. With many endpoints a row's insert, lease and completion per
//! delivery were most of PostgreSQL's work (BENCHMARKS.md, issue 5).

use std::sync::atomic::{AtomicU32, Ordering};

use deadpool_postgres::GenericClient;
use fieldwork_store::StoreResult;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{
    AttemptResult, ClaimRequest, ClaimedDelivery, DeliveryOutcome, HOLD_BUSY_AFTER_MICROS,
    outcomes_per_fanout,
};
use tokio_postgres::types::ToSql;

use super::delivery::{AttemptColumns, INSERT_ATTEMPTS, claimed_with};
use crate::db::{Db, execute};

/// Queued messages a claim looks through at most for ones it may take (passing over those
/// whose endpoints are all busy): more would make every claim slow while one endpoint is busy
/// and many of its messages wait.
const SCAN_AT_MOST: u32 = 512;

/// Deliveries per message in a store's recent claims, in sixteenths: sizes how many messages a
/// claim looks at (a claim for 512 deliveries with 100 endpoints needs 6 messages, not 512).
/// Only a hint.
pub(crate) struct TargetsPerMessage(AtomicU32);

impl Default for TargetsPerMessage {
    fn default() -> Self {
        Self(AtomicU32::new(16))
    }
}

/// Claims queued messages, oldest first, and returns one delivery per enabled endpoint that
/// takes each (`fanout: true`, the message's lease, an id made from message and endpoint so a
/// later claim of the same message gives the same ids).
///
/// Messages are taken in order while each endpoint with room (`available`, `per_endpoint`)
/// still has room for them and the deliveries stay within `limit` (the first message is taken
/// whatever its size). Endpoints without room at all do not stop the claim: the worker holds
/// their deliveries as rows (`DeliveryOutcome::Held`), so a slow endpoint never holds up the
/// others' fan-out. A message whose endpoints are all busy is not looked at (neither locked
/// nor counted against the claim), until it has waited [`HOLD_BUSY_AFTER_MICROS`]; then it is
/// taken and its deliveries held. A message no endpoint takes any more is dropped from the
/// queue.
pub(crate) async fn claim(
    db: &Db,
    sizing: &TargetsPerMessage,
    req: &ClaimRequest,
    limit: u32,
) -> StoreResult<Vec<ClaimedDelivery>> {
    let per_message = sizing.0.load(Ordering::Relaxed).max(16);
    // An endpoint takes at most `per_endpoint` messages of a claim, so no more are looked at
    // (each one looked at is locked, a write).
    let messages = (u64::from(limit) * 16 / u64::from(per_message))
        .clamp(1, u64::from(req.per_endpoint.max(1)));
    let available = serde_json::to_value(&req.available).expect("a map serializes");
    let rows = db
        .query(
            // `available` is bound as jsonb, parsed once: cast from text in the targets' select
            // list, or expanded into rows and joined, it cost 15 ms of a 19 ms claim of 500.
            // Every step is lazy: the oldest queued messages come in index order, and each is
            // checked, locked and counted only until the claim has enough. (Picking them as an
            // array of ids first made PostgreSQL look up and sort all of them, every claim.)
            "with picked as (
                select f.message_id, f.due_at, f.company_id, f.event_type
                from (select q.message_id, q.due_at from webhook_fanouts q
                      where q.due_at <= $1
                        and (select co.plan from companies co where co.id = q.company_id) = 'max'
                      order by q.due_at, q.message_id
                      limit $8::bigint) s
                join webhook_fanouts f on f.message_id = s.message_id
                where f.due_at <= $1
                  and (f.due_at <= $7 or exists (
                        select 1 from webhook_endpoints e
                        where e.company_id = f.company_id and e.enabled
                          and (cardinality(e.event_types) = 0
                               or f.event_type = any(e.event_types))
                          and coalesce(($2::jsonb ->> e.id)::bigint, $3::bigint) > 0))
                order by s.due_at, s.message_id
                limit $6::bigint
                for update of f skip locked
             ), targets as (
                select p.message_id, p.due_at, p.company_id, p.event_type, e.id as endpoint_id,
                    e.url, e.secret,
                    case when e.previous_secret_expires_at > $1 then e.previous_secret end
                        as previous_secret,
                    row_number() over (partition by e.id order by p.due_at, p.message_id) as nth,
                    case when e.id is not null
                        then least(coalesce(($2::jsonb ->> e.id)::bigint, $3::bigint), $3::bigint)
                    end as room
                from picked p
                left join webhook_endpoints e on e.company_id = p.company_id and e.enabled
                    and (cardinality(e.event_types) = 0 or p.event_type = any(e.event_types))
             ), messages as (
                select message_id, due_at, count(endpoint_id) as n,
                    min(endpoint_id) as first_endpoint,
                    coalesce(bool_and(room <= 0 or nth <= room), true) as fits,
                    coalesce(bool_or(room > 0), false) as open
                from targets group by message_id, due_at
             ), kept as (
                select message_id, n, first_endpoint from (
                    select message_id, n, first_endpoint, bool_and(fits) over w as all_fit,
                        (sum(n) over w)::bigint as upto
                    from messages where open window w as (order by due_at, message_id)
                ) x
                where all_fit and (upto <= $4::bigint or upto = n)
                union all
                select message_id, n, first_endpoint from messages
                where n > 0 and not open and due_at <= $7
             ), leased as (
                update webhook_fanouts f set lease_until = $5, due_at = $5, remaining = k.n
                from kept k where f.message_id = k.message_id
             ), dropped as (
                delete from webhook_fanouts f using messages s
                where f.message_id = s.message_id and s.n = 0
             )
             select 'dlv_' || md5(t.message_id || '/' || t.endpoint_id), t.company_id,
                t.endpoint_id, t.message_id, t.event_type,
                case when t.endpoint_id = k.first_endpoint
                     then (select m.payload from webhook_messages m where m.id = t.message_id)
                end,
                t.url, t.secret, t.previous_secret, 0::bigint, $5::bigint
             from targets t join kept k on k.message_id = t.message_id
             order by t.due_at, t.message_id, t.endpoint_id",
            &[
                &req.now,
                &available,
                &i64::from(req.per_endpoint),
                &i64::from(limit),
                &(req.now + req.lease_micros),
                &(messages as i64),
                &(req.now - HOLD_BUSY_AFTER_MICROS),
                &i64::from(SCAN_AT_MOST),
            ],
        )
        .await?;
    // Each message's payload comes once, on its first row (with its smallest endpoint id):
    // carried on every row, the payload was copied through the statement a hundred times.
    let mut payload = String::new();
    let claimed: Vec<ClaimedDelivery> = rows
        .iter()
        .map(|r| {
            if let Some(p) = r.get::<_, Option<String>>(5) {
                payload = p;
            }
            claimed_with(r, payload.clone(), true)
        })
        .collect();
    let distinct = claimed
        .iter()
        .map(|d| d.message_id.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    if let Some(ratio) = (claimed.len() * 16).checked_div(distinct) {
        sizing
            .0
            .store(ratio.clamp(16, 16 * 1024) as u32, Ordering::Relaxed);
    }
    Ok(claimed)
}

/// Records the outcomes of fan-out deliveries (their attempt rows are written with the rest):
/// a delivery row for each that did not succeed, then each message's count of outcomes still
/// to come; a message with none left leaves the queue, and the delivery rows a resend made
/// during its lease fall due at once. Outcomes under a lease that is no longer the message's
/// (it ran out and another claim took the message) leave everything to that claim.
pub(crate) async fn complete(
    tx: &impl GenericClient,
    results: &[&AttemptResult],
    now: i64,
) -> StoreResult<()> {
    let unsettled: Vec<&&AttemptResult> = results
        .iter()
        .filter(|r| r.outcome != DeliveryOutcome::Succeeded)
        .collect();
    if !unsettled.is_empty() {
        let column =
            |f: fn(&AttemptResult) -> String| unsettled.iter().map(|r| f(r)).collect::<Vec<_>>();
        let ids = column(|r| r.delivery_id.clone());
        let companies = column(|r| r.company_id.clone());
        let messages = column(|r| r.attempt.message_id.clone());
        let endpoints = column(|r| r.attempt.endpoint_id.clone());
        let states = column(|r| r.outcome.new_state().0.to_owned());
        let tries: Vec<i32> = unsettled
            .iter()
            .map(|r| i32::from(r.outcome != DeliveryOutcome::Held))
            .collect();
        let nexts: Vec<i64> = unsettled
            .iter()
            .map(|r| r.outcome.new_state().1.unwrap_or(now))
            .collect();
        let leases: Vec<i64> = unsettled.iter().map(|r| r.lease_until).collect();
        execute(
            tx,
            "insert into webhook_deliveries (id, company_id, message_id, endpoint_id, state,
                attempts, next_attempt_at, created_at, updated_at)
             select j.id, j.company, j.message, j.endpoint, j.state, j.tries, j.next, $9, $9
             from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int4[],
                         $7::int8[], $8::int8[])
                  as j(id, company, message, endpoint, state, tries, next, lease)
             join webhook_fanouts f on f.message_id = j.message and f.lease_until = j.lease
             join webhook_endpoints e on e.id = j.endpoint
             on conflict (message_id, endpoint_id) do update set next_attempt_at = $9
             where webhook_deliveries.state = 'pending' and webhook_deliveries.lease_until is null",
            &[
                &ids, &companies, &messages, &endpoints, &states, &tries, &nexts, &leases, &now,
            ],
        )
        .await?;
    }
    let counts = FanoutCounts::new(results);
    execute(
        tx,
        &format!("with {} select 1", finish_fanouts(1)),
        &[&counts.messages, &counts.leases, &counts.ns, &now],
    )
    .await?;
    Ok(())
}

/// The fan-outs' outcomes of a batch per message and lease, as the column arrays
/// [`finish_fanouts`] takes.
struct FanoutCounts<'a> {
    messages: Vec<&'a str>,
    leases: Vec<i64>,
    ns: Vec<i32>,
}

impl<'a> FanoutCounts<'a> {
    fn new(results: &[&'a AttemptResult]) -> Self {
        let mut counts = Self {
            messages: Vec::new(),
            leases: Vec::new(),
            ns: Vec::new(),
        };
        for (message, lease, n) in outcomes_per_fanout(results) {
            counts.messages.push(message);
            counts.leases.push(lease);
            counts.ns.push(n);
        }
        counts
    }
}

/// CTEs that lower each fan-out's count of outcomes still to come by the batch's ($p: message
/// ids, $p+1: leases, $p+2: counts; under the lease that claimed them only), delete those with
/// none left, and make the delivery rows a resend made during them due at $p+3. The fan-outs
/// that end and those that go on are told apart by `remaining`, so the two statements on
/// `webhook_fanouts` never touch the same row.
fn finish_fanouts(p: usize) -> String {
    let (leases, ns, now) = (p + 1, p + 2, p + 3);
    format!(
        "outcomes as (
            select * from unnest(${p}::text[], ${leases}::int8[], ${ns}::int4[])
                as c(message, lease, n)
         ), done as (
            delete from webhook_fanouts f using outcomes c
            where f.message_id = c.message and f.lease_until = c.lease and f.remaining <= c.n
            returning f.message_id, f.resent
         ), counted as (
            update webhook_fanouts f set remaining = f.remaining - c.n from outcomes c
            where f.message_id = c.message and f.lease_until = c.lease and f.remaining > c.n
         ), released as (
            update webhook_deliveries d set next_attempt_at = ${now}, updated_at = ${now}
            from done
            where done.resent and d.message_id = done.message_id and d.state = 'pending'
              and d.lease_until is null and d.next_attempt_at > ${now}
         )"
    )
}

/// Records a batch of fan-out deliveries that all succeeded in one statement (atomic by
/// itself): their attempt rows, the fan-outs' counts (those with no outcome left leave the
/// queue, rows resent during them fall due), and their endpoints' failure runs ended. Six
/// round trips in a transaction were, with one endpoint, a fifth of PostgreSQL's work per event.
pub(crate) async fn complete_succeeded(db: &Db, results: &[&AttemptResult]) -> StoreResult<()> {
    let columns = AttemptColumns::new(results);
    let counts = FanoutCounts::new(results);
    let mut endpoints: Vec<&str> = results
        .iter()
        .map(|r| r.attempt.endpoint_id.as_str())
        .collect();
    endpoints.sort_unstable();
    endpoints.dedup();
    let now = now_micros();
    let mut params = columns.params().to_vec();
    params.extend([
        &counts.messages as &(dyn ToSql + Sync),
        &counts.leases,
        &counts.ns,
        &now,
        &endpoints,
    ]);
    db.execute(
        &format!(
            "with attempts as ({INSERT_ATTEMPTS}
             ), {finish}, recovered as (
                update webhook_endpoints set failing_since = null
                where id = any($16) and failing_since is not null
             )
             select 1",
            finish = finish_fanouts(12)
        ),
        &params,
    )
    .await?;
    Ok(())
}
