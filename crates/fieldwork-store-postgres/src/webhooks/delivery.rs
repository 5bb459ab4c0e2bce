//! The delivery queue: claims with a lease and `FOR UPDATE SKIP LOCKED` (so several workers
//! never take the same delivery), and the recording of attempts with their effect on
//! deliveries and endpoints.

use deadpool_postgres::GenericClient;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{
    Attempt, AttemptResult, ClaimRequest, ClaimedDelivery, CompletionRules, DeliveryOutcome,
    HealthChange, RESENT_LEASE_SLACK_MICROS, health_changes,
};
use fieldwork_store::{ListParams, Page, StoreResult};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::fanout::ClaimHints;
use crate::db::{Db, Params, execute, query, query_opt, transaction};
use crate::sql::{limit_offset, to_total};

/// Claims queued fan-outs (at most three quarters of the claim while delivery rows are due too:
/// retries are not starved by a stream of new events), then due delivery rows.
pub(crate) async fn claim(
    db: &Db,
    hints: &ClaimHints,
    req: &ClaimRequest,
) -> StoreResult<Vec<ClaimedDelivery>> {
    let mut claimed = super::fanout::claim(db, hints, req, req.fanout_limit()).await?;
    if let Some(rows_req) = req.for_rows(&claimed) {
        claimed.extend(claim_rows(db, &rows_req).await?);
    }
    Ok(claimed)
}

/// Claims due delivery rows of enabled endpoints of `max`-plan companies, at most the allowed
/// number per endpoint, oldest due first, and leases them — one statement.
///
/// The endpoints with pending deliveries are found by hopping from one endpoint id to the next
/// in the per-endpoint index of pending deliveries (a seek each); each of them with free slots
/// gives its first due deliveries from that index, locked with `SKIP LOCKED`, as many as it may
/// take and at most an even share of the claim's limit (every row locked is a write: 100
/// endpoints taking all their free slots locked 6,400 rows for a claim of 512). Walking all due deliveries in time order instead read the whole backlog whenever the
/// endpoints' slots were full or their first deliveries leased (BENCHMARKS.md). A leased
/// delivery falls due again when its lease ends (`next_attempt_at` is set to it), so the
/// deliveries a worker holds are behind the due ones in that index, not walked by every claim.
async fn claim_rows(db: &Db, req: &ClaimRequest) -> StoreResult<Vec<ClaimedDelivery>> {
    let available = serde_json::to_string(&req.available).expect("a map serializes");
    let rows = db
        .query(
            "with recursive queued (id) as (
                select min(endpoint_id) from webhook_deliveries where state = 'pending'
                union all
                select (select min(d.endpoint_id) from webhook_deliveries d
                        where d.state = 'pending' and d.endpoint_id > queued.id)
                from queued where queued.id is not null
             ), ep as (
                select e.id,
                    least(coalesce((($2::text)::jsonb ->> e.id)::bigint, $3::bigint), $4::bigint)
                        as free,
                    count(*) over () as n
                from queued
                join webhook_endpoints e on e.id = queued.id
                join companies co on co.id = e.company_id
                where e.enabled and co.plan = 'max'
             ), cand as (
                select c.id, c.next_attempt_at, c.seq
                from ep cross join lateral (
                    select d.id, d.next_attempt_at, d.seq
                    from webhook_deliveries d
                    where d.endpoint_id = ep.id and d.state = 'pending'
                      and d.next_attempt_at <= $1
                      and (d.lease_until is null or d.lease_until <= $1)
                    order by d.next_attempt_at, d.seq
                    limit least(ep.free, ($4::bigint + ep.n - 1) / ep.n)
                    for update of d skip locked
                ) c
                where ep.free > 0
             ), chosen as (
                select id from cand order by next_attempt_at, seq limit $4::bigint
             )
             update webhook_deliveries d
             set lease_until = $5::bigint, next_attempt_at = $5::bigint, updated_at = $1::bigint
             from chosen, webhook_messages m, webhook_endpoints e
             where d.id = chosen.id and m.id = d.message_id and e.id = d.endpoint_id
             returning d.id, d.company_id, d.endpoint_id, d.message_id, m.event_type, m.payload,
                e.url, e.secret,
                case when e.previous_secret_expires_at > $1 then e.previous_secret end,
                d.attempts::bigint, d.lease_until",
            &[
                &req.now,
                &available,
                &i64::from(req.per_endpoint),
                &i64::from(req.limit),
                &(req.now + req.lease_micros),
            ],
        )
        .await?;
    Ok(rows.iter().map(claimed).collect())
}

/// A claimed delivery row: id, company, endpoint, message, event type, payload, url, secret,
/// previous secret, attempts and lease end.
fn claimed(r: &Row) -> ClaimedDelivery {
    ClaimedDelivery {
        id: r.get(0),
        company_id: r.get(1),
        endpoint_id: r.get(2),
        message_id: r.get(3),
        event_type: r.get(4),
        payload: r.get(5),
        url: r.get(6),
        secret: r.get(7),
        previous_secret: r.get(8),
        attempts: r.get(9),
        lease_until: r.get(10),
        fanout: false,
    }
}

/// Records a batch of attempts in one transaction: one statement for the attempt rows, one
/// for the delivery states (both over `unnest` of column arrays) and one per endpoint run of
/// outcomes (see [`health_changes`]) — a few round trips per batch instead of three per attempt.
pub(crate) async fn complete(
    db: &Db,
    results: &[AttemptResult],
    rules: CompletionRules,
) -> StoreResult<()> {
    if results
        .iter()
        .all(|r| r.fanout && r.outcome == DeliveryOutcome::Succeeded)
    {
        // A healthy fan-out's batch, the common case: one statement, no transaction.
        let all: Vec<&AttemptResult> = results.iter().collect();
        return super::fanout::complete_succeeded(db, &all).await;
    }
    let attempted: Vec<&AttemptResult> = results
        .iter()
        .filter(|r| r.outcome != DeliveryOutcome::Held)
        .collect();
    let (fanned, rows): (Vec<&AttemptResult>, Vec<&AttemptResult>) =
        results.iter().partition(|r| r.fanout);
    let changes = health_changes(results);
    let now = now_micros();
    transaction!(db, |tx| async {
        if !attempted.is_empty() {
            insert_attempts(&tx, &attempted).await?;
        }
        if !rows.is_empty() {
            settle_rows(&tx, &rows).await?;
        }
        if !fanned.is_empty() {
            super::fanout::complete(&tx, &fanned, now).await?;
        }
        apply_health(&tx, &changes, rules).await
    }
    .await)
}

/// Applies the batch's health changes: endpoints that only recovered (every healthy endpoint
/// of a fan-out, often a hundred per batch) in one statement, the others change by change
/// in order.
async fn apply_health(
    tx: &impl GenericClient,
    changes: &[HealthChange],
    rules: CompletionRules,
) -> StoreResult<()> {
    let troubled: std::collections::HashSet<&str> = changes
        .iter()
        .filter(|c| !matches!(c, HealthChange::Recovered { .. }))
        .map(HealthChange::endpoint_id)
        .collect();
    let (recovered, in_order): (Vec<&HealthChange>, Vec<&HealthChange>) = changes
        .iter()
        .partition(|c| !troubled.contains(c.endpoint_id()));
    if !recovered.is_empty() {
        let ids: Vec<&str> = recovered.iter().map(|c| c.endpoint_id()).collect();
        execute(
            tx,
            "update webhook_endpoints set failing_since = null
             where id = any($1) and failing_since is not null",
            &[&ids],
        )
        .await?;
    }
    for change in in_order {
        health(tx, change, rules).await?;
    }
    Ok(())
}

/// Inserts the attempt rows of `AttemptColumns` ($1 .. $11), for endpoints that still exist.
pub(super) const INSERT_ATTEMPTS: &str = "insert into webhook_attempts (id, company_id,
        endpoint_id, message_id, delivery_id, response_status_code, duration_ms, response_body,
        error, next_retry_at, created_at)
     select j.* from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
        $6::int8[], $7::int8[], $8::text[], $9::text[], $10::int8[], $11::int8[])
        as j(id, company_id, endpoint_id, message_id, delivery_id, status, duration_ms,
             body, error, next_retry_at, created_at)
     where exists (select 1 from webhook_endpoints e where e.id = j.endpoint_id)";

/// Attempts as the column arrays [`INSERT_ATTEMPTS`] takes.
pub(super) struct AttemptColumns {
    ids: Vec<String>,
    companies: Vec<String>,
    endpoints: Vec<String>,
    messages: Vec<String>,
    deliveries: Vec<String>,
    statuses: Vec<Option<i64>>,
    durations: Vec<i64>,
    bodies: Vec<Option<String>>,
    errors: Vec<Option<String>>,
    retries: Vec<Option<i64>>,
    times: Vec<i64>,
}

impl AttemptColumns {
    pub(super) fn new(results: &[&AttemptResult]) -> Self {
        let column = |f: fn(&AttemptResult) -> String| results.iter().map(|r| f(r)).collect();
        Self {
            ids: column(|r| r.attempt.id.clone()),
            companies: column(|r| r.company_id.clone()),
            endpoints: column(|r| r.attempt.endpoint_id.clone()),
            messages: column(|r| r.attempt.message_id.clone()),
            deliveries: column(|r| r.delivery_id.clone()),
            statuses: results
                .iter()
                .map(|r| r.attempt.response_status_code)
                .collect(),
            durations: results.iter().map(|r| r.attempt.duration_ms).collect(),
            bodies: results
                .iter()
                .map(|r| r.attempt.response_body.clone())
                .collect(),
            errors: results.iter().map(|r| r.attempt.error.clone()).collect(),
            retries: results.iter().map(|r| r.attempt.next_retry_at).collect(),
            times: results.iter().map(|r| r.attempt.created_at).collect(),
        }
    }

    /// $1 .. $11 of [`INSERT_ATTEMPTS`].
    pub(super) fn params(&self) -> [&(dyn ToSql + Sync); 11] {
        [
            &self.ids,
            &self.companies,
            &self.endpoints,
            &self.messages,
            &self.deliveries,
            &self.statuses,
            &self.durations,
            &self.bodies,
            &self.errors,
            &self.retries,
            &self.times,
        ]
    }
}

async fn insert_attempts(tx: &impl GenericClient, results: &[&AttemptResult]) -> StoreResult<()> {
    let columns = AttemptColumns::new(results);
    execute(tx, INSERT_ATTEMPTS, &columns.params()).await?;
    Ok(())
}

/// The new states of delivery rows after their attempts.
async fn settle_rows(tx: &impl GenericClient, results: &[&AttemptResult]) -> StoreResult<()> {
    let deliveries: Vec<_> = results.iter().map(|r| r.delivery_id.clone()).collect();
    let states: Vec<_> = results
        .iter()
        .map(|r| r.outcome.new_state().0.to_owned())
        .collect();
    let nexts: Vec<_> = results.iter().map(|r| r.outcome.new_state().1).collect();
    let times: Vec<_> = results.iter().map(|r| r.attempt.created_at).collect();
    let leases: Vec<_> = results.iter().map(|r| r.lease_until).collect();
    execute(
        tx,
        // A lease moved on by a few microseconds means a resend or recover came during the
        // attempt (each moves it by one, `outbox::resend`; at most
        // `RESENT_LEASE_SLACK_MICROS`): the delivery stays pending, with the attempts it was
        // reset to, and is due at once. Any other lease is another claim's (this one ran out):
        // that delivery is left to it.
        "update webhook_deliveries d set
            state = case when d.lease_until = j.lease then j.state else 'pending' end,
            attempts = case when d.lease_until = j.lease then d.attempts + 1
                            else d.attempts end,
            next_attempt_at = case when d.lease_until = j.lease
                                   then coalesce(j.next, d.next_attempt_at) else j.at end,
            lease_until = null, updated_at = j.at
         from unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::int8[])
            as j(id, state, next, at, lease)
         where d.id = j.id and d.lease_until between j.lease and j.lease + $6",
        &[
            &deliveries,
            &states,
            &nexts,
            &times,
            &leases,
            &RESENT_LEASE_SLACK_MICROS,
        ],
    )
    .await?;
    Ok(())
}

/// Applies one endpoint health change.
async fn health(
    tx: &impl GenericClient,
    change: &HealthChange,
    rules: CompletionRules,
) -> StoreResult<()> {
    let (sql, args): (&str, Vec<&(dyn ToSql + Sync)>) = match change {
        HealthChange::Recovered { endpoint_id } => (
            "update webhook_endpoints set failing_since = null
             where id = $1 and failing_since is not null",
            vec![endpoint_id],
        ),
        HealthChange::Gone { endpoint_id, at } => (
            "update webhook_endpoints set enabled = false, updated_at = $2,
                disabled_reason = 'disabled automatically: the endpoint answered 410 Gone'
             where id = $1 and enabled",
            vec![endpoint_id, at],
        ),
        // Every `set` expression sees the old row, as in SQLite.
        HealthChange::Failed {
            endpoint_id,
            first,
            last,
        } => (
            "update webhook_endpoints set
                failing_since = coalesce(failing_since, $2),
                enabled = case when coalesce(failing_since, $2) <= $3::int8 - $4::int8 then false
                               else enabled end,
                disabled_reason = case
                    when enabled and coalesce(failing_since, $2) <= $3::int8 - $4::int8
                    then 'disabled automatically: every delivery has failed for more than '
                         || ($4::int8 / 1000000)::text || ' s'
                    else disabled_reason end
             where id = $1",
            vec![endpoint_id, first, last, &rules.disable_after_micros],
        ),
    };
    execute(tx, sql, &args).await?;
    Ok(())
}

fn attempt(r: &Row) -> Attempt {
    Attempt {
        id: r.get(0),
        endpoint_id: r.get(1),
        message_id: r.get(2),
        created_at: r.get(3),
        response_status_code: r.get(4),
        duration_ms: r.get(5),
        response_body: r.get(6),
        error: r.get(7),
        next_retry_at: r.get(8),
    }
}

pub(crate) async fn attempts(
    db: &Db,
    company_id: &str,
    endpoint_id: &str,
    list: &ListParams,
) -> StoreResult<Page<Attempt>> {
    super::get(db, company_id, endpoint_id).await?;
    let (limit, offset) = limit_offset(list);
    let client = db.client().await?;
    let count_params: &Params = &[&company_id, &endpoint_id];
    let list_params: &Params = &[&company_id, &endpoint_id, &limit, &offset];
    let (count, rows) = tokio::try_join!(
        query_opt(
            &client,
            "select count(*) from webhook_attempts where company_id = $1 and endpoint_id = $2",
            count_params
        ),
        query(
            &client,
            "select id, endpoint_id, message_id, created_at, response_status_code, duration_ms,
                response_body, error, next_retry_at
             from webhook_attempts where company_id = $1 and endpoint_id = $2
             order by created_at desc, seq desc limit $3 offset $4",
            list_params
        ),
    )?;
    Ok(Page {
        items: rows.iter().map(attempt).collect(),
        total: count.map_or(0, |r| to_total(r.get(0))),
    })
}
