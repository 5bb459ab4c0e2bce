//! Fan-outs: messages queued once (`webhook_fanouts`, see `outbox::queue_fanouts`), leased by a
//! worker and sent to every matching endpoint, with a delivery row made only for what did not
//! succeed at that first try. With many endpoints a row's insert, lease and completion per
//! delivery were most of PostgreSQL's work (BENCHMARKS.md, issue 5).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use deadpool_postgres::GenericClient;
use fieldwork_store::StoreResult;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{
    AttemptResult, ClaimRequest, ClaimedDelivery, DeliveryOutcome, HOLD_BUSY_AFTER_MICROS,
    fanout_delivery_id, outcomes_per_fanout,
};
use tokio_postgres::types::ToSql;

use super::delivery::{AttemptColumns, INSERT_ATTEMPTS};
use crate::db::{Db, execute};

/// Queued messages a claim looks through at most for ones it may take (passing over those
/// whose endpoints are all busy): more would make every claim slow while one endpoint is busy
/// and many of its messages wait.
const SCAN_AT_MOST: u32 = 512;

/// What a store's recent claims found; only hints.
pub(crate) struct ClaimHints {
    /// Deliveries per message, in sixteenths: sizes how many messages a claim looks at (a
    /// claim for 512 deliveries with 100 endpoints needs 6 messages, not 512).
    per_message: AtomicU32,
    /// Whether the last claim found a message. Until one does, a claim first looks whether any
    /// is due: the claim's statement costs ~1.6 ms to start even on an empty queue, and with no
    /// endpoints every write that records an event woke the worker for one (a third of a core
    /// during `POST /jobs` on PostgreSQL, BENCHMARKS.md).
    found: AtomicBool,
}

impl Default for ClaimHints {
    fn default() -> Self {
        Self {
            per_message: AtomicU32::new(16),
            found: AtomicBool::new(true),
        }
    }
}

/// Claims queued messages, oldest first, and returns one delivery per enabled endpoint that
/// takes each (`fanout: true`, the message's lease, an id made from message and endpoint so a
/// later claim of the same message gives the same ids).
///
/// Messages are taken in order while the endpoints with room (`available`, `per_endpoint`)
/// still have room for them and the deliveries stay within `limit` (the first message is taken
/// whatever its size). Room is counted per company: its messages are taken while they number
/// no more than the smallest room among its endpoints that have any (one message goes to every
/// endpoint of the company that takes it; the rare endpoint whose filter passes a message
/// over makes this count a little cautious, never wrong). Endpoints without room at all do not
/// stop the claim: the worker holds their deliveries as rows (`DeliveryOutcome::Held`), so a
/// slow endpoint never holds up the others' fan-out. A message whose endpoints are all busy is
/// not looked at (neither locked nor counted against the claim), until it has waited
/// [`HOLD_BUSY_AFTER_MICROS`]; then it is taken and its deliveries held. A message no endpoint
/// takes any more is dropped from the queue.
///
/// The statement returns the messages and, once, the endpoints of their companies; the
/// deliveries are made here. (Returned per delivery, sorted and checked per endpoint with a
/// window, the claim of 5 messages for 100 endpoints cost three times as much.)
pub(crate) async fn claim(
    db: &Db,
    hints: &ClaimHints,
    req: &ClaimRequest,
    limit: u32,
) -> StoreResult<Vec<ClaimedDelivery>> {
    if !hints.found.load(Ordering::Relaxed) && !any_due(db, req.now).await? {
        return Ok(Vec::new());
    }
    let per_message = hints.per_message.load(Ordering::Relaxed).max(16);
    // An endpoint takes at most `per_endpoint` messages of a claim, so no more are looked at
    // (each one looked at is locked, a write).
    let messages = (u64::from(limit) * 16 / u64::from(per_message))
        .clamp(1, u64::from(req.per_endpoint.max(1)));
    let available = serde_json::to_value(&req.available).expect("a map serializes");
    let lease_until = req.now + req.lease_micros;
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
             ), endpoints as (
                select e.id, e.company_id, e.event_types,
                    least(coalesce(($2::jsonb ->> e.id)::bigint, $3::bigint), $3::bigint) as room
                from webhook_endpoints e
                where e.enabled and e.company_id in (select company_id from picked)
             ), messages as (
                select p.message_id, p.due_at, p.company_id, count(e.id) as n,
                    coalesce(bool_or(e.room > 0), false) as open
                from picked p
                left join endpoints e on e.company_id = p.company_id
                    and (cardinality(e.event_types) = 0 or p.event_type = any(e.event_types))
                group by p.message_id, p.due_at, p.company_id
             ), rooms as (
                select company_id, min(room) as room from endpoints where room > 0
                group by company_id
             ), kept as (
                select message_id, due_at, company_id, n from (
                    select message_id, due_at, company_id, n, bool_and(fits) over w as all_fit,
                        (sum(n) over w)::bigint as upto
                    from (select m.message_id, m.due_at, m.company_id, m.n,
                              row_number() over (partition by m.company_id
                                                 order by m.due_at, m.message_id) <= r.room
                                  as fits
                          from messages m join rooms r on r.company_id = m.company_id
                          where m.open) x
                    window w as (order by due_at, message_id)
                ) y
                where all_fit and (upto <= $4::bigint or upto = n)
                union all
                select message_id, due_at, company_id, n from messages
                where n > 0 and not open and due_at <= $7
             ), leased as (
                update webhook_fanouts f set lease_until = $5, due_at = $5, remaining = k.n
                from kept k where f.message_id = k.message_id
             ), dropped as (
                delete from webhook_fanouts f using messages s
                where f.message_id = s.message_id and s.n = 0
             )
             select false, k.message_id, k.company_id, m.event_type, m.payload, null::text,
                null::text[], k.n, k.due_at
             from kept k, lateral (select m.event_type, m.payload from webhook_messages m
                                   where m.id = k.message_id) m
             union all
             select true, e.id, e.company_id, e.url, e.secret,
                case when e.previous_secret_expires_at > $1 then e.previous_secret end,
                e.event_types, 0::bigint, 0::bigint
             from webhook_endpoints e
             where e.enabled and e.company_id in (select company_id from kept)",
            &[
                &req.now,
                &available,
                &i64::from(req.per_endpoint),
                &i64::from(limit),
                &lease_until,
                &(messages as i64),
                &(req.now - HOLD_BUSY_AFTER_MICROS),
                &i64::from(SCAN_AT_MOST),
            ],
        )
        .await?;
    let (claimed, messages) = deliveries(&rows, lease_until);
    hints.found.store(messages > 0, Ordering::Relaxed);
    if let Some(ratio) = (claimed.len() * 16).checked_div(messages) {
        hints
            .per_message
            .store(ratio.clamp(16, 16 * 1024) as u32, Ordering::Relaxed);
    }
    Ok(claimed)
}

/// Whether any queued message is due (one seek of `webhook_fanouts_due`).
async fn any_due(db: &Db, now: i64) -> StoreResult<bool> {
    let rows = db
        .query(
            "select exists (select 1 from webhook_fanouts where due_at <= $1)",
            &[&now],
        )
        .await?;
    Ok(rows.first().is_some_and(|r| r.get(0)))
}

/// A claimed message, with the count of its deliveries the statement made.
struct ClaimedMessage {
    id: String,
    company_id: String,
    event_type: String,
    payload: String,
    deliveries: i64,
    due_at: i64,
}

/// An enabled endpoint of a claimed message's company.
struct Target {
    id: String,
    url: String,
    secret: String,
    previous_secret: Option<String>,
    event_types: Vec<String>,
}

impl Target {
    fn takes(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type)
    }
}

/// The deliveries of a claim's rows (messages, then their companies' endpoints): for each
/// message in queue order, one per endpoint that takes it, in endpoint id order — the
/// endpoints the statement counted, read in the same snapshot. Also returns how many messages
/// they come from.
fn deliveries(rows: &[tokio_postgres::Row], lease_until: i64) -> (Vec<ClaimedDelivery>, usize) {
    let mut messages: Vec<ClaimedMessage> = Vec::new();
    let mut targets: HashMap<String, Vec<Target>> = HashMap::new();
    for r in rows {
        if r.get::<_, bool>(0) {
            targets.entry(r.get(2)).or_default().push(Target {
                id: r.get(1),
                url: r.get(3),
                secret: r.get(4),
                previous_secret: r.get(5),
                event_types: r.get(6),
            });
        } else {
            messages.push(ClaimedMessage {
                id: r.get(1),
                company_id: r.get(2),
                event_type: r.get(3),
                payload: r.get(4),
                deliveries: r.get(7),
                due_at: r.get(8),
            });
        }
    }
    for list in targets.values_mut() {
        list.sort_by(|a, b| a.id.cmp(&b.id));
    }
    messages.sort_by(|a, b| (a.due_at, &a.id).cmp(&(b.due_at, &b.id)));
    let count = messages.len();
    let mut claimed = Vec::new();
    for m in messages {
        let before = claimed.len();
        for t in targets.get(&m.company_id).into_iter().flatten() {
            if !t.takes(&m.event_type) {
                continue;
            }
            claimed.push(ClaimedDelivery {
                id: fanout_delivery_id(&m.id, &t.id),
                company_id: m.company_id.clone(),
                endpoint_id: t.id.clone(),
                message_id: m.id.clone(),
                event_type: m.event_type.clone(),
                payload: m.payload.clone(),
                url: t.url.clone(),
                secret: t.secret.clone(),
                previous_secret: t.previous_secret.clone(),
                attempts: 0,
                lease_until,
                fanout: true,
            });
        }
        debug_assert_eq!(
            (claimed.len() - before) as i64,
            m.deliveries,
            "the deliveries of {} are the ones the claim counted",
            m.id
        );
    }
    (claimed, count)
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
