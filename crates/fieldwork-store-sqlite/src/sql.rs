//! Small helpers shared by the table modules: JSON columns, ordering, paging.

use fieldwork_store::{ListParams, SortDirection, StoreResult};
use rusqlite::{Connection, Params};
use serde::{Serialize, de::DeserializeOwned};

use crate::error::map_err;

/// Serializes a value for a JSON column.
pub(crate) fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serializes")
}

/// Reads a JSON column; a corrupt value reads as the type's default rather than failing a list.
pub(crate) fn from_json<T: DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}

/// `order by` body for a list: the sort column of `table_alias`, then insertion order.
pub(crate) fn order_by(list: &ListParams, alias: &str) -> String {
    let dir = match list.sort.direction {
        SortDirection::Asc => "asc",
        SortDirection::Desc => "desc",
    };
    format!(
        "{alias}.{col} {dir}, {alias}.seq {dir}",
        col = list.sort.field.column()
    )
}

/// `limit ? offset ?` values for a page.
pub(crate) fn limit_offset(list: &ListParams) -> (i64, i64) {
    (
        i64::from(list.page_size),
        i64::try_from(list.offset()).unwrap_or(i64::MAX),
    )
}

/// Runs a `select count(*)` query.
pub(crate) fn count(conn: &Connection, sql: &str, params: impl Params) -> StoreResult<u64> {
    let n: i64 = conn
        .prepare_cached(sql)
        .and_then(|mut s| s.query_row(params, |r| r.get(0)))
        .map_err(map_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Collects a query's rows through `map`.
pub(crate) fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt.query_map(params, map).map_err(map_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(map_err)
}
