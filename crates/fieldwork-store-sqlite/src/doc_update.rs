//! Updating a document: only the indexed columns and filter keys that changed are written.
//!
//! Assigning a column makes SQLite rewrite that row's entry in every index on the column, even
//! when the value stays the same: with a million jobs each entry sits on a leaf page no other
//! write of the commit touches, written to the WAL and again by the checkpoint. A 50-line bulk
//! update that set every column wrote ~40 pages, mostly such leaves (BENCHMARKS.md, issue 4).

use fieldwork_store::docs::{Doc, DocIndex, VERSION_CONFLICT};
use fieldwork_store::{StoreError, StoreResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::docs::get;
use crate::error::map_err;

/// The indexed columns an update may leave alone, in the order [`values`] gives them.
const INDEXED: [&str; 10] = [
    "customer_id",
    "status",
    "starts_at",
    "ends_at",
    "due_at",
    "paid_at",
    "amount",
    "parent_id",
    "number",
    "sort_text",
];
/// Where `number` is in [`INDEXED`]: an update without a number keeps the stored one.
const NUMBER: usize = 8;

/// The values of [`INDEXED`] in `index`.
fn values(index: &DocIndex) -> [Value; 10] {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    let int = |v: Option<i64>| v.map_or(Value::Null, Value::Integer);
    [
        text(&index.customer_id),
        text(&index.status),
        int(index.starts_at),
        int(index.ends_at),
        int(index.due_at),
        int(index.paid_at),
        int(index.amount),
        text(&index.parent_id),
        int(index.number),
        text(&index.sort_text),
    ]
}

/// Writes `doc` over the stored version `doc.version`: `Conflict` if another write got there
/// first, `NotFound` if there is no such document.
pub(crate) fn update(c: &Connection, company_id: &str, mut doc: Doc) -> StoreResult<Doc> {
    let table = doc.kind.table();
    let stored = c
        .prepare_cached(&format!(
            "select seq, version, {} from {table} where id = ?1 and company_id = ?2",
            INDEXED.join(", ")
        ))
        .and_then(|mut s| {
            s.query_row([&doc.id, company_id], |r| {
                let old = (0..INDEXED.len())
                    .map(|i| r.get(i + 2))
                    .collect::<rusqlite::Result<Vec<Value>>>()?;
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, old))
            })
            .optional()
        })
        .map_err(map_err)?;
    let Some((seq, version, old)) = stored.filter(|(_, v, _)| *v == doc.version) else {
        // Missing (`get` says so), or changed by someone else since it was read.
        get(c, company_id, doc.kind, &doc.id)?;
        return Err(StoreError::Conflict {
            constraint: VERSION_CONFLICT.into(),
        });
    };
    let mut sql =
        format!("update {table} set version = ?1, updated_at = ?2, body = ?3, detail = ?4");
    let mut args: Vec<Value> = vec![
        Value::Integer(version + 1),
        Value::Integer(doc.index.updated_at),
        Value::Text(doc.body.clone()),
        crate::packed::pack(doc.detail.as_deref()).map_or(Value::Null, Value::Blob),
    ];
    for (i, (new, old)) in values(&doc.index).into_iter().zip(&old).enumerate() {
        let keep = i == NUMBER && new == Value::Null;
        if !keep && new != *old {
            args.push(new);
            sql.push_str(&format!(", {} = ?{}", INDEXED[i], args.len()));
        }
    }
    args.push(Value::Integer(seq));
    sql.push_str(&format!(" where seq = ?{}", args.len()));
    c.prepare_cached(&sql)
        .and_then(|mut s| s.execute(params_from_iter(args)))
        .map_err(map_err)?;
    doc.version = version + 1;
    if doc.index.number.is_none() {
        doc.index.number = match &old[NUMBER] {
            Value::Integer(n) => Some(*n),
            _ => None,
        };
    }
    update_keys(c, company_id, &doc)?;
    Ok(doc)
}

/// Deletes the document's filter keys it no longer has and adds the new ones.
fn update_keys(c: &Connection, company_id: &str, doc: &Doc) -> StoreResult<()> {
    let kind = doc.kind.table();
    let stored: Vec<String> = c
        .prepare_cached(
            "select key from doc_keys where doc_id = ?1 and company_id = ?2 and kind = ?3",
        )
        .and_then(|mut s| {
            s.query_map([&doc.id, company_id, kind], |r| r.get(0))?
                .collect()
        })
        .map_err(map_err)?;
    let new = &doc.index.keys;
    for key in stored.iter().filter(|k| !new.contains(k)) {
        c.prepare_cached(
            "delete from doc_keys where company_id = ?1 and kind = ?2 and key = ?3 and doc_id = ?4",
        )
        .and_then(|mut s| s.execute(params![company_id, kind, key, doc.id]))
        .map_err(map_err)?;
    }
    for key in new.iter().filter(|k| !stored.contains(k)) {
        c.prepare_cached(
            "insert or ignore into doc_keys (company_id, kind, key, doc_id) values (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut s| s.execute(params![company_id, kind, key, doc.id]))
        .map_err(map_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use fieldwork_store::docs::{DocFilter, DocKind, DocQuery, DocWrite, Range, RangeField};
    use fieldwork_store::{NewCompany, Plan, Store};

    use super::*;

    fn job(keys: &[&str], starts_at: Option<i64>) -> Doc {
        Doc {
            kind: DocKind::Job,
            id: "job_1".into(),
            version: 1,
            index: DocIndex {
                customer_id: Some("cus_1".into()),
                status: Some("scheduled".into()),
                starts_at,
                ends_at: starts_at.map(|s| s + 3_600_000_000),
                sort_text: Some("Fix the sink".into()),
                keys: keys.iter().map(|k| (*k).to_owned()).collect(),
                created_at: 1,
                updated_at: 1,
                ..DocIndex::default()
            },
            body: "{}".into(),
            detail: Some("{\"line_items\":[]}".into()),
        }
    }

    async fn ids(store: &crate::SqliteStore, company: &str, filter: DocFilter) -> Vec<String> {
        let query = DocQuery {
            filter,
            ..DocQuery::default()
        };
        let page = store
            .list_docs(company, DocKind::Job, &query)
            .await
            .unwrap();
        page.items.into_iter().map(|d| d.id).collect()
    }

    fn keys(key: &str) -> DocFilter {
        DocFilter {
            key_groups: vec![vec![key.to_owned()]],
            ..DocFilter::default()
        }
    }

    fn starting(min: i64, max: i64) -> DocFilter {
        DocFilter {
            ranges: vec![Range {
                field: RangeField::StartsAt,
                min: Some(min),
                max: Some(max),
            }],
            ..DocFilter::default()
        }
    }

    /// Changed columns and keys are written, unchanged ones kept, a stale or missing document
    /// refused, and the number stays when the update gives none.
    #[tokio::test]
    async fn an_update_writes_what_changed_and_keeps_the_rest() {
        assert_eq!(INDEXED[NUMBER], "number");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fw.db");
        let store = crate::SqliteStore::open(path.to_str().unwrap(), true).unwrap();
        let company = store
            .create_company(NewCompany {
                name: "Updates".into(),
                plan: Plan::Max,
                time_zone: "UTC".into(),
            })
            .await
            .unwrap()
            .id;
        let day = 86_400_000_000;
        let inserted = store
            .write_docs(
                &company,
                vec![DocWrite::Insert(job(&["emp:a", "tag:x"], Some(day)))],
            )
            .await
            .unwrap()
            .remove(0);
        let number = inserted.index.number;
        assert!(number.is_some());

        let mut changed = job(&["emp:b", "tag:x"], Some(3 * day));
        changed.index.status = Some("in progress".into());
        changed.index.updated_at = 2;
        changed.body = "{\"v\":2}".into();
        let stored = store
            .write_docs(&company, vec![DocWrite::Update(changed.clone())])
            .await
            .unwrap()
            .remove(0);
        assert_eq!((stored.version, stored.index.number), (2, number));

        let read = store
            .get_doc(&company, DocKind::Job, "job_1")
            .await
            .unwrap();
        assert_eq!(read.version, 2);
        assert_eq!(read.body, "{\"v\":2}");
        assert_eq!(read.detail, changed.detail);
        assert_eq!(read.index.status.as_deref(), Some("in progress"));
        assert_eq!(read.index.customer_id.as_deref(), Some("cus_1"));
        assert_eq!(read.index.sort_text.as_deref(), Some("Fix the sink"));
        assert_eq!(read.index.starts_at, Some(3 * day));
        assert_eq!((read.index.updated_at, read.index.number), (2, number));
        assert!(ids(&store, &company, keys("emp:a")).await.is_empty());
        assert_eq!(ids(&store, &company, keys("emp:b")).await, ["job_1"]);
        assert_eq!(ids(&store, &company, keys("tag:x")).await, ["job_1"]);
        assert!(ids(&store, &company, starting(0, 2 * day)).await.is_empty());
        assert_eq!(
            ids(&store, &company, starting(2 * day, 4 * day)).await,
            ["job_1"]
        );

        // Cleared columns and keys are cleared.
        let mut cleared = job(&[], None);
        cleared.version = 2;
        store
            .write_docs(&company, vec![DocWrite::Update(cleared)])
            .await
            .unwrap();
        let read = store
            .get_doc(&company, DocKind::Job, "job_1")
            .await
            .unwrap();
        assert_eq!(
            (read.version, read.index.starts_at, read.index.ends_at),
            (3, None, None)
        );
        assert!(ids(&store, &company, keys("tag:x")).await.is_empty());
        assert!(ids(&store, &company, starting(0, 4 * day)).await.is_empty());

        // A stale version is a conflict and changes nothing; an unknown id is not found.
        let stale = store
            .write_docs(&company, vec![DocWrite::Update(changed)])
            .await
            .unwrap_err();
        assert!(
            matches!(&stale, StoreError::Conflict { constraint } if constraint == VERSION_CONFLICT),
            "{stale:?}"
        );
        assert_eq!(
            store
                .get_doc(&company, DocKind::Job, "job_1")
                .await
                .unwrap()
                .version,
            3
        );
        let mut unknown = job(&[], None);
        unknown.id = "job_2".into();
        let missing = store
            .write_docs(&company, vec![DocWrite::Update(unknown)])
            .await
            .unwrap_err();
        assert!(matches!(missing, StoreError::NotFound(_)), "{missing:?}");
    }
}
