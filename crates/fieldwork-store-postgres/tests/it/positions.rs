//! Customers' positions (paging in creation order by position) and stored JSON: every page
//! equals the same page of an independent ordering in every state the positions can be in
//! (all numbered, a queued tail, a customer that committed behind numbered ones), the
//! positioner repairs them, and concurrent creates end up numbered densely in key order.

use fieldwork_store::rules::customer_json;
use fieldwork_store::{SortDirection, SortField, Store};
use fieldwork_store_postgres::PostgresStore;
use fieldwork_store_postgres::testing::TempDatabase;
use fieldwork_types::{AddressIn, CustomerPatch};
use tokio_postgres::NoTls;

use crate::story::{company, customer, page};
use crate::temp_database;

/// A plain client of the test database, for changes made outside the store.
pub(crate) async fn raw(db: &TempDatabase) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(db.url(), NoTls).await.unwrap();
    tokio::spawn(conn);
    client
}

/// Holds the positioner's lock for `company` on `client`'s session, so that the store's
/// background numbering leaves the positions as the test arranges them.
async fn hold_positioner(client: &tokio_postgres::Client, company: &str) {
    client
        .execute(
            "select pg_advisory_lock(hashtext('fieldwork.customer_positions'), hashtext($1))",
            &[&company],
        )
        .await
        .unwrap();
}

async fn release_positioner(client: &tokio_postgres::Client) {
    client
        .batch_execute("select pg_advisory_unlock_all()")
        .await
        .unwrap();
}

/// Every page (sizes 1 to past the end, both directions) of the creation order, whole and as
/// JSON, equals the same slice of the `updated_at` order, which is the same order here (no
/// customer was updated) but read without positions.
async fn assert_pages(store: &PostgresStore, company: &str, n: usize, state: &str) {
    for direction in [SortDirection::Asc, SortDirection::Desc] {
        let want = store
            .list_customers(
                company,
                None,
                &page(1, 100, SortField::UpdatedAt, direction),
            )
            .await
            .unwrap();
        assert_eq!(want.items.len(), n, "{state}");
        for size in [1u32, 4, 5, 22, 23, 24] {
            for p in 1..=(n as u32 / size + 2) {
                let list = page(p, size, SortField::CreatedAt, direction);
                let got = store.list_customers(company, None, &list).await.unwrap();
                let json = store
                    .list_customers_json(company, None, &list)
                    .await
                    .unwrap();
                let from = ((p - 1) * size) as usize;
                let slice: Vec<_> = want.items.iter().skip(from).take(size as usize).collect();
                let what = format!("{state}: {direction:?} size {size} page {p}");
                assert_eq!(got.items.iter().collect::<Vec<_>>(), slice, "{what}");
                let rendered: Vec<String> = slice.iter().map(|c| customer_json(c)).collect();
                assert_eq!(json.items, rendered, "{what} (JSON)");
                assert_eq!((got.total, json.total), (n as u64, n as u64), "{what}");
            }
        }
    }
}

/// The positions table as (position, customer id), and the customers in key order.
async fn positions_and_ranks(
    client: &tokio_postgres::Client,
    company: &str,
) -> (Vec<(i64, String)>, Vec<String>) {
    let positions = client
        .query(
            "select position, customer_id from customer_positions where company_id = $1
             order by position",
            &[&company],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let ranks = client
        .query(
            "select id from customers where company_id = $1 order by created_at, seq",
            &[&company],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    (positions, ranks)
}

fn dense(ranks: &[String]) -> Vec<(i64, String)> {
    (1..).zip(ranks.iter().cloned()).collect()
}

#[tokio::test]
async fn pages_by_position_in_every_state_of_the_positions() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let client = raw(&db).await;
    let a = store.create_company(company("Acme")).await.unwrap();
    let other = store.create_company(company("Other")).await.unwrap();
    hold_positioner(&client, &a.id).await;
    for i in 0..23 {
        store
            .create_customer(&a.id, customer(Some("A"), &format!("L{i}")), &[])
            .await
            .unwrap();
        store
            .create_customer(&other.id, customer(Some("O"), &format!("L{i}")), &[])
            .await
            .unwrap();
    }
    // Nothing numbered yet: every page comes from the key index.
    let (positions, ranks) = positions_and_ranks(&client, &a.id).await;
    assert!(positions.is_empty());
    assert_pages(&store, &a.id, 23, "all queued").await;

    release_positioner(&client).await;
    assert!(store.position_customers().await.unwrap() >= 23);
    let (positions, _) = positions_and_ranks(&client, &a.id).await;
    assert_eq!(positions, dense(&ranks));
    assert_pages(&store, &a.id, 23, "all numbered").await;

    // A queued tail of 13: the last ten numbered, the rest waiting.
    hold_positioner(&client, &a.id).await;
    client
        .execute(
            "with gone as (delete from customer_positions where company_id = $1 and position > 10
                           returning company_id, created_at, seq, customer_id)
             insert into customers_unpositioned select * from gone",
            &[&a.id],
        )
        .await
        .unwrap();
    assert_pages(&store, &a.id, 23, "a queued tail").await;

    // Customer 5 committed after 6..23 were numbered: they hold positions 5..22 and it waits in
    // the queue. Positions are trusted up to 4 only.
    client
        .batch_execute(&format!(
            "delete from customers_unpositioned where company_id = '{a}';
             delete from customer_positions where company_id = '{a}';
             insert into customer_positions (company_id, position, created_at, seq, customer_id)
             select company_id, case when n < 5 then n else n - 1 end, created_at, seq, id
             from (select *, row_number() over (order by created_at, seq) as n
                   from customers where company_id = '{a}') k where n <> 5;
             insert into customers_unpositioned (company_id, created_at, seq, customer_id)
             select company_id, created_at, seq, id from customers
             where company_id = '{a}' order by created_at, seq offset 4 limit 1;",
            a = a.id
        ))
        .await
        .unwrap();
    assert_pages(&store, &a.id, 23, "a late customer").await;
    // The positioner renumbers from the late customer on.
    release_positioner(&client).await;
    assert_eq!(store.position_customers().await.unwrap(), 19);
    let (positions, ranks) = positions_and_ranks(&client, &a.id).await;
    assert_eq!(positions, dense(&ranks));
    assert_pages(&store, &a.id, 23, "repaired").await;
    // The other company's were numbered alongside, and a company without customers pages
    // empty.
    let (positions, ranks) = positions_and_ranks(&client, &other.id).await;
    assert_eq!(positions, dense(&ranks));
    let empty = store.create_company(company("Empty")).await.unwrap();
    let none = store
        .list_customers_json(
            &empty.id,
            None,
            &page(1, 10, SortField::CreatedAt, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!((none.items.len(), none.total), (0, 0));
}

#[tokio::test]
async fn concurrent_creates_end_up_numbered_densely_in_key_order() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let client = raw(&db).await;
    let a = store.create_company(company("Acme")).await.unwrap();
    // Four writers (the pool's size) while the background task numbers as they go and pages
    // are read.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (store, a) = (store.clone(), a.id.clone());
            tokio::spawn(async move {
                for i in 0..24 {
                    store
                        .create_customer(&a, customer(None, &format!("W{w}-{i}")), &[])
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    let list = page(2, 7, SortField::CreatedAt, SortDirection::Desc);
    while !writers.iter().all(|w| w.is_finished()) {
        let got = store.list_customers_json(&a.id, None, &list).await.unwrap();
        assert!(got.items.len() <= 7);
    }
    for w in writers {
        w.await.unwrap();
    }
    store.position_customers().await.unwrap();
    let (positions, ranks) = positions_and_ranks(&client, &a.id).await;
    assert_eq!(ranks.len(), 96);
    assert_eq!(positions, dense(&ranks));
    assert_pages(&store, &a.id, 96, "after concurrent creates").await;
}

/// `get_customer_json` and `get_customers_json` agree with `get_customer` after every kind of write,
/// and for a customer stored before its JSON was.
#[tokio::test]
async fn stored_json_follows_every_write() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let client = raw(&db).await;
    let a = store
        .create_company(company("Acme \"Pipes\" & Co"))
        .await
        .unwrap();
    let c = store
        .create_customer(&a.id, customer(Some("Zoë"), "O'Neil"), &[])
        .await
        .unwrap();
    let json = |id: String| {
        let store = store.clone();
        let a = a.id.clone();
        async move {
            let customer = store.get_customer(&a, &id).await.unwrap();
            let whole = customer_json(&customer);
            let stored = store.get_customer_json(&a, &id).await.unwrap();
            assert_eq!(stored, whole);
            // Pages of jobs read customers from the same JSON.
            let many = store
                .get_customers_json(&a, &[id.clone(), "cus_x".into()])
                .await;
            assert_eq!(many.unwrap(), [whole]);
            stored
        }
    };
    assert_eq!(json(c.id.clone()).await, customer_json(&c));
    assert!(
        json(c.id.clone())
            .await
            .contains(r#""company_name":"Acme \"Pipes\" & Co""#)
    );
    store
        .update_customer(
            &a.id,
            &c.id,
            CustomerPatch {
                notes: Some(Some("Back gate".into())),
                ..CustomerPatch::default()
            },
            &[],
        )
        .await
        .unwrap();
    assert!(json(c.id.clone()).await.contains("Back gate"));
    store
        .create_address(
            &a.id,
            &c.id,
            AddressIn {
                street: Some("1 Main St".into()),
                ..AddressIn::default()
            },
            &[],
        )
        .await
        .unwrap();
    assert!(json(c.id.clone()).await.contains("1 Main St"));
    // A customer from before the JSON was stored is rendered from its columns.
    client
        .execute("update customers set doc = null where id = $1", &[&c.id])
        .await
        .unwrap();
    let rendered = json(c.id.clone()).await;
    assert!(rendered.contains("1 Main St"));
    let listed = store
        .list_customers_json(
            &a.id,
            Some("main"),
            &page(1, 10, SortField::CreatedAt, SortDirection::Asc),
        )
        .await
        .unwrap();
    assert_eq!(listed.items, [rendered]);
}
