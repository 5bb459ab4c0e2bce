//! Tags, lead sources and job types: named reference objects of a company.

use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::time::now_micros;
use fieldwork_store::{ListParams, Page, StoreError, StoreResult};
use fieldwork_types::{JobType, LeadSource, Tag};
use rusqlite::{Connection, Row, params};

use crate::db::Db;
use crate::error::{map_err, not_found};
use crate::sql::{collect, count, limit_offset, order_by};

fn tag_from_row(r: &Row<'_>) -> rusqlite::Result<Tag> {
    Ok(Tag {
        id: r.get(0)?,
        name: r.get(1)?,
    })
}

fn lead_source_from_row(r: &Row<'_>) -> rusqlite::Result<LeadSource> {
    Ok(LeadSource {
        id: r.get(0)?,
        name: r.get(1)?,
        editable: r.get(2)?,
    })
}

fn job_type_from_row(r: &Row<'_>) -> rusqlite::Result<JobType> {
    Ok(JobType {
        id: r.get(0)?,
        name: r.get(1)?,
    })
}

/// Lists rows of `table` (a constant) whose name contains `filter`, paged.
fn list_named<T>(
    c: &Connection,
    table: &'static str,
    cols: &'static str,
    company_id: &str,
    filter: Option<&str>,
    list: &ListParams,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Page<T>> {
    let pattern = filter
        .map(|f| f.trim().replace(['%', '_'], ""))
        .filter(|f| !f.is_empty())
        .map(|f| format!("%{f}%"));
    let cond = if pattern.is_some() {
        " and t.name like ?2"
    } else {
        " and ?2 is null"
    };
    let total = count(
        c,
        &format!("select count(*) from {table} t where t.company_id = ?1{cond}"),
        params![company_id, pattern],
    )?;
    let (limit, offset) = limit_offset(list);
    let items = collect(
        c,
        &format!(
            "select {cols} from {table} t where t.company_id = ?1{cond}
             order by {} limit ?3 offset ?4",
            order_by(list, "t")
        ),
        params![company_id, pattern, limit, offset],
        map,
    )?;
    Ok(Page { items, total })
}

/// Inserts a named row and returns its new id; `Conflict` on a duplicate name.
fn insert_named(
    c: &Connection,
    table: &'static str,
    id_prefix: &str,
    company_id: &str,
    name: &str,
    extra: Option<bool>,
) -> StoreResult<String> {
    let id = new_id(id_prefix);
    let now = now_micros();
    let result = match extra {
        Some(editable) => c.execute(
            &format!(
                "insert into {table} (id, company_id, name, editable, created_at, updated_at)
                 values (?1, ?2, ?3, ?4, ?5, ?5)"
            ),
            params![id, company_id, name, editable, now],
        ),
        None => c.execute(
            &format!(
                "insert into {table} (id, company_id, name, created_at, updated_at)
                 values (?1, ?2, ?3, ?4, ?4)"
            ),
            params![id, company_id, name, now],
        ),
    };
    result.map_err(map_err)?;
    Ok(id)
}

/// Renames a named row; `NotFound(what)` when it is not in the company.
fn rename(
    c: &Connection,
    table: &'static str,
    what: &'static str,
    company_id: &str,
    id: &str,
    name: &str,
) -> StoreResult<()> {
    let n = c
        .execute(
            &format!(
                "update {table} set name = ?1, updated_at = ?2 where id = ?3 and company_id = ?4"
            ),
            params![name, now_micros(), id, company_id],
        )
        .map_err(map_err)?;
    if n == 0 {
        Err(StoreError::NotFound(what))
    } else {
        Ok(())
    }
}

/// Makes sure a tag object exists for each name (customers carry tag names, as in HCP).
pub(crate) fn ensure_tags(
    c: &Connection,
    company_id: &str,
    names: &[String],
    now: i64,
) -> StoreResult<()> {
    let mut stmt = c
        .prepare_cached(
            "insert or ignore into tags (id, company_id, name, created_at, updated_at)
             values (?1, ?2, ?3, ?4, ?4)",
        )
        .map_err(map_err)?;
    for name in names {
        stmt.execute(params![new_id(prefix::TAG), company_id, name, now])
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) fn list_tags(
    c: &Connection,
    company_id: &str,
    list: &ListParams,
) -> StoreResult<Page<Tag>> {
    list_named(
        c,
        "tags",
        "t.id, t.name",
        company_id,
        None,
        list,
        tag_from_row,
    )
}

pub(crate) fn get_tag(c: &Connection, company_id: &str, id: &str) -> StoreResult<Tag> {
    c.query_row(
        "select id, name from tags where id = ?1 and company_id = ?2",
        [id, company_id],
        tag_from_row,
    )
    .map_err(not_found("tag"))
}

pub(crate) async fn create_tag(db: &Db, company_id: &str, name: &str) -> StoreResult<Tag> {
    let (company_id, name) = (company_id.to_owned(), name.to_owned());
    db.write(move |c| {
        let id = insert_named(c, "tags", prefix::TAG, &company_id, &name, None)?;
        get_tag(c, &company_id, &id)
    })
    .await
}

pub(crate) async fn update_tag(
    db: &Db,
    company_id: &str,
    id: &str,
    name: &str,
) -> StoreResult<Tag> {
    let (company_id, id, name) = (company_id.to_owned(), id.to_owned(), name.to_owned());
    db.write(move |c| {
        rename(c, "tags", "tag", &company_id, &id, &name)?;
        get_tag(c, &company_id, &id)
    })
    .await
}

pub(crate) fn list_lead_sources(
    c: &Connection,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<LeadSource>> {
    list_named(
        c,
        "lead_sources",
        "t.id, t.name, t.editable",
        company_id,
        q,
        list,
        lead_source_from_row,
    )
}

pub(crate) fn get_lead_source(
    c: &Connection,
    company_id: &str,
    id: &str,
) -> StoreResult<LeadSource> {
    c.query_row(
        "select id, name, editable from lead_sources where id = ?1 and company_id = ?2",
        [id, company_id],
        lead_source_from_row,
    )
    .map_err(not_found("lead source"))
}

pub(crate) async fn create_lead_source(
    db: &Db,
    company_id: &str,
    name: &str,
    editable: bool,
) -> StoreResult<LeadSource> {
    let (company_id, name) = (company_id.to_owned(), name.to_owned());
    db.write(move |c| {
        let id = insert_named(
            c,
            "lead_sources",
            prefix::LEAD_SOURCE,
            &company_id,
            &name,
            Some(editable),
        )?;
        get_lead_source(c, &company_id, &id)
    })
    .await
}

pub(crate) async fn update_lead_source(
    db: &Db,
    company_id: &str,
    id: &str,
    name: &str,
) -> StoreResult<LeadSource> {
    let (company_id, id, name) = (company_id.to_owned(), id.to_owned(), name.to_owned());
    db.write(move |c| {
        rename(c, "lead_sources", "lead source", &company_id, &id, &name)?;
        get_lead_source(c, &company_id, &id)
    })
    .await
}

pub(crate) fn list_job_types(
    c: &Connection,
    company_id: &str,
    name: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<JobType>> {
    list_named(
        c,
        "job_types",
        "t.id, t.name",
        company_id,
        name,
        list,
        job_type_from_row,
    )
}

fn get_job_type(c: &Connection, company_id: &str, id: &str) -> StoreResult<JobType> {
    c.query_row(
        "select id, name from job_types where id = ?1 and company_id = ?2",
        [id, company_id],
        job_type_from_row,
    )
    .map_err(not_found("job type"))
}

pub(crate) async fn create_job_type(db: &Db, company_id: &str, name: &str) -> StoreResult<JobType> {
    let (company_id, name) = (company_id.to_owned(), name.to_owned());
    db.write(move |c| {
        let id = insert_named(c, "job_types", prefix::JOB_TYPE, &company_id, &name, None)?;
        get_job_type(c, &company_id, &id)
    })
    .await
}

pub(crate) async fn update_job_type(
    db: &Db,
    company_id: &str,
    id: &str,
    name: &str,
) -> StoreResult<JobType> {
    let (company_id, id, name) = (company_id.to_owned(), id.to_owned(), name.to_owned());
    db.write(move |c| {
        rename(c, "job_types", "job type", &company_id, &id, &name)?;
        get_job_type(c, &company_id, &id)
    })
    .await
}
