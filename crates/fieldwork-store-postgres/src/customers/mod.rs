//! Customers with their addresses: the row mapping and single reads here; lists and searches
//! in `list`, writes in `write`.
//!
//! Every call is one statement (an update is one transaction). A customer and its addresses
//! come back as a left join, one row per address; a page of customers likewise. Every write
//! also stores the customer's JSON (`doc`), which `get_json` and `list_json` answer with as
//! it is. Customers' positions in creation order, for paging, are in `positions`.

mod list;
mod positions;
mod words;
mod write;

use std::sync::LazyLock;

use deadpool_postgres::GenericClient;
use fieldwork_store::StoreResult;
use fieldwork_store::rules::customer_json;
use fieldwork_store::time::format_ts;
use fieldwork_types::{Address, Customer};
use tokio_postgres::Row;

use crate::db::{Db, query, query_opt};
use crate::error::found;
use crate::sql::JsonCol;

pub(crate) use list::{list, list_json};
pub(crate) use positions::spawn_positioner;
#[cfg(feature = "testing")]
pub(crate) use positions::{Busy, position_all};
pub(crate) use words::{KnownWords, sync as sync_words};
pub(crate) use write::{create, insert_addresses, new_address, update};

/// Customer columns (0..=16), then address columns (17..=24, null without an address).
pub(crate) const COLS: &str =
    "c.id, c.first_name, c.last_name, c.email, c.mobile_number, c.home_number,
    c.work_number, c.company, c.notifications_enabled, c.lead_source, c.notes, c.created_at,
    c.updated_at, co.name, c.company_id, c.tags, c.do_not_service,
    a.id, a.kind, a.street, a.street_line_2, a.city, a.state, a.zip, a.country";

/// Joins of [`COLS`]: the company's name and the addresses, oldest first.
pub(crate) const JOINS: &str = "join companies co on co.id = c.company_id
    left join addresses a on a.company_id = c.company_id and a.customer_id = c.id";

/// Address columns as `a.…`.
pub(crate) const ADDRESS_COLS: &str =
    "a.id, a.kind, a.street, a.street_line_2, a.city, a.state, a.zip, a.country";

fn customer_from_row(r: &Row) -> Customer {
    Customer {
        id: r.get(0),
        first_name: r.get(1),
        last_name: r.get(2),
        email: r.get(3),
        mobile_number: r.get(4),
        home_number: r.get(5),
        work_number: r.get(6),
        company: r.get(7),
        notifications_enabled: r.get(8),
        lead_source: r.get(9),
        notes: r.get(10),
        created_at: format_ts(r.get(11)),
        updated_at: format_ts(r.get(12)),
        company_name: r.get(13),
        company_id: r.get(14),
        tags: r.get::<_, JsonCol<_>>(15).or_default(),
        addresses: Vec::new(),
        attachments: None,
        do_not_service: Some(r.get(16)),
    }
}

/// Reads an address from columns `at..at + 8` ([`ADDRESS_COLS`]); `None` for a null id.
pub(crate) fn address_from_row(r: &Row, at: usize) -> Option<Address> {
    Some(Address {
        id: r.get::<_, Option<String>>(at)?,
        kind: r.get(at + 1),
        street: r.get(at + 2),
        street_line_2: r.get(at + 3),
        city: r.get(at + 4),
        state: r.get(at + 5),
        zip: r.get(at + 6),
        country: r.get(at + 7),
    })
}

/// Folds rows of [`COLS`] (a customer's rows adjacent) into customers with their addresses;
/// a row without a customer (an empty page) is skipped.
pub(crate) fn customers_from_rows(rows: &[Row]) -> Vec<Customer> {
    let mut out: Vec<Customer> = Vec::new();
    for r in rows {
        let Some(id) = r.get::<_, Option<&str>>(0) else {
            continue;
        };
        if out.last().is_none_or(|c| c.id != id) {
            out.push(customer_from_row(r));
        }
        if let (Some(c), Some(a)) = (out.last_mut(), address_from_row(r, 17)) {
            c.addresses.push(a);
        }
    }
    out
}

/// Reads one customer with its addresses.
static LOAD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select {COLS} from customers c {JOINS}
         where c.company_id = $1 and c.id = $2
         order by a.created_at, a.seq"
    )
});

/// [`LOAD`], locking the customer's row until the transaction ends.
static LOAD_FOR_UPDATE: LazyLock<String> = LazyLock::new(|| format!("{} for update of c", *LOAD));

/// One customer with its addresses; with `lock`, the row is locked for the transaction.
pub(crate) async fn load(
    c: &impl GenericClient,
    company_id: &str,
    customer_id: &str,
    lock: bool,
) -> StoreResult<Customer> {
    let sql = if lock { &LOAD_FOR_UPDATE } else { &LOAD };
    let rows = query(c, sql, &[&company_id, &customer_id]).await?;
    found(customers_from_rows(&rows).pop(), "customer")
}

/// Reads several customers with their addresses.
static LOAD_MANY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select {COLS} from customers c {JOINS}
         where c.company_id = $1 and c.id = any($2::text[])
         order by c.id, a.created_at, a.seq"
    )
});

/// The stored JSON of the customers with these ids that exist in the company (a read of the
/// primary key alone; joining the addresses took the planner to hashing all of a company's
/// addresses, most of a page of jobs' 0.8 ms here), rendered from their columns for the few
/// without one.
pub(crate) async fn get_many_json(
    db: &Db,
    company_id: &str,
    ids: &[String],
) -> StoreResult<Vec<String>> {
    let rows = db
        .query(
            "select id, doc from customers where company_id = $1 and id = any($2::text[])",
            &[&company_id, &ids],
        )
        .await?;
    let mut docs = Vec::with_capacity(rows.len());
    let mut undocumented = Vec::new();
    for r in &rows {
        match r.get::<_, Option<String>>(1) {
            Some(doc) => docs.push(doc),
            None => undocumented.push(r.get::<_, String>(0)),
        }
    }
    if !undocumented.is_empty() {
        let customers = from_columns(db, company_id, &undocumented).await?;
        docs.extend(customers.iter().map(customer_json));
    }
    Ok(docs)
}

/// The customers with these ids that exist in the company, read from their columns.
pub(crate) async fn from_columns(
    db: &Db,
    company_id: &str,
    ids: &[String],
) -> StoreResult<Vec<Customer>> {
    let rows = db.query(&LOAD_MANY, &[&company_id, &ids]).await?;
    Ok(customers_from_rows(&rows))
}

pub(crate) async fn get(db: &Db, company_id: &str, customer_id: &str) -> StoreResult<Customer> {
    load(&db.client().await?, company_id, customer_id, false).await
}

/// The customer's JSON as its last write stored it; a customer written before it was stored
/// (a null `doc`) is rendered from its columns.
pub(crate) async fn get_json(db: &Db, company_id: &str, customer_id: &str) -> StoreResult<String> {
    let client = db.client().await?;
    let row = query_opt(
        &client,
        "select doc from customers where company_id = $1 and id = $2",
        &[&company_id, &customer_id],
    )
    .await?;
    match found(row, "customer")?.get::<_, Option<String>>(0) {
        Some(doc) => Ok(doc),
        None => Ok(customer_json(
            &load(&client, company_id, customer_id, false).await?,
        )),
    }
}
