//! Vendors: the supplier companies a business buys parts from.

use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::rules::apply_vendor_patch;
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{ListParams, Page, StoreError, StoreResult};
use fieldwork_types::{Vendor, VendorAddress, VendorIn, VendorPatch};
use rusqlite::{Connection, Row, params};

use crate::db::Db;
use crate::error::{map_err, not_found};
use crate::sql::{collect, count, limit_offset, order_by, to_json};

const COLS: &str = "v.id, v.name, v.contact_name, v.email, v.phone, v.address, v.notes, v.tags,
    v.created_at, v.updated_at, v.company_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Vendor> {
    let address: Option<String> = r.get(5)?;
    let tags: String = r.get(7)?;
    Ok(Vendor {
        id: r.get(0)?,
        name: r.get(1)?,
        contact_name: r.get(2)?,
        email: r.get(3)?,
        phone: r.get(4)?,
        address: address.and_then(|a| serde_json::from_str::<VendorAddress>(&a).ok()),
        notes: r.get(6)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        created_at: format_ts(r.get(8)?),
        updated_at: format_ts(r.get(9)?),
        company_id: r.get(10)?,
    })
}

pub(crate) fn get(c: &Connection, company_id: &str, vendor_id: &str) -> StoreResult<Vendor> {
    c.prepare_cached(&format!(
        "select {COLS} from vendors v where v.id = ?1 and v.company_id = ?2"
    ))
    .and_then(|mut s| s.query_row([vendor_id, company_id], from_row))
    .map_err(not_found("vendor"))
}

pub(crate) fn list(
    c: &Connection,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<Vendor>> {
    let pattern = q
        .map(|f| f.trim().replace(['%', '_'], ""))
        .filter(|f| !f.is_empty())
        .map(|f| format!("%{f}%"));
    let cond = "(?2 is null or v.name like ?2 or v.contact_name like ?2 or v.email like ?2)";
    let total = count(
        c,
        &format!("select count(*) from vendors v where v.company_id = ?1 and {cond}"),
        params![company_id, pattern],
    )?;
    let (limit, offset) = limit_offset(list);
    let items = collect(
        c,
        &format!(
            "select {COLS} from vendors v where v.company_id = ?1 and {cond}
             order by {} limit ?3 offset ?4",
            order_by(list, "v")
        ),
        params![company_id, pattern, limit, offset],
        from_row,
    )?;
    Ok(Page { items, total })
}

pub(crate) async fn create(db: &Db, company_id: &str, new: VendorIn) -> StoreResult<Vendor> {
    let company_id = company_id.to_owned();
    db.write(move |c| {
        let id = new_id(prefix::VENDOR);
        let now = now_micros();
        c.execute(
            "insert into vendors (id, company_id, name, contact_name, email, phone, address, notes,
                tags, created_at, updated_at)
             values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            params![
                id,
                company_id,
                new.name.unwrap_or_default(),
                new.contact_name,
                new.email,
                new.phone,
                new.address.as_ref().map(to_json),
                new.notes,
                to_json(&new.tags.unwrap_or_default()),
                now
            ],
        )
        .map_err(map_err)?;
        get(c, &company_id, &id)
    })
    .await
}

pub(crate) async fn update(
    db: &Db,
    company_id: &str,
    vendor_id: &str,
    patch: VendorPatch,
) -> StoreResult<Vendor> {
    let (company_id, vendor_id) = (company_id.to_owned(), vendor_id.to_owned());
    db.write(move |c| {
        let mut v = get(c, &company_id, &vendor_id)?;
        apply_vendor_patch(&mut v, patch);
        c.execute(
            "update vendors set name = ?1, contact_name = ?2, email = ?3, phone = ?4, address = ?5,
                notes = ?6, tags = ?7, updated_at = ?8
             where id = ?9 and company_id = ?10",
            params![
                v.name,
                v.contact_name,
                v.email,
                v.phone,
                v.address.as_ref().map(to_json),
                v.notes,
                to_json(&v.tags),
                now_micros(),
                vendor_id,
                company_id
            ],
        )
        .map_err(map_err)?;
        get(c, &company_id, &vendor_id)
    })
    .await
}

pub(crate) async fn delete(db: &Db, company_id: &str, vendor_id: &str) -> StoreResult<()> {
    let (company_id, vendor_id) = (company_id.to_owned(), vendor_id.to_owned());
    db.write(move |c| {
        let n = c
            .execute(
                "delete from vendors where id = ?1 and company_id = ?2",
                [&vendor_id, &company_id],
            )
            .map_err(map_err)?;
        if n == 0 {
            Err(StoreError::NotFound("vendor"))
        } else {
            Ok(())
        }
    })
    .await
}
