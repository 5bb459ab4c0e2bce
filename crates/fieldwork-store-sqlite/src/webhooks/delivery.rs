//! The delivery queue: claims with a lease (through the single writer, which serialises them)
//! and the recording of attempts with their effect on deliveries and endpoints.

use fieldwork_store::webhooks::{
    Attempt, AttemptResult, ClaimRequest, ClaimedDelivery, CompletionRules, DeliveryOutcome, state,
};
use fieldwork_store::{ListParams, Page, StoreResult};
use rusqlite::types::ToSql;
use rusqlite::{Connection, Row, params};

use crate::error::map_err;
use crate::sql::{collect, count, limit_offset, to_json};

/// Claims due deliveries of enabled endpoints of `max`-plan companies, at most the allowed
/// number per endpoint, and leases them.
pub(crate) fn claim(c: &Connection, req: &ClaimRequest) -> StoreResult<Vec<ClaimedDelivery>> {
    let available = to_json(&req.available);
    let ids: Vec<String> = collect(
        c,
        "with due as (
            select d.id, d.endpoint_id, d.next_attempt_at,
                row_number() over (partition by d.endpoint_id
                                   order by d.next_attempt_at, d.rowid) as rn
            from webhook_deliveries d
            join webhook_endpoints e on e.id = d.endpoint_id
            join companies co on co.id = d.company_id
            where d.state = 'pending' and d.next_attempt_at <= ?1
              and (d.lease_until is null or d.lease_until <= ?1)
              and e.enabled = 1 and co.plan = 'max'
         )
         select id from due
         where rn <= coalesce((select value from json_each(?2) where key = due.endpoint_id), ?3)
         order by next_attempt_at limit ?4",
        params![req.now, available, req.per_endpoint, req.limit],
        |r| r.get(0),
    )?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = to_json(&ids);
    c.prepare_cached(
        "update webhook_deliveries set lease_until = ?2, updated_at = ?3
         where id in (select value from json_each(?1))",
    )
    .and_then(|mut s| s.execute(params![ids, req.now + req.lease_micros, req.now]))
    .map_err(map_err)?;
    collect(
        c,
        "select d.id, d.company_id, d.endpoint_id, d.message_id, m.event_type, m.payload, e.url,
            e.secret, case when e.previous_secret_expires_at > ?2 then e.previous_secret end,
            d.attempts
         from webhook_deliveries d
         join webhook_messages m on m.id = d.message_id
         join webhook_endpoints e on e.id = d.endpoint_id
         where d.id in (select value from json_each(?1))
         order by d.next_attempt_at",
        params![ids, req.now],
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
            })
        },
    )
}

/// Records attempts in order: attempt rows, delivery states, endpoint health.
pub(crate) fn complete(
    c: &Connection,
    results: &[AttemptResult],
    rules: CompletionRules,
) -> StoreResult<()> {
    for r in results {
        let a = &r.attempt;
        c.prepare_cached(
            "insert into webhook_attempts (id, company_id, endpoint_id, message_id, delivery_id,
                response_status_code, duration_ms, response_body, error, next_retry_at, created_at)
             values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .and_then(|mut s| {
            s.execute(params![
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
        .map_err(map_err)?;
        let (new_state, next) = match r.outcome {
            DeliveryOutcome::Succeeded => (state::SUCCEEDED, None),
            DeliveryOutcome::Retry { at } => (state::PENDING, Some(at)),
            DeliveryOutcome::Exhausted | DeliveryOutcome::Gone => (state::FAILED, None),
        };
        c.prepare_cached(
            "update webhook_deliveries set state = ?2, attempts = attempts + 1,
                next_attempt_at = coalesce(?3, next_attempt_at), lease_until = null,
                updated_at = ?4
             where id = ?1",
        )
        .and_then(|mut s| s.execute(params![r.delivery_id, new_state, next, a.created_at]))
        .map_err(map_err)?;
        let (sql, args): (&str, Vec<&dyn ToSql>) = match r.outcome {
            DeliveryOutcome::Succeeded => (
                "update webhook_endpoints set failing_since = null
                 where id = ?1 and failing_since is not null",
                vec![&a.endpoint_id],
            ),
            DeliveryOutcome::Gone => (
                "update webhook_endpoints set enabled = 0, updated_at = ?2,
                    disabled_reason = 'disabled automatically: the endpoint answered 410 Gone'
                 where id = ?1 and enabled = 1",
                vec![&a.endpoint_id, &a.created_at],
            ),
            // SQLite evaluates every `set` expression on the old row, so each sees the
            // failure run as it was before this attempt.
            DeliveryOutcome::Retry { .. } | DeliveryOutcome::Exhausted => (
                "update webhook_endpoints set
                    failing_since = coalesce(failing_since, ?2),
                    enabled = case when coalesce(failing_since, ?2) <= ?2 - ?3 then 0
                                   else enabled end,
                    disabled_reason = case
                        when enabled = 1 and coalesce(failing_since, ?2) <= ?2 - ?3
                        then 'disabled automatically: every delivery has failed for more than '
                             || (?3 / 1000000) || ' s'
                        else disabled_reason end
                 where id = ?1",
                vec![&a.endpoint_id, &a.created_at, &rules.disable_after_micros],
            ),
        };
        c.prepare_cached(sql)
            .and_then(|mut s| s.execute(&args[..]))
            .map_err(map_err)?;
    }
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
