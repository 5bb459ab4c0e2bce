//! The addresses of a customer.

use fieldwork_store::events::customer_events;
use fieldwork_store::rules::{customer_json, customer_search_doc};
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{ListParams, Page, StoreError, StoreResult};
use fieldwork_types::{Address, AddressIn};

use crate::customers::{
    ADDRESS_COLS, KnownWords, address_from_row, insert_addresses, load, new_address, sync_words,
};
use crate::db::{Db, Params, execute, query, query_opt, transaction};
use crate::error::found;
use crate::sql::{limit_offset, order_by, to_total};
use crate::webhooks::outbox::emit_in;

const CUSTOMER_EXISTS: &str = "select exists (select 1 from customers
    where company_id = $1 and id = $2)";

pub(crate) async fn list(
    db: &Db,
    company_id: &str,
    customer_id: &str,
    list: &ListParams,
) -> StoreResult<Page<Address>> {
    let (limit, offset) = limit_offset(list);
    let page_sql = format!(
        "select {ADDRESS_COLS} from addresses a where a.company_id = $1 and a.customer_id = $2
         order by {} limit $3 offset $4",
        order_by(list, "a")
    );
    let ids: &Params = &[&company_id, &customer_id];
    let page: &Params = &[&company_id, &customer_id, &limit, &offset];
    let count_sql = "select count(*) from addresses where company_id = $1 and customer_id = $2";
    let client = db.client().await?;
    let (exists, count, rows) = tokio::try_join!(
        query_opt(&client, CUSTOMER_EXISTS, ids),
        query_opt(&client, count_sql, ids),
        query(&client, &page_sql, page),
    )?;
    ensure_customer(exists.is_some_and(|r| r.get(0)))?;
    Ok(Page {
        items: rows.iter().filter_map(|r| address_from_row(r, 0)).collect(),
        total: count.map_or(0, |r| to_total(r.get(0))),
    })
}

pub(crate) async fn get(
    db: &Db,
    company_id: &str,
    customer_id: &str,
    address_id: &str,
) -> StoreResult<Address> {
    let sql = format!(
        "select {ADDRESS_COLS} from addresses a
         where a.company_id = $1 and a.customer_id = $2 and a.id = $3"
    );
    let ids: &Params = &[&company_id, &customer_id, &address_id];
    let client = db.client().await?;
    let (exists, row) = tokio::try_join!(
        query_opt(&client, CUSTOMER_EXISTS, &ids[..2]),
        query_opt(&client, &sql, ids),
    )?;
    ensure_customer(exists.is_some_and(|r| r.get(0)))?;
    found(row.and_then(|r| address_from_row(&r, 0)), "address")
}

/// Adds an address, touches the customer's `updated_at`, refreshes its search text and records
/// the events `emit` names, carrying the whole customer.
pub(crate) async fn create(
    db: &Db,
    known: &KnownWords,
    company_id: &str,
    customer_id: &str,
    new: AddressIn,
    emit: &[&str],
) -> StoreResult<Address> {
    let (address, learned) = transaction!(db, |tx| async {
        let mut customer = load(&tx, company_id, customer_id, true).await?;
        let old_search_doc = customer_search_doc(&customer);
        let now = now_micros();
        let address = new_address(new.clone());
        insert_addresses(
            &tx,
            company_id,
            customer_id,
            std::slice::from_ref(&address),
            now,
        )
        .await?;
        customer.addresses.push(address.clone());
        customer.updated_at = format_ts(now);
        let search_doc = customer_search_doc(&customer);
        execute(
            &tx,
            "update customers set updated_at = $1, search_doc = $2, doc = $5
             where company_id = $3 and id = $4",
            &[
                &now,
                &search_doc,
                &company_id,
                &customer_id,
                &customer_json(&customer),
            ],
        )
        .await?;
        let learned = sync_words(
            &tx,
            known,
            company_id,
            customer_id,
            &old_search_doc,
            &search_doc,
        )
        .await?;
        emit_in(&tx, company_id, &customer_events(emit, &customer)).await?;
        Ok((address, learned))
    }
    .await)?;
    known.learn(learned);
    Ok(address)
}

fn ensure_customer(exists: bool) -> StoreResult<()> {
    if exists {
        Ok(())
    } else {
        Err(StoreError::NotFound("customer"))
    }
}
