//! Work documents (jobs, estimates, leads, invoices, events): JSON bodies with indexed columns.

use fieldwork_store::docs::{Doc, DocIndex, DocKind, DocQuery, DocWrite};
use fieldwork_store::{Page, StoreError, StoreResult};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};

use crate::error::{map_err, not_found};
use crate::sql::{collect, count};
use crate::start_days;

/// The columns [`from_row`] reads, the last one `$detail`: the detail column, or a null to
/// leave it unread.
macro_rules! cols {
    ($detail:literal) => {
        concat!(
            "id, version, customer_id, status, starts_at, ends_at, due_at, paid_at, amount,
             parent_id, number, sort_text, created_at, updated_at, body, ",
            $detail
        )
    };
}

const COLS: &str = cols!("detail");

/// [`COLS`] with the detail left unread.
const COLS_WITHOUT_DETAIL: &str = cols!("null");

/// The columns a list reads.
fn list_cols(query: &DocQuery) -> &'static str {
    if query.without_detail {
        COLS_WITHOUT_DETAIL
    } else {
        COLS
    }
}

fn from_row(kind: DocKind, r: &Row<'_>) -> rusqlite::Result<Doc> {
    Ok(Doc {
        kind,
        id: r.get(0)?,
        version: r.get(1)?,
        index: DocIndex {
            customer_id: r.get(2)?,
            status: r.get(3)?,
            starts_at: r.get(4)?,
            ends_at: r.get(5)?,
            due_at: r.get(6)?,
            paid_at: r.get(7)?,
            amount: r.get(8)?,
            parent_id: r.get(9)?,
            number: r.get(10)?,
            sort_text: r.get(11)?,
            // Filter keys are write-only: services keep what they need in the body.
            keys: Vec::new(),
            created_at: r.get(12)?,
            updated_at: r.get(13)?,
        },
        body: r.get(14)?,
        detail: crate::packed::unpack(r.get_ref(15)?, 15)?,
    })
}

pub(crate) fn get(c: &Connection, company_id: &str, kind: DocKind, id: &str) -> StoreResult<Doc> {
    c.prepare_cached(&format!(
        "select {COLS} from {} where id = ?1 and company_id = ?2",
        kind.table()
    ))
    .and_then(|mut s| s.query_row([id, company_id], |r| from_row(kind, r)))
    .map_err(not_found(kind.label()))
}

pub(crate) fn get_many(
    c: &Connection,
    company_id: &str,
    kind: DocKind,
    ids: &[String],
) -> StoreResult<Vec<Doc>> {
    let ids = serde_json::to_string(ids).expect("strings serialize");
    collect(
        c,
        &format!(
            // `+company_id`: found by id (unique), checked for the company (not a scan of the
            // company's index).
            "select {COLS} from {} where +company_id = ?1 and id in (select value from json_each(?2))",
            kind.table()
        ),
        params![company_id, ids],
        |r| from_row(kind, r),
    )
}

pub(crate) fn list(
    c: &Connection,
    company_id: &str,
    kind: DocKind,
    query: &DocQuery,
) -> StoreResult<Page<Doc>> {
    if let Some(span) = query.start_span(kind) {
        return start_days::list(c, company_id, query, span, |c, seqs| {
            by_seqs(c, kind, list_cols(query), seqs)
        });
    }
    let (cond, mut args) = conditions(company_id, kind, query);
    let table = kind.table();
    let total = count(
        c,
        &format!("select count(*) from {table} where {cond}"),
        params_from_iter(args.iter()),
    )?;
    let dir = if query.descending { "desc" } else { "asc" };
    let n = args.len();
    args.push(Value::Integer(i64::from(query.page_size)));
    args.push(Value::Integer(query.offset()));
    let items = collect(
        c,
        // The page's rows are found on an index first (a deferred join): skipping and sorting
        // never touch the JSON bodies of rows that are not returned.
        &format!(
            "select {cols} from {table} where seq in (
                select seq from {table} where {cond} order by {col} {dir}, seq {dir}
                limit ?{} offset ?{})
             order by {col} {dir}, seq {dir}",
            n + 1,
            n + 2,
            cols = list_cols(query),
            col = query.sort.column()
        ),
        params_from_iter(args.iter()),
        |r| from_row(kind, r),
    )?;
    Ok(Page { items, total })
}

/// The documents with these `seq`s, in that order, read as `cols`.
fn by_seqs(c: &Connection, kind: DocKind, cols: &str, seqs: &[i64]) -> StoreResult<Vec<Doc>> {
    let list = serde_json::to_string(seqs).expect("numbers serialize");
    let mut found = collect(
        c,
        &format!(
            "select {cols}, seq from {} where seq in (select value from json_each(?1))",
            kind.table()
        ),
        [list],
        |r| Ok((r.get::<_, i64>(16)?, from_row(kind, r)?)),
    )?;
    found.sort_by_key(|(seq, _)| seqs.iter().position(|s| s == seq));
    Ok(found.into_iter().map(|(_, doc)| doc).collect())
}

/// The `where` body of a list and its parameters (`?1` is the company).
fn conditions(company_id: &str, kind: DocKind, query: &DocQuery) -> (String, Vec<Value>) {
    let f = &query.filter;
    let mut conds = vec!["company_id = ?1".to_owned()];
    let mut args = vec![Value::Text(company_id.to_owned())];
    let bind = |v: Value, args: &mut Vec<Value>| {
        args.push(v);
        args.len()
    };
    let json = |v: &[String]| Value::Text(serde_json::to_string(v).expect("strings serialize"));
    if !f.customer_ids.is_empty() {
        let n = bind(json(&f.customer_ids), &mut args);
        conds.push(format!(
            "customer_id in (select value from json_each(?{n}))"
        ));
    }
    if !f.statuses.is_empty() {
        let n = bind(json(&f.statuses), &mut args);
        conds.push(format!("status in (select value from json_each(?{n}))"));
    }
    if let Some(parent) = &f.parent_id {
        let n = bind(Value::Text(parent.clone()), &mut args);
        conds.push(format!("parent_id = ?{n}"));
    }
    for range in &f.ranges {
        let col = range.field.column();
        if let Some(min) = range.min {
            let n = bind(Value::Integer(min), &mut args);
            conds.push(format!("{col} >= ?{n}"));
        }
        if let Some(max) = range.max {
            let n = bind(Value::Integer(max), &mut args);
            conds.push(format!("{col} <= ?{n}"));
        }
    }
    for group in &f.key_groups {
        let n = bind(json(group), &mut args);
        conds.push(format!(
            "id in (select doc_id from doc_keys where company_id = ?1 and kind = '{}' \
             and key in (select value from json_each(?{n})))",
            kind.table()
        ));
    }
    (conds.join(" and "), args)
}

/// Applies a batch of writes on the writer connection (inside its transaction); returns the
/// stored form of every inserted or updated document, in order, and whether an event queued
/// deliveries.
pub(crate) fn write(
    c: &Connection,
    company_id: &str,
    writes: Vec<DocWrite>,
) -> StoreResult<(Vec<Doc>, bool)> {
    let mut stored = Vec::new();
    let mut queued = false;
    for w in writes {
        match w {
            DocWrite::Insert(doc) => stored.push(insert(c, company_id, doc)?),
            DocWrite::Update(doc) => stored.push(crate::doc_update::update(c, company_id, doc)?),
            DocWrite::Delete { kind, id } => delete(c, company_id, kind, &id)?,
            DocWrite::Emit(event) => {
                queued |= crate::webhooks::outbox::emit(c, company_id, &event)?
            }
        }
    }
    Ok((stored, queued))
}

/// Takes the next number of a sequence (`Store::next_number`).
pub(crate) fn next_number(c: &Connection, company_id: &str, counter: &str) -> StoreResult<i64> {
    c.prepare_cached(
        "insert into doc_counters (company_id, kind, value) values (?1, ?2, 1)
         on conflict (company_id, kind) do update set value = value + 1
         returning value",
    )
    .and_then(|mut s| s.query_row(params![company_id, counter], |r| r.get(0)))
    .map_err(map_err)
}

fn insert(c: &Connection, company_id: &str, mut doc: Doc) -> StoreResult<Doc> {
    let number = match doc.index.number {
        Some(n) => {
            c.prepare_cached(
                "insert into doc_counters (company_id, kind, value) values (?1, ?2, ?3)
                 on conflict (company_id, kind) do update set value = max(value, excluded.value)",
            )
            .and_then(|mut s| s.execute(params![company_id, doc.kind.counter(), n]))
            .map_err(map_err)?;
            n
        }
        None => c
            .prepare_cached(
                "insert into doc_counters (company_id, kind, value) values (?1, ?2, 1)
                 on conflict (company_id, kind) do update set value = value + 1
                 returning value",
            )
            .and_then(|mut s| s.query_row(params![company_id, doc.kind.counter()], |r| r.get(0)))
            .map_err(map_err)?,
    };
    doc.index.number = Some(number);
    doc.version = 1;
    let i = &doc.index;
    c.prepare_cached(&format!(
        "insert into {} (id, company_id, version, customer_id, status, starts_at, ends_at, due_at,
            paid_at, amount, parent_id, number, sort_text, created_at, updated_at, body, detail)
         values (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        doc.kind.table()
    ))
    .and_then(|mut s| {
        s.execute(params![
            doc.id,
            company_id,
            i.customer_id,
            i.status,
            i.starts_at,
            i.ends_at,
            i.due_at,
            i.paid_at,
            i.amount,
            i.parent_id,
            i.number,
            i.sort_text,
            i.created_at,
            i.updated_at,
            doc.body,
            crate::packed::pack(doc.detail.as_deref())
        ])
    })
    .map_err(map_err)?;
    write_keys(c, company_id, &doc)?;
    Ok(doc)
}

fn delete(c: &Connection, company_id: &str, kind: DocKind, id: &str) -> StoreResult<()> {
    let n = c
        .prepare_cached(&format!(
            "delete from {} where id = ?1 and company_id = ?2",
            kind.table()
        ))
        .and_then(|mut s| s.execute([id, company_id]))
        .map_err(map_err)?;
    if n == 0 {
        return Err(StoreError::NotFound(kind.label()));
    }
    c.prepare_cached("delete from doc_keys where doc_id = ?1 and company_id = ?2")
        .and_then(|mut s| s.execute([id, company_id]))
        .map_err(map_err)?;
    Ok(())
}

fn write_keys(c: &Connection, company_id: &str, doc: &Doc) -> StoreResult<()> {
    if doc.index.keys.is_empty() {
        return Ok(());
    }
    let mut s = c
        .prepare_cached(
            "insert or ignore into doc_keys (company_id, kind, key, doc_id) values (?1, ?2, ?3, ?4)",
        )
        .map_err(map_err)?;
    for key in &doc.index.keys {
        s.execute(params![company_id, doc.kind.table(), key, doc.id])
            .map_err(map_err)?;
    }
    Ok(())
}
