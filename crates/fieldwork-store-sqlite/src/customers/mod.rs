//! Customers with their addresses: the row mapping and single reads here; pages and searches
//! in `list`, writes in `write`, the search index in `search`.
//!
//! A customer's addresses come back in the same statement as the customer (a JSON array built
//! by a subquery), so a read is one statement and one read transaction. Every write also keeps
//! the customer's JSON in `customer_docs` ([`get_json`] answers with it as it is).

mod list;
mod rare;
mod search;
mod seq_hints;
mod shape;
mod words;
mod write;

use std::sync::LazyLock;

use fieldwork_store::rules::customer_json;
use fieldwork_store::time::format_ts;
use fieldwork_store::{StoreError, StoreResult};
use fieldwork_types::{Address, Customer};
use rusqlite::{Connection, OptionalExtension, Row};

use crate::error::{map_err, not_found};
use crate::sql::from_json;

pub(crate) use list::{list, list_json};
pub(crate) use search::{create_pending_table, flush_pending, merge_search_step};
pub(crate) use seq_hints::SeqHints;
use seq_hints::doc_has_id;
pub(crate) use write::{create, create_address, get_address, list_addresses, update};

/// Customer columns of `c` (0..=17, with the company's name from `co`), then the addresses as a
/// JSON array of arrays, each `created_at`, `seq` and the [`ADDRESS_COLS`] (18).
///
/// The addresses are put in order by [`from_row`], not by the aggregate: an `order by` inside
/// `json_group_array` makes SQLite build and drop a temporary b-tree for every customer read,
/// which was a tenth of the instructions of a `GET /customers/{id}`.
const COLS: &str = "c.seq, c.id, c.first_name, c.last_name, c.email, c.mobile_number,
    c.home_number, c.work_number, c.company, c.notifications_enabled, c.lead_source, c.notes,
    c.created_at, c.updated_at, co.name, c.company_id, c.tags, c.do_not_service,
    (select json_group_array(json_array(a.created_at, a.seq, a.id, a.kind, a.street,
                                        a.street_line_2, a.city, a.state, a.zip, a.country))
     from addresses a where a.customer_id = c.id)";

/// Address columns, in the order of the JSON arrays of [`COLS`].
const ADDRESS_COLS: &str = "id, kind, street, street_line_2, city, state, zip, country";

/// An address as the JSON array [`COLS`] builds: its order (`created_at`, `seq`), then its
/// [`ADDRESS_COLS`].
type AddressArray = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    let tags: String = r.get(16)?;
    let addresses: Option<String> = r.get(18)?;
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
        addresses: addresses_in_order(addresses.as_deref()),
        attachments: None,
        do_not_service: Some(r.get(17)?),
    })
}

/// The addresses of [`COLS`]' JSON array, oldest first (ties in insertion order).
fn addresses_in_order(json: Option<&str>) -> Vec<Address> {
    let mut arrays = from_json::<Vec<AddressArray>>(json.unwrap_or("[]"));
    arrays.sort_unstable_by_key(|a| (a.0, a.1));
    arrays.into_iter().map(address_from_array).collect()
}

fn address_from_array(a: AddressArray) -> Address {
    let (_, _, id, kind, street, street_line_2, city, state, zip, country) = a;
    Address {
        id,
        kind,
        street,
        street_line_2,
        city,
        state,
        zip,
        country,
    }
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

/// One customer with its addresses, in one statement.
pub(crate) fn get(c: &Connection, company_id: &str, customer_id: &str) -> StoreResult<Customer> {
    // Made once: formatting it per read cost a thousand instructions (it is 800 bytes long).
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "select {COLS} from customers c join companies co on co.id = c.company_id
             where c.id = ?1 and c.company_id = ?2"
        )
    });
    c.prepare_cached(&SQL)
        .and_then(|mut s| s.query_row([customer_id, company_id], from_row))
        .map_err(not_found("customer"))
}

/// The customer's JSON ([`customer_json`]) as its last write stored it in `customer_docs`;
/// rendered from its columns for a customer written before that table existed (migration
/// `20261203140000_customer_docs`). `hints` remembers each customer's `seq`, so that a
/// customer read before is found by descending `customer_docs` alone.
pub(crate) fn get_json(
    c: &Connection,
    hints: &SeqHints,
    company_id: &str,
    customer_id: &str,
) -> StoreResult<String> {
    if let Some(seq) = hints.get(customer_id)
        && let Some(doc) = doc_at(c, seq, company_id)?
        && doc_has_id(&doc, customer_id)
    {
        return Ok(doc);
    }
    let seq: Option<i64> = c
        // The id index alone (it holds `seq`), not the customer's row.
        .prepare_cached("select seq from customers where id = ?1")
        .and_then(|mut s| s.query_row([customer_id], |r| r.get(0)).optional())
        .map_err(map_err)?;
    let Some(seq) = seq else {
        return Err(StoreError::NotFound("customer"));
    };
    hints.put(customer_id, seq);
    match doc_at(c, seq, company_id)? {
        Some(doc) => Ok(doc),
        None => get(c, company_id, customer_id).map(|customer| customer_json(&customer)),
    }
}

/// The stored JSON of row `seq`, if it is the company's.
fn doc_at(c: &Connection, seq: i64, company_id: &str) -> StoreResult<Option<String>> {
    c.prepare_cached("select doc from customer_docs where seq = ?1 and company_id = ?2")
        .and_then(|mut s| {
            s.query_row(rusqlite::params![seq, company_id], |r| r.get(0))
                .optional()
        })
        .map_err(map_err)
}

/// Stores the JSON of the customer whose row is `seq` ([`customer_json`]), replacing what an
/// earlier write stored.
fn store_json(c: &Connection, seq: i64, customer: &Customer) -> StoreResult<()> {
    c.prepare_cached(
        "insert or replace into customer_docs (seq, company_id, doc) values (?1, ?2, ?3)",
    )
    .and_then(|mut s| {
        s.execute(rusqlite::params![
            seq,
            customer.company_id,
            customer_json(customer)
        ])
    })
    .map_err(map_err)?;
    Ok(())
}

/// The stored JSON of the customers with these ids that exist in the company (rendering them
/// from their columns, with their addresses gathered as JSON by SQLite, was a quarter of a page
/// of jobs), rendered from their columns for the few without. Customers whose place is
/// remembered ([`SeqHints`]) are read from `customer_docs` alone, as [`get_json`] reads one.
pub(crate) fn get_many_json(
    c: &Connection,
    hints: &SeqHints,
    company_id: &str,
    ids: &[String],
) -> StoreResult<Vec<String>> {
    let mut hinted: Vec<(i64, &str)> = Vec::with_capacity(ids.len());
    let mut rest: Vec<&str> = Vec::new();
    for id in ids {
        match hints.get(id) {
            Some(seq) => hinted.push((seq, id)),
            None => rest.push(id),
        }
    }
    let mut docs = Vec::with_capacity(ids.len());
    if !hinted.is_empty() {
        hinted.sort_unstable();
        hinted.dedup();
        let seqs: Vec<i64> = hinted.iter().map(|(seq, _)| *seq).collect();
        let found = crate::sql::collect(
            c,
            "select seq, doc from customer_docs
             where seq in (select value from json_each(?1)) and company_id = ?2",
            rusqlite::params![
                serde_json::to_string(&seqs).expect("numbers serialize"),
                company_id
            ],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )?;
        let mut answered = vec![false; hinted.len()];
        for (seq, doc) in found {
            // Two ids may share a wrong hint: the document answers the one it names.
            let at = hinted
                .iter()
                .position(|&(s, id)| s == seq && doc_has_id(&doc, id));
            if let Some(at) = at {
                answered[at] = true;
                docs.push(doc);
            }
        }
        rest.extend(
            hinted
                .iter()
                .zip(&answered)
                .filter(|(_, a)| !**a)
                .map(|((_, id), _)| *id),
        );
    }
    if !rest.is_empty() {
        docs.extend(by_ids(c, hints, company_id, &rest)?);
    }
    Ok(docs)
}

/// [`get_many_json`] for the customers without a hint (or a wrong one), found by id; their
/// places remembered.
fn by_ids(
    c: &Connection,
    hints: &SeqHints,
    company_id: &str,
    ids: &[&str],
) -> StoreResult<Vec<String>> {
    let json_ids = serde_json::to_string(ids).expect("strings serialize");
    let mut stmt = c
        .prepare_cached(
            "select c.id, c.seq, d.doc from customers c
             left join customer_docs d on d.seq = c.seq
             where +c.company_id = ?1 and c.id in (select value from json_each(?2))",
        )
        .map_err(map_err)?;
    let mut rows = stmt
        .query(rusqlite::params![company_id, json_ids])
        .map_err(map_err)?;
    let mut docs = Vec::with_capacity(ids.len());
    let mut undocumented = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        let id: String = r.get(0).map_err(map_err)?;
        match r.get::<_, Option<String>>(2).map_err(map_err)? {
            Some(doc) => {
                hints.put(&id, r.get(1).map_err(map_err)?);
                docs.push(doc);
            }
            None => undocumented.push(id),
        }
    }
    if !undocumented.is_empty() {
        docs.extend(
            from_columns(c, company_id, &undocumented)?
                .iter()
                .map(customer_json),
        );
    }
    Ok(docs)
}

/// [`get_many_json`]'s customers read the customers' columns.
fn from_columns(c: &Connection, company_id: &str, ids: &[String]) -> StoreResult<Vec<Customer>> {
    let ids = serde_json::to_string(ids).expect("strings serialize");
    let mut stmt = c
        .prepare_cached(&format!(
            // `+c.company_id`: found by id (unique), checked for the company; on the company's
            // index SQLite scanned every customer of the company (0.6 ms at 2,000 customers).
            "select {COLS} from customers c join companies co on co.id = c.company_id
             where +c.company_id = ?1 and c.id in (select value from json_each(?2))"
        ))
        .map_err(map_err)?;
    let rows = stmt
        .query_map(rusqlite::params![company_id, ids], from_row)
        .map_err(map_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(map_err)
}

/// Fails with `NotFound` unless the customer exists in the company.
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

#[cfg(test)]
pub(super) mod tests {
    use std::path::PathBuf;

    use fieldwork_store::rules::customer_json;
    use fieldwork_store::{NewCompany, Plan, Store, StoreError};
    use fieldwork_types::{AddressIn, CustomerIn, CustomerPatch};
    use tempfile::TempDir;

    use crate::SqliteStore;

    /// A store on a new database file (kept while the directory lives) with one `max` company;
    /// the path for opening the file beside the store.
    pub(in crate::customers) async fn store_with_company(
        name: &str,
    ) -> (TempDir, PathBuf, SqliteStore, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fw.db");
        let store = SqliteStore::open(path.to_str().unwrap(), true).unwrap();
        let company = max_company(&store, name).await;
        (dir, path, store, company)
    }

    /// A new company on the `max` plan; its id.
    pub(in crate::customers) async fn max_company(store: &SqliteStore, name: &str) -> String {
        let new = NewCompany {
            name: name.into(),
            plan: Plan::Max,
            time_zone: "UTC".into(),
        };
        store.create_company(new).await.unwrap().id
    }

    /// The customer's stored JSON and its rendering from its columns; also checks that
    /// `get_customers_json` returns the same JSON.
    async fn stored_and_rendered(store: &SqliteStore, company: &str, id: &str) -> (String, String) {
        let stored = store.get_customer_json(company, id).await.unwrap();
        let customer = store.get_customer(company, id).await.unwrap();
        let ids = [id.to_owned(), "cus_missing".to_owned()];
        let many = store.get_customers_json(company, &ids).await.unwrap();
        assert_eq!(many, std::slice::from_ref(&stored));
        (stored, customer_json(&customer))
    }

    #[tokio::test]
    async fn the_stored_json_follows_every_write() {
        let (_dir, path, store, company) = store_with_company("Docs").await;
        let address = |street: &str| AddressIn {
            street: Some(street.into()),
            city: Some("Austin".into()),
            ..AddressIn::default()
        };
        let new = CustomerIn {
            first_name: Some("Ada".into()),
            tags: Some(vec!["vip".into()]),
            addresses: Some(vec![address("1 Elm St"), address("2 Oak Ave")]),
            ..CustomerIn::default()
        };
        let created = store.create_customer(&company, new, &[]).await.unwrap();
        let (stored, rendered) = stored_and_rendered(&store, &company, &created.id).await;
        assert_eq!(stored, rendered);
        assert!(
            stored.contains("2 Oak Ave") && stored.contains("\"vip\""),
            "{stored}"
        );

        let patch = CustomerPatch {
            last_name: Some(Some("Lovelace".into())),
            ..CustomerPatch::default()
        };
        store
            .update_customer(&company, &created.id, patch, &[])
            .await
            .unwrap();
        let (stored, rendered) = stored_and_rendered(&store, &company, &created.id).await;
        assert_eq!(stored, rendered);
        assert!(stored.contains("Lovelace"), "{stored}");

        store
            .create_address(&company, &created.id, address("3 Pine Rd"), &[])
            .await
            .unwrap();
        let (stored, rendered) = stored_and_rendered(&store, &company, &created.id).await;
        assert_eq!(stored, rendered);
        assert!(stored.contains("3 Pine Rd"), "{stored}");

        // A customer from before `customer_docs` existed is rendered from its columns.
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute("delete from customer_docs", [])
            .unwrap();
        let (stored, rendered) = stored_and_rendered(&store, &company, &created.id).await;
        assert_eq!(stored, rendered);

        let missing = store.get_customer_json(&company, "cus_missing").await;
        assert!(matches!(missing, Err(StoreError::NotFound(_))));

        // Another company's key cannot read it; a customer deleted by hand takes its JSON along.
        let other = store.get_customer_json("another", &created.id).await;
        assert!(matches!(other, Err(StoreError::NotFound(_))));
        store
            .update_customer(&company, &created.id, CustomerPatch::default(), &[])
            .await
            .unwrap();
        let repair = rusqlite::Connection::open(&path).unwrap();
        for table in ["addresses where customer_id", "customers where id"] {
            repair
                .execute(&format!("delete from {table} = ?1"), [&created.id])
                .unwrap();
        }
        let deleted = store.get_customer_json(&company, &created.id).await;
        assert!(matches!(deleted, Err(StoreError::NotFound(_))));
    }

    /// The customers epoch moves with every change to a customer's stored JSON (by whatever
    /// writes it: the store, or a repair by hand), and not for a new customer; the reference
    /// epoch beside it stays where it was.
    #[tokio::test]
    async fn the_customers_epoch_moves_when_a_stored_customer_changes() {
        let (_dir, path, store, company) = store_with_company("Epochs").await;
        let epoch = |store: &SqliteStore, company: &str| {
            let (store, company) = (store.clone(), company.to_owned());
            async move { store.epochs(&company).await.unwrap().customers }
        };
        let address = AddressIn {
            street: Some("1 Elm St".into()),
            ..AddressIn::default()
        };
        let new = CustomerIn {
            first_name: Some("Ada".into()),
            addresses: Some(vec![address.clone()]),
            ..CustomerIn::default()
        };
        let ada = store
            .create_customer(&company, new.clone(), &[])
            .await
            .unwrap();
        let start = epoch(&store, &company).await;
        let reference = store.epochs(&company).await.unwrap().reference;
        assert!(reference > 0);

        let mut seen = vec![start];
        let mut changed = async |what: &str| {
            let now = epoch(&store, &company).await;
            assert!(now > *seen.last().unwrap(), "{what} did not move the epoch");
            seen.push(now);
        };
        let patch = CustomerPatch {
            last_name: Some(Some("Lovelace".into())),
            ..CustomerPatch::default()
        };
        store
            .update_customer(&company, &ada.id, patch, &[])
            .await
            .unwrap();
        changed("an update").await;
        store
            .create_address(&company, &ada.id, address, &[])
            .await
            .unwrap();
        changed("a new address").await;
        // Written from outside the store: a customer stored before its JSON was, then changed.
        let repair = rusqlite::Connection::open(&path).unwrap();
        repair.execute("delete from customer_docs", []).unwrap();
        changed("a deleted JSON").await;
        repair
            .execute("update customers set first_name = 'Ida'", [])
            .unwrap();
        changed("a customer changed by hand").await;

        // A new customer, and changes in another company, leave it alone.
        let last = *seen.last().unwrap();
        let new = CustomerIn {
            first_name: Some("Bea".into()),
            ..CustomerIn::default()
        };
        store
            .create_customer(&company, new.clone(), &[])
            .await
            .unwrap();
        let other_company = max_company(&store, "Other").await;
        let other = store
            .create_customer(&other_company, new, &[])
            .await
            .unwrap();
        let patch = CustomerPatch {
            last_name: Some(Some("Other".into())),
            ..CustomerPatch::default()
        };
        store
            .update_customer(&other_company, &other.id, patch, &[])
            .await
            .unwrap();
        assert_eq!(epoch(&store, &company).await, last);
        assert!(epoch(&store, &other_company).await > 0);
        assert_eq!(store.epochs(&company).await.unwrap().reference, reference);
    }

    /// Within one request (one `fieldwork_store::request` scope, which lets store calls share
    /// a reading of the WAL-index header), a read after the request's own write sees it.
    #[tokio::test]
    async fn a_request_reads_its_own_writes() {
        let (_dir, _path, store, company) = store_with_company("Own writes").await;
        let new = CustomerIn {
            first_name: Some("Ann".into()),
            ..CustomerIn::default()
        };
        let ann = store.create_customer(&company, new, &[]).await.unwrap();
        fieldwork_store::request::scope(async {
            for name in ["Bea", "Cy", "Di"] {
                // Twice: the second read keeps the first one's transaction.
                for _ in 0..2 {
                    store.get_customer_json(&company, &ann.id).await.unwrap();
                }
                let patch = CustomerPatch {
                    first_name: Some(Some(name.into())),
                    ..CustomerPatch::default()
                };
                store
                    .update_customer(&company, &ann.id, patch, &[])
                    .await
                    .unwrap();
                let doc = store.get_customer_json(&company, &ann.id).await.unwrap();
                assert!(doc.contains(&format!("\"first_name\":\"{name}\"")), "{doc}");
            }
        })
        .await;
    }

    #[tokio::test]
    async fn a_wrong_seq_hint_never_answers() {
        let (_dir, path, store, company) = store_with_company("Hints").await;
        let other = max_company(&store, "Other").await;
        let named = |name: &str| CustomerIn {
            first_name: Some(name.into()),
            ..CustomerIn::default()
        };
        let ann = store
            .create_customer(&company, named("Ann"), &[])
            .await
            .unwrap();
        let cat = store
            .create_customer(&other, named("Cat"), &[])
            .await
            .unwrap();
        let bob = store
            .create_customer(&company, named("Bob"), &[])
            .await
            .unwrap();
        let db = rusqlite::Connection::open(&path).unwrap();
        let seq_of = |id: &str| -> i64 {
            db.query_row("select seq from customers where id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
        };
        let hints = &store.customer_seqs;
        let json = |company: &str, id: &str| {
            let (store, company, id) = (store.clone(), company.to_owned(), id.to_owned());
            async move { store.get_customer_json(&company, &id).await }
        };
        let first_name = |doc: String| -> String {
            let value: serde_json::Value = serde_json::from_str(&doc).unwrap();
            value["first_name"].as_str().unwrap().to_owned()
        };

        // A read remembers where the customer is.
        assert_eq!(hints.get(&ann.id), None);
        assert_eq!(first_name(json(&company, &ann.id).await.unwrap()), "Ann");
        assert_eq!(hints.get(&ann.id), Some(seq_of(&ann.id)));

        // Another customer's seq, another company's, or no row at all: the right answer,
        // and the hint repaired.
        for wrong in [seq_of(&bob.id), seq_of(&cat.id), 999_999] {
            hints.put(&ann.id, wrong);
            assert_eq!(first_name(json(&company, &ann.id).await.unwrap()), "Ann");
            assert_eq!(hints.get(&ann.id), Some(seq_of(&ann.id)));
        }

        // Many at once (a page of jobs): wrong hints, one shared by two ids, and another
        // company's customer at its right seq; each customer found once, and only the company's.
        let names_of = |ids: Vec<String>| {
            let store = store.clone();
            let company = company.clone();
            async move {
                let docs = store.get_customers_json(&company, &ids).await.unwrap();
                let mut names: Vec<String> = docs.into_iter().map(first_name).collect();
                names.sort();
                names
            }
        };
        let ids = vec![ann.id.clone(), bob.id.clone(), cat.id.clone()];
        for wrong in [seq_of(&bob.id), seq_of(&cat.id), 999_999] {
            hints.put(&ann.id, wrong);
            hints.put(&bob.id, wrong);
            hints.put(&cat.id, seq_of(&cat.id));
            assert_eq!(names_of(ids.clone()).await, ["Ann", "Bob"], "hint {wrong}");
            assert_eq!(hints.get(&ann.id), Some(seq_of(&ann.id)));
            assert_eq!(names_of(ids.clone()).await, ["Ann", "Bob"], "repaired");
        }

        // The right seq of another company's customer still answers 404.
        hints.put(&cat.id, seq_of(&cat.id));
        let foreign = json(&company, &cat.id).await;
        assert!(
            matches!(foreign, Err(StoreError::NotFound(_))),
            "{foreign:?}"
        );
        assert_eq!(first_name(json(&other, &cat.id).await.unwrap()), "Cat");

        // A customer deleted by hand whose seq a new customer took: the old id finds nothing.
        let bob_seq = seq_of(&bob.id);
        assert_eq!(first_name(json(&company, &bob.id).await.unwrap()), "Bob");
        db.execute("delete from customers where id = ?1", [&bob.id])
            .unwrap();
        let dan = store
            .create_customer(&company, named("Dan"), &[])
            .await
            .unwrap();
        assert_eq!(seq_of(&dan.id), bob_seq, "the test needs the seq reused");
        assert_eq!(hints.get(&bob.id), Some(bob_seq));
        let gone = json(&company, &bob.id).await;
        assert!(matches!(gone, Err(StoreError::NotFound(_))), "{gone:?}");
        assert_eq!(first_name(json(&company, &dan.id).await.unwrap()), "Dan");
    }

    /// Every way a page is read, as whole customers rendered and as stored JSON.
    async fn pages_agree(store: &SqliteStore, company: &str) {
        use fieldwork_store::{ListParams, Sort, SortDirection, SortField};
        for (q, field) in [
            (None, SortField::CreatedAt),
            (None, SortField::UpdatedAt),
            (None, SortField::FirstName),
            (Some("elm"), SortField::CreatedAt),
            (Some("elm"), SortField::FirstName),
        ] {
            for direction in [SortDirection::Asc, SortDirection::Desc] {
                for page in 1..=3 {
                    let list = ListParams {
                        page,
                        page_size: 2,
                        sort: Sort { field, direction },
                    };
                    let whole = store.list_customers(company, q, &list).await.unwrap();
                    let json = store.list_customers_json(company, q, &list).await.unwrap();
                    let rendered: Vec<String> = whole.items.iter().map(customer_json).collect();
                    assert_eq!(json.items, rendered, "{q:?} {field:?} {direction:?} {page}");
                    assert_eq!(json.total, whole.total);
                }
            }
        }
    }

    #[tokio::test]
    async fn pages_of_stored_json_match_pages_of_customers() {
        let (_dir, path, store, company) = store_with_company("Pages").await;
        for (i, name) in ["Cy", "Ann", "Bo", "Di", "Eve"].iter().enumerate() {
            let street = if i % 2 == 0 { "1 Elm St" } else { "2 Oak Ave" };
            let new = CustomerIn {
                first_name: Some((*name).into()),
                addresses: Some(vec![AddressIn {
                    street: Some(street.into()),
                    ..AddressIn::default()
                }]),
                ..CustomerIn::default()
            };
            store.create_customer(&company, new, &[]).await.unwrap();
        }
        pages_agree(&store, &company).await;
        // Customers from before `customer_docs` are rendered from their columns, in place.
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute("delete from customer_docs where seq % 2 = 0", [])
            .unwrap();
        pages_agree(&store, &company).await;
    }
}
