//! The outbox: recording events with their deliveries, the message log, resend and recover.

use fieldwork_store::events::OutboxEvent;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{Message, MessageQuery};
use fieldwork_store::{Page, StoreResult};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};

use crate::error::{map_err, not_found};
use crate::sql::{collect, count};

/// A new delivery id (`dlv_` + 32 hex) made by SQLite itself, so one statement fans out: the
/// time in milliseconds (12 hex digits), then 80 random bits, like the UUIDv7 of other ids, so
/// the id index grows at one end (random ids put every delivery, a hundred per event with a
/// hundred endpoints, on a random leaf page of that index: one more page written each).
const NEW_DELIVERY_ID: &str =
    "'dlv_' || printf('%012x', cast(unixepoch('subsec') * 1000 as integer))
    || lower(hex(randomblob(10)))";

/// Records an event and queues its fan-out if an enabled endpoint takes it (the endpoints
/// themselves are chosen when a worker claims it, `fanout::claim`); whether it queued one.
pub(crate) fn emit(c: &Connection, company_id: &str, event: &OutboxEvent) -> StoreResult<bool> {
    insert_message(c, company_id, event)?;
    c.prepare_cached(
        "insert into webhook_fanouts (message_id, company_id, event_type, due_at)
         select ?2, ?1, ?3, ?4
         where exists (select 1 from webhook_endpoints e
                       where e.company_id = ?1 and e.enabled = 1
                         and (e.event_types = '[]'
                              or exists (select 1 from json_each(e.event_types)
                                         where value = ?3)))",
    )
    .and_then(|mut s| {
        s.execute(params![
            company_id,
            event.id,
            event.event_type,
            event.created_at
        ])
    })
    .map(|fanouts| fanouts > 0)
    .map_err(map_err)
}

/// Records several events (in the caller's transaction).
pub(crate) fn emit_all(
    c: &Connection,
    company_id: &str,
    events: &[OutboxEvent],
) -> StoreResult<()> {
    events
        .iter()
        .try_for_each(|e| emit(c, company_id, e).map(drop))
}

/// Records an event for one endpoint only (the test ping), whatever its filter.
pub(crate) fn emit_to(
    c: &Connection,
    company_id: &str,
    endpoint_id: &str,
    event: &OutboxEvent,
) -> StoreResult<()> {
    super::get(c, company_id, endpoint_id)?;
    insert_message(c, company_id, event)?;
    c.prepare_cached(&format!(
        "insert into webhook_deliveries (id, company_id, message_id, endpoint_id, state, attempts,
            next_attempt_at, created_at, updated_at)
         values ({NEW_DELIVERY_ID}, ?1, ?2, ?3, 'pending', 0, ?4, ?4, ?4)"
    ))
    .and_then(|mut s| s.execute(params![company_id, event.id, endpoint_id, event.created_at]))
    .map_err(map_err)?;
    Ok(())
}

fn insert_message(c: &Connection, company_id: &str, event: &OutboxEvent) -> StoreResult<()> {
    c.prepare_cached(
        "insert into webhook_messages (id, company_id, event_type, payload, created_at)
         values (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![
            event.id,
            company_id,
            event.event_type,
            event.payload,
            event.created_at
        ])
    })
    .map_err(map_err)?;
    Ok(())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: r.get(0)?,
        event_type: r.get(1)?,
        payload: r.get(2)?,
        created_at: r.get(3)?,
        seq: r.get(4)?,
    })
}

const COLS: &str = "id, event_type, payload, created_at, seq";

pub(crate) fn list(
    c: &Connection,
    company_id: &str,
    q: &MessageQuery,
) -> StoreResult<Page<Message>> {
    let cond = "company_id = ?1 and (?2 is null or event_type = ?2)
        and (?3 is null or created_at >= ?3) and (?4 is null or created_at <= ?4)";
    let args = [
        Value::Text(company_id.to_owned()),
        q.event_type.clone().map_or(Value::Null, Value::Text),
        q.since.map_or(Value::Null, Value::Integer),
        q.until.map_or(Value::Null, Value::Integer),
    ];
    let total = count(
        c,
        &format!("select count(*) from webhook_messages where {cond}"),
        params_from_iter(args.iter()),
    )?;
    let offset = i64::from(q.page.saturating_sub(1)) * i64::from(q.page_size);
    let mut page_args = args.to_vec();
    page_args.push(Value::Integer(i64::from(q.page_size)));
    page_args.push(Value::Integer(offset));
    let items = collect(
        c,
        &format!(
            "select {COLS} from webhook_messages where {cond} order by seq desc limit ?5 offset ?6"
        ),
        params_from_iter(page_args.iter()),
        from_row,
    )?;
    Ok(Page { items, total })
}

pub(crate) fn after(
    c: &Connection,
    company_id: &str,
    after_seq: i64,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    collect(
        c,
        &format!(
            "select {COLS} from webhook_messages where company_id = ?1 and seq > ?2
             order by seq limit ?3"
        ),
        params![company_id, after_seq, limit],
        from_row,
    )
}

pub(crate) fn last_seq(c: &Connection, company_id: &str) -> StoreResult<i64> {
    c.prepare_cached("select coalesce(max(seq), 0) from webhook_messages where company_id = ?1")
        .and_then(|mut s| s.query_row([company_id], |r| r.get(0)))
        .map_err(map_err)
}

/// How `resend` and `recover` make a delivery due at `?4`: at once, unless it is being sent
/// now (leased). Then it keeps the lease, moved on by a microsecond, and falls due when the
/// lease ends: the attempt under way sees the changed lease when it is recorded and leaves
/// the delivery pending and due at once (`delivery::complete`), so the new send comes after
/// that attempt, never beside it; and if its worker died, the lease's end brings it back.
const AFTER_ANY_LEASE: &str = "next_attempt_at = case when lease_until > ?4 then lease_until + 1
            else ?4 end,
        lease_until = case when lease_until > ?4 then lease_until + 1 end";

/// Queues the message again for every enabled endpoint that takes it. A fan-out of it not yet
/// claimed is replaced by the delivery rows; one under way keeps going, and the rows wait for
/// it (due at its lease's end, made due at once when it is recorded, `fanout::complete`), so
/// no endpoint gets the message twice at once.
pub(crate) fn resend(c: &Connection, company_id: &str, message_id: &str) -> StoreResult<u64> {
    let event_type: String = c
        .prepare_cached("select event_type from webhook_messages where id = ?1 and company_id = ?2")
        .and_then(|mut s| s.query_row([message_id, company_id], |r| r.get(0)))
        .map_err(not_found("webhook message"))?;
    let now = now_micros();
    c.prepare_cached(
        "delete from webhook_fanouts
         where message_id = ?1 and (lease_until is null or lease_until <= ?2)",
    )
    .and_then(|mut s| s.execute(params![message_id, now]))
    .map_err(map_err)?;
    let fanning: Option<i64> = c
        .prepare_cached(
            "update webhook_fanouts set resent = 1 where message_id = ?1 and lease_until > ?2
             returning lease_until + 1",
        )
        .and_then(|mut s| s.query_row(params![message_id, now], |r| r.get(0)))
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .map_err(map_err)?;
    let due = fanning.unwrap_or(now);
    let n = c
        .prepare_cached(&format!(
            "insert into webhook_deliveries (id, company_id, message_id, endpoint_id, state,
                attempts, next_attempt_at, created_at, updated_at)
             select {NEW_DELIVERY_ID}, ?1, ?2, e.id, 'pending', 0, ?4, ?5, ?5
             from webhook_endpoints e
             where e.company_id = ?1 and e.enabled = 1
               and (e.event_types = '[]'
                    or exists (select 1 from json_each(e.event_types) where value = ?3))
             on conflict (message_id, endpoint_id) do update set state = 'pending', attempts = 0,
                {AFTER_ANY_LEASE}, updated_at = excluded.updated_at"
        ))
        .and_then(|mut s| s.execute(params![company_id, message_id, event_type, due, now]))
        .map_err(map_err)?;
    Ok(n as u64)
}

pub(crate) fn recover(
    c: &Connection,
    company_id: &str,
    endpoint_id: &str,
    since: i64,
) -> StoreResult<u64> {
    super::get(c, company_id, endpoint_id)?;
    let now = now_micros();
    let n = c
        .prepare_cached(&format!(
            "update webhook_deliveries set state = 'pending', attempts = 0, {AFTER_ANY_LEASE},
                    updated_at = ?4
                 where company_id = ?1 and endpoint_id = ?2 and created_at >= ?3
                   and state <> 'succeeded' and attempts > 0"
        ))
        .and_then(|mut s| s.execute(params![company_id, endpoint_id, since, now]))
        .map_err(map_err)?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use fieldwork_store::docs::DocWrite;
    use fieldwork_store::events::OutboxEvent;
    use fieldwork_store::webhooks::NewEndpoint;
    use fieldwork_store::{NewCompany, Plan, Store};

    use crate::SqliteStore;

    /// The worker is woken by commits that queued deliveries, live streams by every recorded
    /// event: an event no endpoint takes wakes only the streams.
    #[tokio::test]
    async fn only_events_an_endpoint_takes_wake_the_worker() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("fw.db").to_str().unwrap(), true).unwrap();
        let new = NewCompany {
            name: "Signals".into(),
            plan: Plan::Max,
            time_zone: "UTC".into(),
        };
        let company = store.create_company(new).await.unwrap().id;
        let (mut messages, mut deliveries) = (store.outbox_signal(), store.deliveries_signal());
        let emit = |event_type: &str| {
            let event = OutboxEvent::new(event_type, "{}".into());
            let (store, company) = (store.clone(), company.clone());
            async move {
                store
                    .write_docs(&company, vec![DocWrite::Emit(event)])
                    .await
                    .unwrap();
            }
        };
        emit("job.created").await;
        assert!(messages.has_changed().unwrap());
        assert!(!deliveries.has_changed().unwrap());
        messages.mark_unchanged();

        let endpoint = NewEndpoint {
            url: "https://hooks.example.com/fw".into(),
            description: String::new(),
            event_types: vec!["job.updated".into()],
            is_primary: false,
            secret: "whsec_test".into(),
        };
        store
            .create_webhook_endpoint(&company, endpoint)
            .await
            .unwrap();
        deliveries.mark_unchanged();
        // The endpoint takes `job.updated` only.
        emit("job.created").await;
        assert!(!deliveries.has_changed().unwrap());
        emit("job.updated").await;
        assert!(messages.has_changed().unwrap());
        assert!(deliveries.has_changed().unwrap());
    }

    /// Delivery ids are `dlv_` + 32 lowercase hex digits, and later ones sort after earlier
    /// ones (the time comes first).
    #[test]
    fn delivery_ids_are_hex_and_grow_with_time() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let new_id = || -> String {
            c.query_row(&format!("select {}", super::NEW_DELIVERY_ID), [], |r| {
                r.get(0)
            })
            .unwrap()
        };
        let first = new_id();
        std::thread::sleep(std::time::Duration::from_millis(3));
        let second = new_id();
        for id in [&first, &second] {
            let hex = id.strip_prefix("dlv_").unwrap();
            assert_eq!(hex.len(), 32, "{id}");
            assert!(
                hex.chars().all(|ch| matches!(ch, '0'..='9' | 'a'..='f')),
                "{id}"
            );
        }
        assert!(first < second, "{first} then {second}");
    }
}
