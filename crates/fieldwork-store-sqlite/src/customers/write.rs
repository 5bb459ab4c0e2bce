//! Creating and updating customers and their addresses.
//!
//! Every write stores the customer's JSON (`customer_docs`, [`store_json`]) and queues its
//! new search document ([`super::search::queue`]); the writer indexes the batch's documents
//! before it commits.

use fieldwork_store::events::customer_events;
use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::rules::{apply_customer_patch, customer_search_doc};
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{ListParams, Page, StoreResult};
use fieldwork_types::{Address, AddressIn, Customer, CustomerIn, CustomerPatch};
use rusqlite::{Connection, params};

use super::{ADDRESS_COLS, address_from_row, ensure_customer, get, search, store_json};
use crate::db::Db;
use crate::error::{map_err, not_found};
use crate::sql::{collect, count, limit_offset, order_by, to_json};
use crate::webhooks::outbox::emit_all;

/// Creates a customer with its addresses. The returned customer, and the JSON stored with it,
/// are built from the values written (nothing is read back but the company's name, search key
/// and newest `created_at`).
///
/// A company's customers get non-decreasing `created_at`s in insertion (`seq`) order, even if
/// the clock steps back (a new customer then shares the newest one's time): so the
/// `created_at` order of a company's customers is their `seq` order, which lets searches
/// page in the search index's rowid order without reading every match's row, and each gets
/// the next `position` of its company (see `list`).
///
/// The events `emit` names are recorded in the same transaction, carrying the new customer.
pub(crate) async fn create(
    db: &Db,
    company_id: &str,
    new: CustomerIn,
    emit: Vec<String>,
) -> StoreResult<Customer> {
    let company_id = company_id.to_owned();
    db.write(move |c| {
        let (company_name, search_key, newest): (String, i64, Option<i64>) = c
            .prepare_cached(
                "select co.name, co.search_key,
                    (select max(created_at) from customers where company_id = ?1)
                 from companies co where co.id = ?1",
            )
            .and_then(|mut s| s.query_row([&company_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))))
            .map_err(not_found("company"))?;
        let now = now_micros().max(newest.unwrap_or(i64::MIN));
        let customer = Customer {
            id: new_id(prefix::CUSTOMER),
            first_name: new.first_name,
            last_name: new.last_name,
            email: new.email,
            mobile_number: new.mobile_number,
            home_number: new.home_number,
            work_number: new.work_number,
            company: new.company,
            notifications_enabled: new.notifications_enabled.unwrap_or(true),
            lead_source: new.lead_source,
            notes: new.notes,
            created_at: format_ts(now),
            updated_at: format_ts(now),
            company_name,
            company_id,
            tags: new.tags.unwrap_or_default(),
            addresses: new
                .addresses
                .unwrap_or_default()
                .into_iter()
                .map(new_address)
                .collect(),
            attachments: None,
            do_not_service: Some(false),
        };
        let seq = c
            .prepare_cached(
                "insert into customers (id, company_id, first_name, last_name, email,
                    mobile_number, home_number, work_number, company, notifications_enabled,
                    lead_source, notes, tags, created_at, updated_at, position)
                 values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14,
                    coalesce((select max(position) from customers where company_id = ?2), 0) + 1)
                 returning seq",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        customer.id,
                        customer.company_id,
                        customer.first_name,
                        customer.last_name,
                        customer.email,
                        customer.mobile_number,
                        customer.home_number,
                        customer.work_number,
                        customer.company,
                        customer.notifications_enabled,
                        customer.lead_source,
                        customer.notes,
                        to_json(&customer.tags),
                        now
                    ],
                    |r| r.get::<_, i64>(0),
                )
            })
            .map_err(map_err)?;
        for address in &customer.addresses {
            insert_address(c, &customer.company_id, &customer.id, address, now)?;
        }
        store_json(c, seq, &customer)?;
        crate::reference::ensure_tags(c, &customer.company_id, &customer.tags, now)?;
        search::queue(
            c,
            search::doc_rowid(search_key, seq),
            &customer_search_doc(&customer),
        )?;
        emit_all(c, &customer.company_id, &customer_events(&emit, &customer))?;
        Ok(customer)
    })
    .await
}

/// Applies a partial update and records the events `emit` names, carrying the result.
pub(crate) async fn update(
    db: &Db,
    company_id: &str,
    customer_id: &str,
    patch: CustomerPatch,
    emit: Vec<String>,
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
        let customer = refresh_derived(c, &company_id, &customer_id)?;
        emit_all(c, &company_id, &customer_events(&emit, &customer))?;
        Ok(customer)
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

/// Adds an address and records the events `emit` names, carrying the whole customer.
pub(crate) async fn create_address(
    db: &Db,
    company_id: &str,
    customer_id: &str,
    new: AddressIn,
    emit: Vec<String>,
) -> StoreResult<Address> {
    let (company_id, customer_id) = (company_id.to_owned(), customer_id.to_owned());
    db.write(move |c| {
        ensure_customer(c, &company_id, &customer_id)?;
        let now = now_micros();
        let address = new_address(new);
        insert_address(c, &company_id, &customer_id, &address, now)?;
        c.execute(
            "update customers set updated_at = ?1 where id = ?2",
            params![now, customer_id],
        )
        .map_err(map_err)?;
        let customer = refresh_derived(c, &company_id, &customer_id)?;
        emit_all(c, &company_id, &customer_events(&emit, &customer))?;
        get_address(c, &company_id, &customer_id, &address.id)
    })
    .await
}

/// A new address as it will be stored: a new id, the type `service` unless given (as on HCP).
fn new_address(a: AddressIn) -> Address {
    Address {
        id: new_id(prefix::ADDRESS),
        kind: a.kind.unwrap_or_else(|| "service".into()),
        street: a.street,
        street_line_2: a.street_line_2,
        city: a.city,
        state: a.state,
        zip: a.zip,
        country: a.country,
    }
}

/// Inserts an address of a customer.
fn insert_address(
    c: &Connection,
    company_id: &str,
    customer_id: &str,
    address: &Address,
    now: i64,
) -> StoreResult<()> {
    c.prepare_cached(
        "insert into addresses (id, company_id, customer_id, kind, street, street_line_2, city,
            state, zip, country, created_at, updated_at)
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
    )
    .and_then(|mut s| {
        s.execute(params![
            address.id,
            company_id,
            customer_id,
            address.kind,
            address.street,
            address.street_line_2,
            address.city,
            address.state,
            address.zip,
            address.country,
            now
        ])
    })
    .map_err(map_err)?;
    Ok(())
}

/// Stores the customer's JSON and queues its search document, both made from its current row
/// and addresses; returns the customer as read for them.
fn refresh_derived(c: &Connection, company_id: &str, customer_id: &str) -> StoreResult<Customer> {
    let customer = get(c, company_id, customer_id)?;
    let (seq, search_key): (i64, i64) = c
        .prepare_cached(
            "select c.seq, co.search_key from customers c join companies co on co.id = c.company_id
             where c.id = ?1",
        )
        .and_then(|mut s| s.query_row([customer_id], |r| Ok((r.get(0)?, r.get(1)?))))
        .map_err(map_err)?;
    store_json(c, seq, &customer)?;
    search::queue(
        c,
        search::doc_rowid(search_key, seq),
        &customer_search_doc(&customer),
    )?;
    Ok(customer)
}
