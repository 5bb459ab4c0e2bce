//! Tags, lead sources and job types: named reference objects of a company.

use deadpool_postgres::GenericClient;
use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::time::now_micros;
use fieldwork_store::{ListParams, Page, StoreResult};
use fieldwork_types::{JobType, LeadSource, Tag};
use tokio_postgres::Row;

use crate::db::{Db, Params, execute, query, query_opt};
use crate::error::found;
use crate::sql::{ascii_lower, limit_offset, name_pattern, order_by, to_total};

/// One kind of named object: its table, columns and the name of the object in errors.
struct Kind {
    table: &'static str,
    /// Columns as `t.…`, id and name first.
    cols: &'static str,
    id_prefix: &'static str,
    what: &'static str,
}

const TAGS: Kind = Kind {
    table: "tags",
    cols: "t.id, t.name",
    id_prefix: prefix::TAG,
    what: "tag",
};
const LEAD_SOURCES: Kind = Kind {
    table: "lead_sources",
    cols: "t.id, t.name, t.editable",
    id_prefix: prefix::LEAD_SOURCE,
    what: "lead source",
};
const JOB_TYPES: Kind = Kind {
    table: "job_types",
    cols: "t.id, t.name",
    id_prefix: prefix::JOB_TYPE,
    what: "job type",
};

fn tag_from_row(r: &Row) -> Tag {
    Tag {
        id: r.get(0),
        name: r.get(1),
    }
}

fn lead_source_from_row(r: &Row) -> LeadSource {
    LeadSource {
        id: r.get(0),
        name: r.get(1),
        editable: r.get(2),
    }
}

fn job_type_from_row(r: &Row) -> JobType {
    JobType {
        id: r.get(0),
        name: r.get(1),
    }
}

/// Lists the objects of `kind` whose name contains `filter` (case-insensitively), paged.
async fn list_named<T>(
    db: &Db,
    kind: &Kind,
    company_id: &str,
    filter: Option<&str>,
    list: &ListParams,
    map: fn(&Row) -> T,
) -> StoreResult<Page<T>> {
    let pattern = name_pattern(filter);
    let cond = format!(
        "t.company_id = $1 and ($2::text is null or {} like $2)",
        ascii_lower("t.name")
    );
    let (limit, offset) = limit_offset(list);
    let client = db.client().await?;
    let count_sql = format!("select count(*) from {} t where {cond}", kind.table);
    let list_sql = format!(
        "select {} from {} t where {cond} order by {} limit $3 offset $4",
        kind.cols,
        kind.table,
        order_by(list, "t")
    );
    let params: &Params = &[&company_id, &pattern, &limit, &offset];
    let (count, rows) = tokio::try_join!(
        query_opt(&client, &count_sql, &params[..2]),
        query(&client, &list_sql, params),
    )?;
    Ok(Page {
        items: rows.iter().map(map).collect(),
        total: count.map_or(0, |r| to_total(r.get(0))),
    })
}

/// Inserts a named object and returns its row; `Conflict` on a duplicate name.
async fn insert_named(
    db: &Db,
    kind: &Kind,
    company_id: &str,
    name: &str,
    editable: Option<bool>,
) -> StoreResult<Row> {
    let now = now_micros();
    let id = new_id(kind.id_prefix);
    let row = match editable {
        Some(editable) => {
            db.query_opt(
                &format!(
                    "insert into {} as t (id, company_id, name, editable, created_at,
                         updated_at)
                     values ($1, $2, $3, $4, $5, $5) returning {}",
                    kind.table, kind.cols
                ),
                &[&id, &company_id, &name, &editable, &now],
            )
            .await?
        }
        None => {
            db.query_opt(
                &format!(
                    "insert into {} as t (id, company_id, name, created_at, updated_at)
                     values ($1, $2, $3, $4, $4) returning {}",
                    kind.table, kind.cols
                ),
                &[&id, &company_id, &name, &now],
            )
            .await?
        }
    };
    found(row, kind.what)
}

/// Renames an object and returns its row; `NotFound` when it is not in the company.
async fn rename(db: &Db, kind: &Kind, company_id: &str, id: &str, name: &str) -> StoreResult<Row> {
    let row = db
        .query_opt(
            &format!(
                "update {} t set name = $1, updated_at = $2 where t.id = $3 and t.company_id = $4
                 returning {}",
                kind.table, kind.cols
            ),
            &[&name, &now_micros(), &id, &company_id],
        )
        .await?;
    found(row, kind.what)
}

/// Makes sure a tag object exists for each name (customers carry tag names, as in HCP), in the
/// order given.
pub(crate) async fn ensure_tags(
    c: &impl GenericClient,
    company_id: &str,
    names: &[String],
    now: i64,
) -> StoreResult<()> {
    if names.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = names.iter().map(|_| new_id(prefix::TAG)).collect();
    execute(
        c,
        "insert into tags (id, company_id, name, created_at, updated_at)
         select u.id, $1, u.name, $4, $4
         from unnest($2::text[], $3::text[]) with ordinality as u (id, name, n)
         order by u.n
         on conflict do nothing",
        &[&company_id, &ids, &names, &now],
    )
    .await?;
    Ok(())
}

pub(crate) async fn list_tags(
    db: &Db,
    company_id: &str,
    list: &ListParams,
) -> StoreResult<Page<Tag>> {
    list_named(db, &TAGS, company_id, None, list, tag_from_row).await
}

pub(crate) async fn get_tag(db: &Db, company_id: &str, tag_id: &str) -> StoreResult<Tag> {
    let row = db
        .query_opt(
            "select id, name from tags where company_id = $1 and id = $2",
            &[&company_id, &tag_id],
        )
        .await?;
    found(row.as_ref().map(tag_from_row), "tag")
}

pub(crate) async fn create_tag(db: &Db, company_id: &str, name: &str) -> StoreResult<Tag> {
    let row = insert_named(db, &TAGS, company_id, name, None).await?;
    Ok(tag_from_row(&row))
}

pub(crate) async fn update_tag(
    db: &Db,
    company_id: &str,
    id: &str,
    name: &str,
) -> StoreResult<Tag> {
    let row = rename(db, &TAGS, company_id, id, name).await?;
    Ok(tag_from_row(&row))
}

pub(crate) async fn list_lead_sources(
    db: &Db,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<LeadSource>> {
    list_named(db, &LEAD_SOURCES, company_id, q, list, lead_source_from_row).await
}

pub(crate) async fn get_lead_source(
    db: &Db,
    company_id: &str,
    id: &str,
) -> StoreResult<LeadSource> {
    let row = db
        .query_opt(
            "select id, name, editable from lead_sources where id = $1 and company_id = $2",
            &[&id, &company_id],
        )
        .await?;
    found(row.as_ref().map(lead_source_from_row), LEAD_SOURCES.what)
}

pub(crate) async fn create_lead_source(
    db: &Db,
    company_id: &str,
    name: &str,
    editable: bool,
) -> StoreResult<LeadSource> {
    let row = insert_named(db, &LEAD_SOURCES, company_id, name, Some(editable)).await?;
    Ok(lead_source_from_row(&row))
}

pub(crate) async fn update_lead_source(
    db: &Db,
    company_id: &str,
    id: &str,
    name: &str,
) -> StoreResult<LeadSource> {
    let row = rename(db, &LEAD_SOURCES, company_id, id, name).await?;
    Ok(lead_source_from_row(&row))
}

pub(crate) async fn list_job_types(
    db: &Db,
    company_id: &str,
    name: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<JobType>> {
    list_named(db, &JOB_TYPES, company_id, name, list, job_type_from_row).await
}

pub(crate) async fn create_job_type(db: &Db, company_id: &str, name: &str) -> StoreResult<JobType> {
    let row = insert_named(db, &JOB_TYPES, company_id, name, None).await?;
    Ok(job_type_from_row(&row))
}

pub(crate) async fn update_job_type(
    db: &Db,
    company_id: &str,
    id: &str,
    name: &str,
) -> StoreResult<JobType> {
    let row = rename(db, &JOB_TYPES, company_id, id, name).await?;
    Ok(job_type_from_row(&row))
}
