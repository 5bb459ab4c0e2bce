//! Work documents (jobs, estimates, leads, invoices, events): JSON bodies with indexed columns.

use deadpool_postgres::GenericClient;
use fieldwork_store::docs::{
    Doc, DocFilter, DocIndex, DocKind, DocQuery, DocSort, DocWrite, VERSION_CONFLICT,
};
use fieldwork_store::events::OutboxEvent;
use fieldwork_store::reference::Epochs;
use fieldwork_store::{Page, StoreError, StoreResult};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::db::{Db, Params, execute, query, query_opt, retry, transaction};
use crate::error::found;
use crate::sql::to_total;
use crate::webhooks::outbox::queue_fanouts;

/// The columns [`from_row`] reads, the last one `$detail`: the detail column, or a null to
/// leave it unread. Each is named as in the table ([`NAMES`]).
macro_rules! cols {
    ($detail:literal) => {
        concat!(
            "id, version, customer_id, status, starts_at, ends_at, due_at, paid_at, amount,
             parent_id, number, sort_text, created_at, updated_at, body::text as body, ",
            $detail
        )
    };
}

const COLS: &str = cols!("detail");

/// [`COLS`] with the detail left unread.
const COLS_WITHOUT_DETAIL: &str = cols!("null::text as detail");

/// The names of [`COLS`]' columns, to select them again from a subquery.
const NAMES: &str = "id, version, customer_id, status, starts_at, ends_at, due_at, paid_at, amount,
     parent_id, number, sort_text, created_at, updated_at, body, detail";

fn from_row(kind: DocKind, r: &Row) -> Doc {
    Doc {
        kind,
        id: r.get(0),
        version: r.get(1),
        index: DocIndex {
            customer_id: r.get(2),
            status: r.get(3),
            starts_at: r.get(4),
            ends_at: r.get(5),
            due_at: r.get(6),
            paid_at: r.get(7),
            amount: r.get(8),
            parent_id: r.get(9),
            number: r.get(10),
            sort_text: r.get(11),
            // Filter keys are write-only: services keep what they need in the body.
            keys: Vec::new(),
            created_at: r.get(12),
            updated_at: r.get(13),
        },
        body: r.get(14),
        detail: r.get(15),
    }
}

pub(crate) async fn get(db: &Db, company_id: &str, kind: DocKind, id: &str) -> StoreResult<Doc> {
    get_on(&db.client().await?, company_id, kind, id).await
}

/// [`get`] and the company's epochs, read by the same statement.
pub(crate) async fn get_with_epochs(
    db: &Db,
    company_id: &str,
    kind: DocKind,
    id: &str,
) -> StoreResult<(Doc, Epochs)> {
    let row = db
        .query_opt(
            &format!(
                "select {COLS}, {} from {} where company_id = $1 and id = $2",
                crate::companies::EPOCHS,
                kind.table()
            ),
            &[&company_id, &id],
        )
        .await?;
    let found = found(row, kind.label())?;
    let epochs = Epochs {
        reference: found.get(16),
        customers: found.get(17),
    };
    Ok((from_row(kind, &found), epochs))
}

async fn get_on(
    c: &impl GenericClient,
    company_id: &str,
    kind: DocKind,
    id: &str,
) -> StoreResult<Doc> {
    let row = query_opt(
        c,
        &format!(
            "select {COLS} from {} where company_id = $1 and id = $2",
            kind.table()
        ),
        &[&company_id, &id],
    )
    .await?;
    found(row.as_ref().map(|r| from_row(kind, r)), kind.label())
}

pub(crate) async fn get_many(
    db: &Db,
    company_id: &str,
    kind: DocKind,
    ids: &[String],
) -> StoreResult<Vec<Doc>> {
    let rows = db
        .query(
            &format!(
                "select {COLS} from {} where company_id = $1 and id = any($2::text[])",
                kind.table()
            ),
            &[&company_id, &ids],
        )
        .await?;
    Ok(rows.iter().map(|r| from_row(kind, r)).collect())
}

pub(crate) type Arg = Box<dyn ToSql + Sync + Send>;

pub(crate) async fn list(
    db: &Db,
    company_id: &str,
    kind: DocKind,
    q: &DocQuery,
) -> StoreResult<Page<Doc>> {
    Ok(list_reading(db, company_id, kind, q, false).await?.0)
}

/// [`list`] and the company's epochs, read by the count's statement (sent before the page's,
/// on the same connection, so read before it).
pub(crate) async fn list_with_epochs(
    db: &Db,
    company_id: &str,
    kind: DocKind,
    q: &DocQuery,
) -> StoreResult<(Page<Doc>, Epochs)> {
    let (page, epochs) = list_reading(db, company_id, kind, q, true).await?;
    Ok((page, epochs.unwrap_or_default()))
}

async fn list_reading(
    db: &Db,
    company_id: &str,
    kind: DocKind,
    q: &DocQuery,
    with_epochs: bool,
) -> StoreResult<(Page<Doc>, Option<Epochs>)> {
    let (cond, mut args) = conditions(company_id, kind, q);
    let table = kind.table();
    let n = args.len();
    let span = q.start_span(kind);
    // `None`: the count takes the list's first `n` arguments.
    let (count_sql, count_args) = match span {
        Some((min, max)) => {
            let (sql, args) = crate::start_days::count(company_id, min, max);
            (sql, Some(args))
        }
        None => (format!("select count(*) from {table} where {cond}"), None),
    };
    // `$1` is the company in both counts.
    let count_sql = if with_epochs {
        format!("select ({count_sql}), {}", crate::companies::EPOCHS)
    } else {
        count_sql
    };
    args.push(Box::new(i64::from(q.page_size)));
    args.push(Box::new(q.offset()));
    let cols = if q.without_detail {
        COLS_WITHOUT_DETAIL
    } else {
        COLS
    };
    let order = order_by(q);
    // A page of the table's matches, with the columns `select`.
    let page_of = |select: &str| {
        format!(
            "select {select} from {table} where {cond} order by {order} limit ${} offset ${}",
            n + 1,
            n + 2
        )
    };
    let list_sql = match span {
        Some(span) if q.offset() == 0 => crate::start_days::first_page(q, span, cols, NAMES),
        None if reads_in_index_order(q) => page_of(cols),
        _ => {
            // The page's ids are found first (a deferred join): skipping and sorting never
            // read the JSON bodies of rows that are not returned.
            let page_ids = match span {
                Some(span) => crate::start_days::page_ids(q, span),
                None => page_of("id"),
            };
            format!(
                "select {cols} from {table} where company_id = $1 and id in ({page_ids})
                 order by {order}"
            )
        }
    };
    let params: Vec<&(dyn ToSql + Sync)> = args
        .iter()
        .map(|a| a.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let count_params: Vec<&(dyn ToSql + Sync)> = match &count_args {
        Some(args) => args
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect(),
        None => params[..n].to_vec(),
    };
    let client = db.client().await?;
    let (count, rows) = tokio::try_join!(
        query_opt(&client, &count_sql, &count_params),
        query(&client, &list_sql, &params),
    )?;
    let epochs = match (&count, with_epochs) {
        (Some(r), true) => Some(Epochs {
            reference: r.get(1),
            customers: r.get(2),
        }),
        _ => None,
    };
    let page = Page {
        items: rows.iter().map(|r| from_row(kind, r)).collect(),
        total: count.map_or(0, |r| to_total(r.get(0))),
    };
    Ok((page, epochs))
}

/// Whether a list's page is the first rows of an index in page order: a first page of a
/// whole table by creation or change (`{table}_created`, `{table}_updated`). Its rows are read
/// straight from that index's scan, about a page of them, where finding the ids first then
/// looks each one up again by its key and sorts the rows. Filtered lists and later pages find
/// their ids first: entries they pass over are read from an index alone, and a sort of the
/// matches (when no index has their order) sorts ids, not whole rows.
fn reads_in_index_order(q: &DocQuery) -> bool {
    q.offset() == 0
        && q.filter == DocFilter::default()
        && matches!(q.sort, DocSort::CreatedAt | DocSort::UpdatedAt)
}

/// Same order as SQLite: text byte-wise, nulls first ascending and last descending; ties in
/// insertion order.
fn order_by(q: &DocQuery) -> String {
    let (dir, nulls) = if q.descending {
        ("desc", "nulls last")
    } else {
        ("asc", "nulls first")
    };
    let col = q.sort.column();
    match q.sort {
        DocSort::CreatedAt | DocSort::UpdatedAt | DocSort::Number => {
            format!("{col} {dir}, seq {dir}")
        }
        DocSort::StartsAt | DocSort::DueAt | DocSort::PaidAt | DocSort::Amount => {
            format!("{col} {dir} {nulls}, seq {dir}")
        }
        DocSort::Id | DocSort::SortText | DocSort::Status => {
            format!("{col} collate \"C\" {dir} {nulls}, seq {dir}")
        }
    }
}

/// The `where` body of a list and its parameters (`$1` is the company).
fn conditions(company_id: &str, kind: DocKind, q: &DocQuery) -> (String, Vec<Arg>) {
    let f = &q.filter;
    let mut conds = vec!["company_id = $1".to_owned()];
    let mut args: Vec<Arg> = vec![Box::new(company_id.to_owned())];
    let bind = |v: Arg, args: &mut Vec<Arg>| {
        args.push(v);
        args.len()
    };
    if !f.customer_ids.is_empty() {
        let n = bind(Box::new(f.customer_ids.clone()), &mut args);
        conds.push(format!("customer_id = any(${n}::text[])"));
    }
    if !f.statuses.is_empty() {
        let n = bind(Box::new(f.statuses.clone()), &mut args);
        conds.push(format!("status = any(${n}::text[])"));
    }
    if let Some(parent) = &f.parent_id {
        let n = bind(Box::new(parent.clone()), &mut args);
        conds.push(format!("parent_id = ${n}"));
    }
    for range in &f.ranges {
        let col = range.field.column();
        if let Some(min) = range.min {
            let n = bind(Box::new(min), &mut args);
            conds.push(format!("{col} >= ${n}"));
        }
        if let Some(max) = range.max {
            let n = bind(Box::new(max), &mut args);
            conds.push(format!("{col} <= ${n}"));
        }
    }
    for group in &f.key_groups {
        let n = bind(Box::new(group.clone()), &mut args);
        conds.push(format!(
            "id in (select doc_id from doc_keys where company_id = $1 and kind = '{}' \
             and key = any(${n}::text[]))",
            kind.table()
        ));
    }
    (conds.join(" and "), args)
}

/// Applies a batch of writes atomically; returns the stored form of every inserted or updated
/// document, in order, and whether its events queued any fan-out (whether the webhook
/// workers have work).
pub(crate) async fn write(
    db: &Db,
    company_id: &str,
    writes: Vec<DocWrite>,
) -> StoreResult<(Vec<Doc>, bool)> {
    if let Some((write, events)) = one_with_events(&writes) {
        return retry(|| async {
            let c = db.client().await?;
            let (doc, queued) = match write {
                DocWrite::Insert(doc) => insert(&c, company_id, doc.clone(), &events).await?,
                DocWrite::Update(doc) => update(&c, company_id, doc.clone(), &events).await?,
                _ => unreachable!("one_with_events gives inserts and updates only"),
            };
            Ok((vec![doc], queued))
        })
        .await;
    }
    transaction!(db, |tx| async {
        let (mut stored, mut queued) = (Vec::new(), false);
        for w in writes.iter().cloned() {
            match w {
                DocWrite::Insert(doc) => stored.push(insert(&tx, company_id, doc, &[]).await?.0),
                DocWrite::Update(doc) => stored.push(update(&tx, company_id, doc, &[]).await?.0),
                DocWrite::Delete { kind, id } => delete(&tx, company_id, kind, &id).await?,
                DocWrite::Emit(event) => {
                    queued |= crate::webhooks::outbox::emit(&tx, company_id, &event).await?;
                }
            }
        }
        Ok((stored, queued))
    }
    .await)
}

/// The usual change: one document inserted (numbered already) or updated, and the events it
/// raises. It is written by one statement outside an explicit transaction (a statement is
/// atomic by itself), which spares the `begin`, the events' own statements and the `commit`:
/// four round trips become one.
fn one_with_events(writes: &[DocWrite]) -> Option<(&DocWrite, Vec<&OutboxEvent>)> {
    let (write, rest) = writes.split_first()?;
    match write {
        DocWrite::Update(_) => {}
        DocWrite::Insert(doc) if doc.index.number.is_some() => {}
        _ => return None,
    }
    let events = rest
        .iter()
        .map(|w| match w {
            DocWrite::Emit(e) => Some(e),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((write, events))
}

/// Events as the four arrays [`record_events`] takes.
struct EventArrays<'a> {
    ids: Vec<&'a str>,
    types: Vec<&'a str>,
    payloads: Vec<&'a str>,
    created: Vec<i64>,
}

impl<'a> EventArrays<'a> {
    fn of(events: &[&'a OutboxEvent]) -> Self {
        Self {
            ids: events.iter().map(|e| e.id.as_str()).collect(),
            types: events.iter().map(|e| e.event_type.as_str()).collect(),
            payloads: events.iter().map(|e| e.payload.as_str()).collect(),
            created: events.iter().map(|e| e.created_at).collect(),
        }
    }
}

/// The CTEs `m` and `fanned` that record the events given as arrays in parameters `$n`..`$n+3`
/// ([`EventArrays`]; `$2` is the company) and queue their fan-outs, when `condition` holds;
/// `exists (select from fanned)` then says whether a fan-out was queued.
fn record_events(n: usize, condition: &str) -> String {
    format!(
        "m as (
            insert into webhook_messages (id, company_id, event_type, payload, created_at)
            select e.id, $2, e.event_type, e.payload, e.created_at
            from unnest(${n}::text[], ${}::text[], ${}::text[], ${}::int8[])
                with ordinality e (id, event_type, payload, created_at, n)
            where {condition}
            order by e.n
            returning id, event_type, created_at
         ), fanned as (
            {} returning 1
         )",
        n + 1,
        n + 2,
        n + 3,
        queue_fanouts("m", "$2"),
    )
}

/// Takes the next number of a sequence (`Store::next_number`).
///
/// Every taker of a company's numbers waits on the counter's row until the taking transaction
/// ends, so that transaction commits without waiting for its WAL flush
/// (`synchronous_commit` off for it alone): the row lock is then held for microseconds instead
/// of a flush, which capped job creation at one per flush. Nothing is lost by it: a number is
/// used only by a later write whose own (synchronous) commit flushes the WAL up to and past
/// this one; a crash before that loses the taking and the number together, as if never taken.
pub(crate) async fn next_number(db: &Db, company_id: &str, counter: &str) -> StoreResult<i64> {
    db.query_opt(
        "insert into doc_counters (company_id, kind, value)
         select $1, $2, 1 from (select set_config('synchronous_commit', 'off', true)) async
         on conflict (company_id, kind) do update set value = doc_counters.value + 1
         returning value",
        &[&company_id, &counter],
    )
    .await?
    .map(|r| r.get(0))
    .ok_or(StoreError::NotFound("counter"))
}

/// Inserts a document with its filter keys, in one statement. A document without a number
/// takes the next one of its counter first; a number given by the client raises the counter to
/// it. A number taken from the counter (the usual case: `next_number`) is already below it,
/// and the counter's row is then neither written nor locked (an upsert would hold the lock to
/// the end of this transaction, making every insert of the company wait for the one before).
/// `events` are recorded (with their fan-outs queued) by the same statement; says whether a
/// fan-out was queued.
async fn insert(
    c: &impl GenericClient,
    company_id: &str,
    mut doc: Doc,
    events: &[&OutboxEvent],
) -> StoreResult<(Doc, bool)> {
    let counter = doc.kind.counter();
    let number: i64 = match doc.index.number {
        Some(n) => n,
        None => query(
            c,
            "insert into doc_counters (company_id, kind, value) values ($1, $2, 1)
             on conflict (company_id, kind) do update set value = doc_counters.value + 1
             returning value",
            &[&company_id, &counter],
        )
        .await?
        .first()
        .map(|r| r.get(0))
        .ok_or(StoreError::NotFound("counter"))?,
    };
    doc.index.number = Some(number);
    doc.version = 1;
    let i = &doc.index;
    let e = EventArrays::of(events);
    let row = query_opt(
        c,
        &format!(
            "with counted as (
                insert into doc_counters (company_id, kind, value)
                select $2, $16, $11 where not exists (
                    select from doc_counters
                    where company_id = $2 and kind = $16 and value >= $11)
                on conflict (company_id, kind)
                do update set value = greatest(doc_counters.value, excluded.value)
             ), keyed as (
                insert into doc_keys (company_id, kind, key, doc_id)
                select $2, $18, k, $1 from unnest($17::text[]) k
                on conflict do nothing
             ), inserted as (
                insert into {} (id, company_id, version, customer_id, status, starts_at,
                    ends_at, due_at, paid_at, amount, parent_id, number, sort_text, created_at,
                    updated_at, body, detail)
                values ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                    ($15::text)::json, $19)
             ), {}
             select exists (select from fanned)",
            doc.kind.table(),
            record_events(20, "true"),
        ),
        &[
            &doc.id,
            &company_id,
            &i.customer_id,
            &i.status,
            &i.starts_at,
            &i.ends_at,
            &i.due_at,
            &i.paid_at,
            &i.amount,
            &i.parent_id,
            &i.number,
            &i.sort_text,
            &i.created_at,
            &i.updated_at,
            &doc.body,
            &counter,
            &i.keys,
            &doc.kind.table(),
            &doc.detail,
            &e.ids,
            &e.types,
            &e.payloads,
            &e.created,
        ],
    )
    .await?;
    Ok((doc, row.is_some_and(|r| r.get(0))))
}

/// Updates a document that still has the version it was read at, and its filter keys (those
/// it no longer has removed, new ones added), in one statement; the keys change, and `events`
/// are recorded (with their fan-outs queued), only if the document did. Says whether a fan-out
/// was queued.
async fn update(
    c: &impl GenericClient,
    company_id: &str,
    mut doc: Doc,
    events: &[&OutboxEvent],
) -> StoreResult<(Doc, bool)> {
    let i = &doc.index;
    let e = EventArrays::of(events);
    let params: &Params = &[
        &doc.id,
        &company_id,
        &doc.version,
        &i.customer_id,
        &i.status,
        &i.starts_at,
        &i.ends_at,
        &i.due_at,
        &i.paid_at,
        &i.amount,
        &i.parent_id,
        &i.number,
        &i.sort_text,
        &i.updated_at,
        &doc.body,
        &doc.kind.table(),
        &i.keys,
        &doc.detail,
        &e.ids,
        &e.types,
        &e.payloads,
        &e.created,
    ];
    let row = query_opt(
        c,
        &format!(
            "with updated as (
                update {} set version = version + 1, customer_id = $4, status = $5,
                    starts_at = $6, ends_at = $7, due_at = $8, paid_at = $9, amount = $10,
                    parent_id = $11, number = coalesce($12, number), sort_text = $13,
                    updated_at = $14, body = ($15::text)::json, detail = $18
                where company_id = $2 and id = $1 and version = $3
                returning number
             ), gone as (
                delete from doc_keys k
                where k.company_id = $2 and k.doc_id = $1 and not (k.key = any($17::text[]))
                    and exists (select from updated)
             ), keyed as (
                insert into doc_keys (company_id, kind, key, doc_id)
                select $2, $16, k, $1 from unnest($17::text[]) k
                where exists (select from updated)
                on conflict do nothing
             ), {}
             select number, exists (select from fanned) from updated",
            doc.kind.table(),
            record_events(19, "exists (select from updated)"),
        ),
        params,
    )
    .await?;
    let Some(row) = row else {
        // Missing, or changed by someone else since it was read.
        get_on(c, company_id, doc.kind, &doc.id).await?;
        return Err(StoreError::Conflict {
            constraint: VERSION_CONFLICT.into(),
        });
    };
    doc.version += 1;
    doc.index.number = row.get(0);
    Ok((doc, row.get(1)))
}

async fn delete(
    c: &impl GenericClient,
    company_id: &str,
    kind: DocKind,
    id: &str,
) -> StoreResult<()> {
    let n = execute(
        c,
        &format!(
            "delete from {} where company_id = $1 and id = $2",
            kind.table()
        ),
        &[&company_id, &id],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound(kind.label()));
    }
    execute(
        c,
        "delete from doc_keys where company_id = $1 and doc_id = $2",
        &[&company_id, &id],
    )
    .await?;
    Ok(())
}
