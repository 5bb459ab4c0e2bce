//! The delivery queue: claims with a lease and `FOR UPDATE SKIP LOCKED` (so several workers
//! never take the same delivery), and the recording of attempts with their effect on
//! deliveries and endpoints.

use fieldwork_store::webhooks::{
    Attempt, AttemptResult, ClaimRequest, ClaimedDelivery, CompletionRules, DeliveryOutcome, state,
};
use fieldwork_store::{ListParams, Page, StoreResult};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::db::{Db, Params, execute, query, query_opt, transaction};
use crate::sql::{limit_offset, to_total};

/// Claims due deliveries of enabled endpoints of `max`-plan companies, at most the allowed
/// number per endpoint, and leases them — one statement.
///
/// The candidates are locked with `SKIP LOCKED` before the per-endpoint cut (window functions
/// cannot be combined with `FOR UPDATE`); endpoints without free slots are left out of the
/// candidates, so a backlog on a busy endpoint cannot crowd out the others.
pub(crate) async fn claim(db: &Db, req: &ClaimRequest) -> StoreResult<Vec<ClaimedDelivery>> {
    let available = serde_json::to_string(&req.available).expect("a map serializes");
    let rows = db
        .query(
            "with cand as (
                select d.id, d.endpoint_id, d.next_attempt_at, d.seq
                from webhook_deliveries d
                join webhook_endpoints e on e.id = d.endpoint_id
                join companies co on co.id = d.company_id
                where d.state = 'pending' and d.next_attempt_at <= $1
                  and (d.lease_until is null or d.lease_until <= $1)
                  and e.enabled and co.plan = 'max'
                  and coalesce((($2::text)::jsonb ->> d.endpoint_id)::bigint, $3::bigint) > 0
                order by d.next_attempt_at
                limit $4::bigint * 4
                for update of d skip locked
             ), ranked as (
                select id, next_attempt_at, endpoint_id,
                    row_number() over (partition by endpoint_id order by next_attempt_at, seq) rn
                from cand
             ), chosen as (
                select id from ranked
                where rn <= coalesce((($2::text)::jsonb ->> endpoint_id)::bigint, $3::bigint)
                order by next_attempt_at limit $4::bigint
             )
             update webhook_deliveries d set lease_until = $5::bigint, updated_at = $1::bigint
             from chosen, webhook_messages m, webhook_endpoints e
             where d.id = chosen.id and m.id = d.message_id and e.id = d.endpoint_id
             returning d.id, d.company_id, d.endpoint_id, d.message_id, m.event_type, m.payload,
                e.url, e.secret,
                case when e.previous_secret_expires_at > $1 then e.previous_secret end,
                d.attempts::bigint",
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
    }
}

/// Records attempts in order, in one transaction: attempt rows, delivery states, endpoint
/// health.
pub(crate) async fn complete(
    db: &Db,
    results: &[AttemptResult],
    rules: CompletionRules,
) -> StoreResult<()> {
    transaction!(db, |tx| async {
        for r in results {
            let a = &r.attempt;
            execute(
                &tx,
                "insert into webhook_attempts (id, company_id, endpoint_id, message_id,
                    delivery_id, response_status_code, duration_ms, response_body, error,
                    next_retry_at, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    &a.id,
                    &r.company_id,
                    &a.endpoint_id,
                    &a.message_id,
                    &r.delivery_id,
                    &a.response_status_code,
                    &a.duration_ms,
                    &a.response_body,
                    &a.error,
                    &a.next_retry_at,
                    &a.created_at,
                ],
            )
            .await?;
            let (new_state, next) = match r.outcome {
                DeliveryOutcome::Succeeded => (state::SUCCEEDED, None),
                DeliveryOutcome::Retry { at } => (state::PENDING, Some(at)),
                DeliveryOutcome::Exhausted | DeliveryOutcome::Gone => (state::FAILED, None),
            };
            execute(
                &tx,
                "update webhook_deliveries set state = $2, attempts = attempts + 1,
                    next_attempt_at = coalesce($3, next_attempt_at), lease_until = null,
                    updated_at = $4
                 where id = $1",
                &[&r.delivery_id, &new_state, &next, &a.created_at],
            )
            .await?;
            let (sql, args): (&str, Vec<&(dyn ToSql + Sync)>) = match r.outcome {
                DeliveryOutcome::Succeeded => (
                    "update webhook_endpoints set failing_since = null
                     where id = $1 and failing_since is not null",
                    vec![&a.endpoint_id],
                ),
                DeliveryOutcome::Gone => (
                    "update webhook_endpoints set enabled = false, updated_at = $2,
                        disabled_reason = 'disabled automatically: the endpoint answered 410 Gone'
                     where id = $1 and enabled",
                    vec![&a.endpoint_id, &a.created_at],
                ),
                // Every `set` expression sees the old row, as in SQLite.
                DeliveryOutcome::Retry { .. } | DeliveryOutcome::Exhausted => (
                    "update webhook_endpoints set
                        failing_since = coalesce(failing_since, $2),
                        enabled = case when coalesce(failing_since, $2) <= $2 - $3 then false
                                       else enabled end,
                        disabled_reason = case
                            when enabled and coalesce(failing_since, $2) <= $2 - $3
                            then 'disabled automatically: every delivery has failed for more than '
                                 || ($3 / 1000000)::text || ' s'
                            else disabled_reason end
                     where id = $1",
                    vec![&a.endpoint_id, &a.created_at, &rules.disable_after_micros],
                ),
            };
            execute(&tx, sql, &args).await?;
        }
        Ok(())
    }
    .await)
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
