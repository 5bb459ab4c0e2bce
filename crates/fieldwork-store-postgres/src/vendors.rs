//! Vendors: the supplier companies a business buys parts from.

use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::rules::apply_vendor_patch;
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{ListParams, Page, StoreError, StoreResult};
use fieldwork_types::{Vendor, VendorAddress, VendorIn, VendorPatch};
use tokio_postgres::Row;
use tokio_postgres::types::Json;

use crate::db::{Db, Params, query, query_opt, transaction};
use crate::error::found;
use crate::sql::{JsonCol, ascii_lower, limit_offset, name_pattern, order_by, to_total};

const COLS: &str = "v.id, v.name, v.contact_name, v.email, v.phone, v.address, v.notes, v.tags,
    v.created_at, v.updated_at, v.company_id";

fn from_row(r: &Row) -> Vendor {
    Vendor {
        id: r.get(0),
        name: r.get(1),
        contact_name: r.get(2),
        email: r.get(3),
        phone: r.get(4),
        address: r
            .get::<_, Option<JsonCol<VendorAddress>>>(5)
            .and_then(|a| a.0),
        notes: r.get(6),
        tags: r.get::<_, JsonCol<_>>(7).or_default(),
        created_at: format_ts(r.get(8)),
        updated_at: format_ts(r.get(9)),
        company_id: r.get(10),
    }
}

pub(crate) async fn get(db: &Db, company_id: &str, vendor_id: &str) -> StoreResult<Vendor> {
    let row = db
        .query_opt(
            &format!("select {COLS} from vendors v where v.id = $1 and v.company_id = $2"),
            &[&vendor_id, &company_id],
        )
        .await?;
    found(row.as_ref().map(from_row), "vendor")
}

pub(crate) async fn list(
    db: &Db,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<Vendor>> {
    let pattern = name_pattern(q);
    let cond = format!(
        "v.company_id = $1 and ($2::text is null or {} like $2 or {} like $2 or {} like $2)",
        ascii_lower("v.name"),
        ascii_lower("v.contact_name"),
        ascii_lower("v.email")
    );
    let (limit, offset) = limit_offset(list);
    let count_sql = format!("select count(*) from vendors v where {cond}");
    let list_sql = format!(
        "select {COLS} from vendors v where {cond} order by {} limit $3 offset $4",
        order_by(list, "v")
    );
    let client = db.client().await?;
    let params: &Params = &[&company_id, &pattern, &limit, &offset];
    let (count, rows) = tokio::try_join!(
        query_opt(&client, &count_sql, &params[..2]),
        query(&client, &list_sql, params),
    )?;
    Ok(Page {
        items: rows.iter().map(from_row).collect(),
        total: count.map_or(0, |r| to_total(r.get(0))),
    })
}

pub(crate) async fn create(db: &Db, company_id: &str, new: VendorIn) -> StoreResult<Vendor> {
    let row = db
        .query_opt(
            &format!(
                "insert into vendors as v (id, company_id, name, contact_name, email, phone,
                    address, notes, tags, created_at, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
                 returning {COLS}"
            ),
            &[
                &new_id(prefix::VENDOR),
                &company_id,
                &new.name.unwrap_or_default(),
                &new.contact_name,
                &new.email,
                &new.phone,
                &new.address.as_ref().map(Json),
                &new.notes,
                &Json(new.tags.unwrap_or_default()),
                &now_micros(),
            ],
        )
        .await?;
    found(row.as_ref().map(from_row), "vendor")
}

/// Applies a partial update to the vendor row, locked so concurrent updates do not lose fields.
pub(crate) async fn update(
    db: &Db,
    company_id: &str,
    vendor_id: &str,
    patch: VendorPatch,
) -> StoreResult<Vendor> {
    transaction!(db, |tx| async {
        let row = query_opt(
            &tx,
            &format!(
                "select {COLS} from vendors v where v.id = $1 and v.company_id = $2 for update"
            ),
            &[&vendor_id, &company_id],
        )
        .await?;
        let mut v = found(row.as_ref().map(from_row), "vendor")?;
        apply_vendor_patch(&mut v, patch.clone());
        let row = query_opt(
            &tx,
            &format!(
                "update vendors v set name = $1, contact_name = $2, email = $3, phone = $4,
                    address = $5, notes = $6, tags = $7, updated_at = $8
                 where v.id = $9 and v.company_id = $10
                 returning {COLS}"
            ),
            &[
                &v.name,
                &v.contact_name,
                &v.email,
                &v.phone,
                &v.address.as_ref().map(Json),
                &v.notes,
                &Json(&v.tags),
                &now_micros(),
                &vendor_id,
                &company_id,
            ],
        )
        .await?;
        found(row.as_ref().map(from_row), "vendor")
    }
    .await)
}

pub(crate) async fn delete(db: &Db, company_id: &str, vendor_id: &str) -> StoreResult<()> {
    let n = db
        .execute(
            "delete from vendors where id = $1 and company_id = $2",
            &[&vendor_id, &company_id],
        )
        .await?;
    if n == 0 {
        Err(StoreError::NotFound("vendor"))
    } else {
        Ok(())
    }
}
