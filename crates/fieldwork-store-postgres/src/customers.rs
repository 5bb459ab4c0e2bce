//! Customers with their addresses: reads, search, create and update.
//!
//! Every call is one statement. A customer and its addresses come back as a left join, one row
//! per address; a page of customers likewise, with its total. Unfiltered pages take the total
//! from the per-company count in `row_counts` that `create` keeps; searches count their matches.

use deadpool_postgres::GenericClient;
use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::rules::{apply_customer_patch, customer_search_doc};
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{ListParams, Page, SortDirection, StoreResult};
use fieldwork_types::{Address, AddressIn, Customer, CustomerIn, CustomerPatch};
use tokio_postgres::Row;
use tokio_postgres::types::{Json, ToSql};

use crate::db::{Db, execute, query, retry, transaction};
use crate::error::found;
use crate::reference::ensure_tags;
use crate::sql::{JsonCol, limit_offset, order_by, order_by_dir, search_patterns, to_total};

/// Customer columns (0..=16), then address columns (17..=24, null without an address).
const COLS: &str = "c.id, c.first_name, c.last_name, c.email, c.mobile_number, c.home_number,
    c.work_number, c.company, c.notifications_enabled, c.lead_source, c.notes, c.created_at,
    c.updated_at, co.name, c.company_id, c.tags, c.do_not_service,
    a.id, a.kind, a.street, a.street_line_2, a.city, a.state, a.zip, a.country";

/// Joins of [`COLS`]: the company's name and the addresses, oldest first.
const JOINS: &str = "join companies co on co.id = c.company_id
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
fn customers_from_rows(rows: &[Row]) -> Vec<Customer> {
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

/// One customer with its addresses; with `lock`, the row is locked for the transaction.
pub(crate) async fn load(
    c: &impl GenericClient,
    company_id: &str,
    customer_id: &str,
    lock: bool,
) -> StoreResult<Customer> {
    let sql = format!(
        "select {COLS} from customers c {JOINS}
         where c.company_id = $1 and c.id = $2
         order by a.created_at, a.seq{}",
        if lock { " for update of c" } else { "" }
    );
    let rows = query(c, &sql, &[&company_id, &customer_id]).await?;
    found(customers_from_rows(&rows).pop(), "customer")
}

pub(crate) async fn get(db: &Db, company_id: &str, customer_id: &str) -> StoreResult<Customer> {
    load(&db.client().await?, company_id, customer_id, false).await
}

pub(crate) async fn list(
    db: &Db,
    company_id: &str,
    q: Option<&str>,
    list: &ListParams,
) -> StoreResult<Page<Customer>> {
    let patterns = q.map(search_patterns).unwrap_or_default();
    if patterns.is_empty() {
        list_all(db, company_id, list).await
    } else {
        search(db, company_id, &patterns, list).await
    }
}

/// The statement tail that reads a page: `page` is one row of `total` and `ids` (in any order);
/// the result has one row per customer and address ([`COLS`], then `total` as column 25), or a
/// single row of nulls and `total` for an empty page.
///
/// Fetching by `id = any(ids)` keeps the plan a nested loop over the primary key whatever the
/// planner believes about the page size (the statements run with generic plans).
fn read_page(list: &ListParams) -> String {
    format!(
        "select {COLS}, page.total
         from page left join (customers c {JOINS})
              on c.company_id = $1 and c.id = any(page.ids)
         order by {}, a.created_at, a.seq",
        order_by(list, "c")
    )
}

/// A page of all customers, in one statement. The total is the company's count; the page's ids
/// come from an index-only scan that skips `offset` entries, from the nearer end of the list
/// (so at most half the list is skipped).
async fn list_all(db: &Db, company_id: &str, list: &ListParams) -> StoreResult<Page<Customer>> {
    let (limit, offset) = limit_offset(list);
    let reversed = match list.sort.direction {
        SortDirection::Asc => SortDirection::Desc,
        SortDirection::Desc => SortDirection::Asc,
    };
    let sql = format!(
        "with t as materialized (
            select coalesce(sum(n), 0)::bigint as total from row_counts
            where company_id = $1 and kind = 'customers'
         ), page as materialized (
            select t.total, case
                when $3 > t.total / 2 and $3 < t.total then array(
                    select p.id from customers p where p.company_id = $1
                    order by {}
                    limit least($2, t.total - $3) offset greatest(0, t.total - $3 - $2))
                else array(
                    select p.id from customers p where p.company_id = $1
                    order by {} limit $2 offset $3)
                end as ids
            from t
         )
         {}",
        order_by_dir(list, "p", reversed),
        order_by(list, "p"),
        read_page(list)
    );
    let rows = db.query(&sql, &[&company_id, &limit, &offset]).await?;
    Ok(page_from_rows(&rows))
}

/// A page of the customers whose search text contains every pattern, and their count, in one
/// statement.
async fn search(
    db: &Db,
    company_id: &str,
    patterns: &[String],
    list: &ListParams,
) -> StoreResult<Page<Customer>> {
    let (limit, offset) = limit_offset(list);
    let n = patterns.len();
    // One `like` per term, all served by the trigram index. The company test is kept out of
    // reach of the primary key (`|| ''`): intersecting with all of a large company's rows costs
    // more than dropping the few other companies' matches.
    let filter: String = (0..n)
        .map(|i| format!(" and m.search_doc like ${}", i + 4))
        .collect();
    let sql = format!(
        "with m as materialized (
            select m.id, m.{col}, m.seq from customers m
            where m.company_id || '' = $1{filter}
         ), page as materialized (
            select (select count(*) from m) as total, array(
                select m.id from m order by {order} limit $2 offset $3) as ids
         )
         {read}",
        col = list.sort.field.column(),
        order = order_by(list, "m"),
        read = read_page(list)
    );
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&company_id, &limit, &offset];
    params.extend(patterns.iter().map(|p| p as &(dyn ToSql + Sync)));
    let rows = db.query(&sql, &params).await?;
    Ok(page_from_rows(&rows))
}

fn page_from_rows(rows: &[Row]) -> Page<Customer> {
    Page {
        items: customers_from_rows(rows),
        total: rows.first().map_or(0, |r| to_total(r.get(25))),
    }
}

/// Creates a customer with its addresses, its missing tags and its count in `row_counts`, in one
/// statement: one round trip, one transaction. The count is spread over 16 shards by server
/// process, so concurrent inserts into one company rarely wait on the same row.
pub(crate) async fn create(db: &Db, company_id: &str, new: CustomerIn) -> StoreResult<Customer> {
    retry(|| create_once(db, company_id, &new)).await
}

async fn create_once(db: &Db, company_id: &str, new: &CustomerIn) -> StoreResult<Customer> {
    let now = now_micros();
    let mut customer = Customer {
        id: new_id(prefix::CUSTOMER),
        first_name: new.first_name.clone(),
        last_name: new.last_name.clone(),
        email: new.email.clone(),
        mobile_number: new.mobile_number.clone(),
        home_number: new.home_number.clone(),
        work_number: new.work_number.clone(),
        company: new.company.clone(),
        notifications_enabled: new.notifications_enabled.unwrap_or(true),
        lead_source: new.lead_source.clone(),
        notes: new.notes.clone(),
        created_at: format_ts(now),
        updated_at: format_ts(now),
        company_name: String::new(),
        company_id: company_id.to_owned(),
        tags: new.tags.clone().unwrap_or_default(),
        addresses: new
            .addresses
            .iter()
            .flatten()
            .map(|a| new_address(a.clone()))
            .collect(),
        attachments: None,
        do_not_service: Some(false),
    };
    let col =
        |f: fn(&Address) -> Option<&str>| customer.addresses.iter().map(f).collect::<Vec<_>>();
    let tag_ids: Vec<String> = customer.tags.iter().map(|_| new_id(prefix::TAG)).collect();
    let row = db
        .query_opt(
            "with customer as (
                insert into customers (id, company_id, first_name, last_name, email,
                    mobile_number, home_number, work_number, company, notifications_enabled,
                    lead_source, notes, tags, search_doc, created_at, updated_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
             ), address as (
                insert into addresses (id, company_id, customer_id, kind, street,
                    street_line_2, city, state, zip, country, created_at, updated_at)
                select u.id, $2, $1, u.kind, u.street, u.street_line_2, u.city, u.state, u.zip,
                    u.country, $15, $15
                from unnest($16::text[], $17::text[], $18::text[], $19::text[], $20::text[],
                            $21::text[], $22::text[], $23::text[])
                     with ordinality as u (id, kind, street, street_line_2, city, state, zip,
                                           country, n)
                order by u.n
             ), tag as (
                insert into tags (id, company_id, name, created_at, updated_at)
                select u.id, $2, u.name, $15, $15
                from unnest($24::text[], $25::text[]) with ordinality as u (id, name, n)
                order by u.n
                on conflict do nothing
             ), counted as (
                insert into row_counts as r (company_id, kind, shard, n, created_at, updated_at)
                values ($2, 'customers', pg_backend_pid() % 16, 1, $15, $15)
                on conflict (company_id, kind, shard)
                do update set n = r.n + 1, updated_at = excluded.updated_at
             )
             select name from companies where id = $2",
            &[
                &customer.id,
                &company_id,
                &customer.first_name,
                &customer.last_name,
                &customer.email,
                &customer.mobile_number,
                &customer.home_number,
                &customer.work_number,
                &customer.company,
                &customer.notifications_enabled,
                &customer.lead_source,
                &customer.notes,
                &Json(&customer.tags),
                &customer_search_doc(&customer),
                &now,
                &col(|a| Some(a.id.as_str())),
                &col(|a| Some(a.kind.as_str())),
                &col(|a| a.street.as_deref()),
                &col(|a| a.street_line_2.as_deref()),
                &col(|a| a.city.as_deref()),
                &col(|a| a.state.as_deref()),
                &col(|a| a.zip.as_deref()),
                &col(|a| a.country.as_deref()),
                &tag_ids,
                &customer.tags,
            ],
        )
        .await?;
    customer.company_name = found(row, "company")?.get(0);
    Ok(customer)
}

/// A new address (with a new id) from its input; the type defaults to `service`, as on HCP.
pub(crate) fn new_address(a: AddressIn) -> Address {
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

/// Inserts addresses of a customer in the order given (their insertion order is their order).
pub(crate) async fn insert_addresses(
    c: &impl GenericClient,
    company_id: &str,
    customer_id: &str,
    addresses: &[Address],
    now: i64,
) -> StoreResult<()> {
    if addresses.is_empty() {
        return Ok(());
    }
    let col = |f: fn(&Address) -> Option<&str>| addresses.iter().map(f).collect::<Vec<_>>();
    execute(
        c,
        "insert into addresses (id, company_id, customer_id, kind, street, street_line_2, city,
            state, zip, country, created_at, updated_at)
         select u.id, $1, $2, u.kind, u.street, u.street_line_2, u.city, u.state, u.zip,
            u.country, $11, $11
         from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[])
              with ordinality as u (id, kind, street, street_line_2, city, state, zip, country, n)
         order by u.n",
        &[
            &company_id,
            &customer_id,
            &col(|a| Some(a.id.as_str())),
            &col(|a| Some(a.kind.as_str())),
            &col(|a| a.street.as_deref()),
            &col(|a| a.street_line_2.as_deref()),
            &col(|a| a.city.as_deref()),
            &col(|a| a.state.as_deref()),
            &col(|a| a.zip.as_deref()),
            &col(|a| a.country.as_deref()),
            &now,
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn update(
    db: &Db,
    company_id: &str,
    customer_id: &str,
    patch: CustomerPatch,
) -> StoreResult<Customer> {
    transaction!(db, |tx| async {
        let mut current = load(&tx, company_id, customer_id, true).await?;
        let now = now_micros();
        apply_customer_patch(&mut current, patch.clone());
        current.updated_at = format_ts(now);
        execute(
            &tx,
            "update customers set first_name = $1, last_name = $2, email = $3,
                mobile_number = $4, home_number = $5, work_number = $6, company = $7,
                notifications_enabled = $8, lead_source = $9, notes = $10, tags = $11,
                search_doc = $12, updated_at = $13
             where company_id = $14 and id = $15",
            &[
                &current.first_name,
                &current.last_name,
                &current.email,
                &current.mobile_number,
                &current.home_number,
                &current.work_number,
                &current.company,
                &current.notifications_enabled,
                &current.lead_source,
                &current.notes,
                &Json(&current.tags),
                &customer_search_doc(&current),
                &now,
                &company_id,
                &customer_id,
            ],
        )
        .await?;
        ensure_tags(&tx, company_id, &current.tags, now).await?;
        Ok(current)
    }
    .await)
}
