//! Customers, their addresses, and the search text behind `q=`.

use std::collections::HashMap;

use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::rules::{apply_customer_patch, customer_search_doc, search_patterns};
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{ListParams, Page, StoreError, StoreResult};
use fieldwork_types::{Address, AddressIn, Customer, CustomerIn, CustomerPatch};
use rusqlite::{Connection, Row, params, params_from_iter};

use crate::db::Db;
use crate::error::{map_err, not_found};
use crate::sql::{collect, count, from_json, limit_offset, order_by, to_json};

const COLS: &str = "c.seq, c.id, c.first_name, c.last_name, c.email, c.mobile_number,
    c.home_number, c.work_number, c.company, c.notifications_enabled, c.lead_source, c.notes,
    c.created_at, c.updated_at, co.name, c.company_id, c.tags, c.do_not_service";

const ADDRESS_COLS: &str = "id, kind, street, street_line_2, city, state, zip, country";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    let tags: String = r.get(16)?;
    Ok(Customer {
        id: r.get(1)?,
        first_name: r.get(2)?,
        last_name: r.get(3)?,
        email: r.get(4)?,
        mobile_number: r.get(5)?,
        home_number: r.get(6)?,
        work_number: r.get(7)?,
        company: r.get(8)?,
        notifications_enabled: r.get(9)?,
        lead_source: r.get(10)?,
        notes: r.get(11)?,
        created_at: format_ts(r.get(12)?),
        updated_at: format_ts(r.get(13)?),
        company_name: r.get(14)?,
        company_id: r.get(15)?,
        tags: from_json(&tags),
        addresses: Vec::new(),
        attachments: None,
        do_not_service: Some(r.get(17)?),
    })
}

fn address_from_row(r: &Row<'_>) -> rusqlite::Result<Address> {
    Ok(Address {
        id: r.get(0)?,
        kind: r.get(1)?,
        street: r.get(2)?,
        street_line_2: r.get(3)?,
        city: r.get(4)?,
        state: r.get(5)?,
        zip: r.get(6)?,
        country: r.get(7)?,
    })
}

pub(crate) fn get(c: &Connection, company_id: &str, customer_id: &str) -> StoreResult<Customer> {
    let mut customer = c
        .prepare_cached(&format!(
            "select {COLS} from customers c join companies co on co.id = c.company_id
             where c.id = ?1 and c.company_id = ?2"
        ))
        .and_then(|mut s| s.query_row([customer_id, company_id], from_row))
        .map_err(not_found("customer"))?;
    customer.addresses = collect(
        c,
        &format!(
            "select {ADDRESS_COLS} from addresses where customer_id = ?1 order by created_at, seq"
        ),
        [customer_id],
        address_from_row,
    )?;
    Ok(customer)
}

pub(crate) fn list(
    c: &Connection,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<Customer>> {
    let patterns = q.map(search_patterns).unwrap_or_default();
    // Search goes through the trigram index: one `doc like ?` per term, all must match.
    let search: String = patterns
        .iter()
        .enumerate()
        .map(|(i, _)| format!(" and doc like ?{}", i + 2))
        .collect();
    let filter = if patterns.is_empty() {
        String::new()
    } else {
        format!(" and c.seq in (select rowid from customers_fts where 1 = 1{search})")
    };
    let mut args: Vec<String> = Vec::with_capacity(patterns.len() + 1);
    args.push(company_id.to_owned());
    args.extend(patterns.iter().cloned());

    let total = count(
        c,
        &format!("select count(*) from customers c where c.company_id = ?1{filter}"),
        params_from_iter(args.iter()),
    )?;
    let (limit, offset) = limit_offset(list);
    let n = args.len();
    let sql = format!(
        "select {COLS} from customers c join companies co on co.id = c.company_id
         where c.company_id = ?1{filter}
         order by {} limit ?{} offset ?{}",
        order_by(list, "c"),
        n + 1,
        n + 2
    );
    let mut stmt = c.prepare_cached(&sql).map_err(map_err)?;
    let mut values: Vec<rusqlite::types::Value> =
        args.into_iter().map(rusqlite::types::Value::Text).collect();
    values.push(limit.into());
    values.push(offset.into());
    let mut items = stmt
        .query_map(params_from_iter(values), from_row)
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(map_err)?;
    attach_addresses(c, &mut items)?;
    Ok(Page { items, total })
}

/// Loads the addresses of a page of customers in one query.
fn attach_addresses(c: &Connection, customers: &mut [Customer]) -> StoreResult<()> {
    if customers.is_empty() {
        return Ok(());
    }
    let placeholders = vec!["?"; customers.len()].join(",");
    let sql = format!(
        "select customer_id, {ADDRESS_COLS} from addresses where customer_id in ({placeholders})
         order by created_at, seq"
    );
    let mut by_customer: HashMap<String, Vec<Address>> = HashMap::new();
    let mut stmt = c.prepare_cached(&sql).map_err(map_err)?;
    let mut rows = stmt
        .query(params_from_iter(customers.iter().map(|c| c.id.as_str())))
        .map_err(map_err)?;
    while let Some(row) = rows.next().map_err(map_err)? {
        let customer_id: String = row.get(0).map_err(map_err)?;
        let address = Address {
            id: row.get(1).map_err(map_err)?,
            kind: row.get(2).map_err(map_err)?,
            street: row.get(3).map_err(map_err)?,
            street_line_2: row.get(4).map_err(map_err)?,
            city: row.get(5).map_err(map_err)?,
            state: row.get(6).map_err(map_err)?,
            zip: row.get(7).map_err(map_err)?,
            country: row.get(8).map_err(map_err)?,
        };
        by_customer.entry(customer_id).or_default().push(address);
    }
    for customer in customers {
        customer.addresses = by_customer.remove(&customer.id).unwrap_or_default();
    }
    Ok(())
}

pub(crate) async fn create(db: &Db, company_id: &str, new: CustomerIn) -> StoreResult<Customer> {
    let company_id = company_id.to_owned();
    db.write(move |c| {
        let id = new_id(prefix::CUSTOMER);
        let now = now_micros();
        let tags = new.tags.unwrap_or_default();
        c.prepare_cached(
            "insert into customers (id, company_id, first_name, last_name, email, mobile_number,
                home_number, work_number, company, notifications_enabled, lead_source, notes,
                tags, created_at, updated_at)
             values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
        )
        .and_then(|mut s| {
            s.execute(params![
                id,
                company_id,
                new.first_name,
                new.last_name,
                new.email,
                new.mobile_number,
                new.home_number,
                new.work_number,
                new.company,
                new.notifications_enabled.unwrap_or(true),
                new.lead_source,
                new.notes,
                to_json(&tags),
                now
            ])
        })
        .map_err(map_err)?;
        for address in new.addresses.unwrap_or_default() {
            insert_address(c, &company_id, &id, address, now)?;
        }
        crate::reference::ensure_tags(c, &company_id, &tags, now)?;
        refresh_search(c, &company_id, &id)?;
        get(c, &company_id, &id)
    })
    .await
}

pub(crate) async fn update(
    db: &Db,
    company_id: &str,
    customer_id: &str,
    patch: CustomerPatch,
) -> StoreResult<Customer> {
    let (company_id, customer_id) = (company_id.to_owned(), customer_id.to_owned());
    db.write(move |c| {
        let mut current = get(c, &company_id, &customer_id)?;
        let now = now_micros();
        apply_customer_patch(&mut current, patch);
        c.prepare_cached(
            "update customers set first_name = ?1, last_name = ?2, email = ?3, mobile_number = ?4,
                home_number = ?5, work_number = ?6, company = ?7, notifications_enabled = ?8,
                lead_source = ?9, notes = ?10, tags = ?11, updated_at = ?12
             where id = ?13 and company_id = ?14",
        )
        .and_then(|mut s| {
            s.execute(params![
                current.first_name,
                current.last_name,
                current.email,
                current.mobile_number,
                current.home_number,
                current.work_number,
                current.company,
                current.notifications_enabled,
                current.lead_source,
                current.notes,
                to_json(&current.tags),
                now,
                customer_id,
                company_id
            ])
        })
        .map_err(map_err)?;
        crate::reference::ensure_tags(c, &company_id, &current.tags, now)?;
        refresh_search(c, &company_id, &customer_id)?;
        get(c, &company_id, &customer_id)
    })
    .await
}

pub(crate) fn list_addresses(
    c: &Connection,
    company_id: &str,
    customer_id: &str,
    list: &ListParams,
) -> StoreResult<Page<Address>> {
    ensure_customer(c, company_id, customer_id)?;
    let total = count(
        c,
        "select count(*) from addresses where customer_id = ?1",
        [customer_id],
    )?;
    let (limit, offset) = limit_offset(list);
    let items = collect(
        c,
        &format!(
            "select {ADDRESS_COLS}, seq from addresses a where customer_id = ?1
             order by {} limit ?2 offset ?3",
            order_by(list, "a")
        ),
        params![customer_id, limit, offset],
        address_from_row,
    )?;
    Ok(Page { items, total })
}

pub(crate) fn get_address(
    c: &Connection,
    company_id: &str,
    customer_id: &str,
    address_id: &str,
) -> StoreResult<Address> {
    ensure_customer(c, company_id, customer_id)?;
    c.prepare_cached(&format!(
        "select {ADDRESS_COLS} from addresses where id = ?1 and customer_id = ?2"
    ))
    .and_then(|mut s| s.query_row([address_id, customer_id], address_from_row))
    .map_err(not_found("address"))
}

pub(crate) async fn create_address(
    db: &Db,
    company_id: &str,
    customer_id: &str,
    new: AddressIn,
) -> StoreResult<Address> {
    let (company_id, customer_id) = (company_id.to_owned(), customer_id.to_owned());
    db.write(move |c| {
        ensure_customer(c, &company_id, &customer_id)?;
        let now = now_micros();
        let id = insert_address(c, &company_id, &customer_id, new, now)?;
        c.execute(
            "update customers set updated_at = ?1 where id = ?2",
            params![now, customer_id],
        )
        .map_err(map_err)?;
        refresh_search(c, &company_id, &customer_id)?;
        get_address(c, &company_id, &customer_id, &id)
    })
    .await
}

fn ensure_customer(c: &Connection, company_id: &str, customer_id: &str) -> StoreResult<()> {
    let found: bool = c
        .prepare_cached("select count(*) from customers where id = ?1 and company_id = ?2")
        .and_then(|mut s| s.query_row([customer_id, company_id], |r| r.get(0)))
        .map_err(map_err)?;
    if found {
        Ok(())
    } else {
        Err(StoreError::NotFound("customer"))
    }
}

fn insert_address(
    c: &Connection,
    company_id: &str,
    customer_id: &str,
    a: AddressIn,
    now: i64,
) -> StoreResult<String> {
    let id = new_id(prefix::ADDRESS);
    c.prepare_cached(
        "insert into addresses (id, company_id, customer_id, kind, street, street_line_2, city,
            state, zip, country, created_at, updated_at)
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
    )
    .and_then(|mut s| {
        s.execute(params![
            id,
            company_id,
            customer_id,
            a.kind.as_deref().unwrap_or("service"),
            a.street,
            a.street_line_2,
            a.city,
            a.state,
            a.zip,
            a.country,
            now
        ])
    })
    .map_err(map_err)?;
    Ok(id)
}

/// Rewrites the customer's search text from its current row and addresses.
fn refresh_search(c: &Connection, company_id: &str, customer_id: &str) -> StoreResult<()> {
    let customer = get(c, company_id, customer_id)?;
    let seq: i64 = c
        .prepare_cached("select seq from customers where id = ?1")
        .and_then(|mut s| s.query_row([customer_id], |r| r.get(0)))
        .map_err(map_err)?;
    c.prepare_cached("delete from customers_fts where rowid = ?1")
        .and_then(|mut s| s.execute([seq]))
        .map_err(map_err)?;
    c.prepare_cached("insert into customers_fts (rowid, doc) values (?1, ?2)")
        .and_then(|mut s| s.execute(params![seq, customer_search_doc(&customer)]))
        .map_err(map_err)?;
    Ok(())
}
