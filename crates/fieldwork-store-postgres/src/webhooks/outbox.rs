//! The outbox: recording events with their deliveries, the message log, resend and recover.

use deadpool_postgres::GenericClient;
use fieldwork_store::events::OutboxEvent;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{Message, MessageQuery};
use fieldwork_store::{Page, StoreError, StoreResult};
use tokio_postgres::Row;

use crate::db::{Db, Params, execute, query, query_opt, transaction};
use crate::sql::to_total;

/// A new delivery id (`dlv_` + 32 hex) made by PostgreSQL itself, so one statement fans out:
/// the time in milliseconds (12 hex digits), then 20 hex digits of a random UUID, like the
/// UUIDv7 of other ids, so the id index grows at one end instead of taking each delivery on a
/// random leaf page.
pub(crate) const NEW_DELIVERY_ID: &str = "'dlv_'
    || lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0')
    || right(replace(gen_random_uuid()::text, '-', ''), 20)";

/// An `insert` that queues the fan-out of each message of the CTE `messages` (columns `id`,
/// `event_type`, `created_at`) of the company `company` (a parameter) that an enabled endpoint
/// of the company takes: the endpoints themselves are chosen when a worker claims it
/// (`delivery::claim_fanouts`).
pub(crate) fn queue_fanouts(messages: &str, company: &str) -> String {
    format!(
        "insert into webhook_fanouts (message_id, company_id, event_type, due_at)
         select m.id, {company}, m.event_type, m.created_at from {messages} m
         where exists (select 1 from webhook_endpoints e
                       where e.company_id = {company} and e.enabled
                         and (cardinality(e.event_types) = 0 or m.event_type = any(e.event_types)))"
    )
}

/// Records an event and queues its fan-out if an endpoint takes it, in one statement; says
/// whether it queued one.
pub(crate) async fn emit(
    c: &impl GenericClient,
    company_id: &str,
    event: &OutboxEvent,
) -> StoreResult<bool> {
    let queued = execute(
        c,
        &format!(
            "with m as (
                insert into webhook_messages (id, company_id, event_type, payload, created_at)
                values ($2, $1, $3, $5, $4)
                returning id, event_type, created_at
             )
             {}",
            queue_fanouts("m", "$1")
        ),
        &[
            &company_id,
            &event.id,
            &event.event_type,
            &event.created_at,
            &event.payload,
        ],
    )
    .await?;
    Ok(queued > 0)
}

/// Records several events in one transaction.
pub(crate) async fn emit_all(db: &Db, company_id: &str, events: &[OutboxEvent]) -> StoreResult<()> {
    transaction!(db, |tx| async { emit_in(&tx, company_id, events).await }
        .await)
}

/// Records events in the caller's transaction (the caller signals the outbox after the commit).
pub(crate) async fn emit_in(
    tx: &impl GenericClient,
    company_id: &str,
    events: &[OutboxEvent],
) -> StoreResult<()> {
    for e in events {
        emit(tx, company_id, e).await?;
    }
    Ok(())
}

/// Records an event for one endpoint only (the test ping), whatever its filter.
pub(crate) async fn emit_to(
    db: &Db,
    company_id: &str,
    endpoint_id: &str,
    event: &OutboxEvent,
) -> StoreResult<()> {
    super::get(db, company_id, endpoint_id).await?;
    db.execute(
        &format!(
            "with m as (
                insert into webhook_messages (id, company_id, event_type, payload, created_at)
                values ($2, $1, $3, $5, $4)
                returning id
             )
             insert into webhook_deliveries (id, company_id, message_id, endpoint_id, state,
                attempts, next_attempt_at, created_at, updated_at)
             select {NEW_DELIVERY_ID}, $1, m.id, $6, 'pending', 0, $4, $4, $4 from m"
        ),
        &[
            &company_id,
            &event.id,
            &event.event_type,
            &event.created_at,
            &event.payload,
            &endpoint_id,
        ],
    )
    .await?;
    Ok(())
}

const COLS: &str = "id, event_type, payload, created_at, seq";

fn from_row(r: &Row) -> Message {
    Message {
        id: r.get(0),
        event_type: r.get(1),
        payload: r.get(2),
        created_at: r.get(3),
        seq: r.get(4),
    }
}

pub(crate) async fn list(
    db: &Db,
    company_id: &str,
    q: &MessageQuery,
) -> StoreResult<Page<Message>> {
    let cond = "company_id = $1 and ($2::text is null or event_type = $2)
        and ($3::bigint is null or created_at >= $3) and ($4::bigint is null or created_at <= $4)";
    let limit = i64::from(q.page_size);
    let offset = i64::from(q.page.saturating_sub(1)) * limit;
    let client = db.client().await?;
    let count_sql = format!("select count(*) from webhook_messages where {cond}");
    let list_sql = format!(
        "select {COLS} from webhook_messages where {cond} order by seq desc limit $5 offset $6"
    );
    let count_params: &Params = &[&company_id, &q.event_type, &q.since, &q.until];
    let list_params: &Params = &[
        &company_id,
        &q.event_type,
        &q.since,
        &q.until,
        &limit,
        &offset,
    ];
    let (count, rows) = tokio::try_join!(
        query_opt(&client, &count_sql, count_params),
        query(&client, &list_sql, list_params),
    )?;
    Ok(Page {
        items: rows.iter().map(from_row).collect(),
        total: count.map_or(0, |r| to_total(r.get(0))),
    })
}

pub(crate) async fn after(
    db: &Db,
    company_id: &str,
    after_seq: i64,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    let rows = db
        .query(
            &format!(
                "select {COLS} from webhook_messages where company_id = $1 and seq > $2
                 order by seq limit $3"
            ),
            &[&company_id, &after_seq, &i64::from(limit)],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

pub(crate) async fn last_seq(db: &Db, company_id: &str) -> StoreResult<i64> {
    let row = db
        .query_opt(
            "select coalesce(max(seq), 0)::bigint from webhook_messages where company_id = $1",
            &[&company_id],
        )
        .await?;
    Ok(row.map_or(0, |r| r.get(0)))
}

/// How `resend` and `recover` make a delivery due at `$4`: at once, unless it is being sent
/// now (leased). Then it keeps the lease, moved on by a microsecond, and falls due when the
/// lease ends: the attempt under way sees the changed lease when it is recorded and leaves
/// the delivery pending and due at once (`delivery::complete`), so the new send comes after
/// that attempt, never beside it; and if its worker died, the lease's end brings it back.
const AFTER_ANY_LEASE: &str = "next_attempt_at = case
            when webhook_deliveries.lease_until > $4 then webhook_deliveries.lease_until + 1
            else $4 end,
        lease_until = case
            when webhook_deliveries.lease_until > $4 then webhook_deliveries.lease_until + 1 end";

/// Queues the message again for every enabled endpoint that takes it. A fan-out of it not yet
/// claimed is replaced by the delivery rows; one under way keeps going, and the rows wait for
/// it (due at its lease's end, made due at once when it is recorded, `delivery::complete`), so
/// no endpoint gets the message twice at once.
pub(crate) async fn resend(db: &Db, company_id: &str, message_id: &str) -> StoreResult<u64> {
    let row = db
        .query_opt(
            "select event_type from webhook_messages where id = $1 and company_id = $2",
            &[&message_id, &company_id],
        )
        .await?;
    let event_type: String = row
        .map(|r| r.get(0))
        .ok_or(StoreError::NotFound("webhook message"))?;
    let now = now_micros();
    transaction!(db, |tx| async {
        let fanning = query_opt(
            &tx,
            "with unclaimed as (
                delete from webhook_fanouts
                where message_id = $1 and (lease_until is null or lease_until <= $2)
             )
             update webhook_fanouts set resent = true
             where message_id = $1 and lease_until > $2
             returning lease_until + 1",
            &[&message_id, &now],
        )
        .await?;
        let due = fanning.map_or(now, |r| r.get::<_, i64>(0));
        execute(
            &tx,
            &format!(
                "insert into webhook_deliveries (id, company_id, message_id, endpoint_id, state,
                    attempts, next_attempt_at, created_at, updated_at)
                 select {NEW_DELIVERY_ID}, $1, $2, e.id, 'pending', 0, $4, $5, $5
                 from webhook_endpoints e
                 where e.company_id = $1 and e.enabled
                   and (cardinality(e.event_types) = 0 or $3 = any(e.event_types))
                 on conflict (message_id, endpoint_id) do update set state = 'pending',
                    attempts = 0, {AFTER_ANY_LEASE}, updated_at = excluded.updated_at"
            ),
            &[&company_id, &message_id, &event_type, &due, &now],
        )
        .await
    }
    .await)
}

pub(crate) async fn recover(
    db: &Db,
    company_id: &str,
    endpoint_id: &str,
    since: i64,
) -> StoreResult<u64> {
    super::get(db, company_id, endpoint_id).await?;
    db.execute(
        &format!(
            "update webhook_deliveries set state = 'pending', attempts = 0, {AFTER_ANY_LEASE},
                updated_at = $4
             where company_id = $1 and endpoint_id = $2 and created_at >= $3
               and state <> 'succeeded' and attempts > 0"
        ),
        &[&company_id, &endpoint_id, &since, &now_micros()],
    )
    .await
}
