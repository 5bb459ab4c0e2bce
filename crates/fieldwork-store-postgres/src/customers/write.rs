//! Creating and updating customers (and inserting addresses, shared with `addresses`).

use std::sync::LazyLock;

use deadpool_postgres::GenericClient;
use fieldwork_store::StoreResult;
use fieldwork_store::events::{OutboxEvent, customer_events};
use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::rules::{apply_customer_patch, customer_json, customer_search_doc};
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_types::{Address, AddressIn, Customer, CustomerIn, CustomerPatch};
use tokio_postgres::types::Json;

use super::load;
use super::words::{self, KnownWords, doc_words};
use crate::db::{Db, execute, query_opt, retry, transaction};
use crate::error::found;
use crate::reference::ensure_tags;
use crate::webhooks::outbox::{emit_in, queue_fanouts};

/// Creates a customer with its addresses, its missing tags, its count in `row_counts` and the
/// events `emit` names (each message with one pending delivery per enabled endpoint whose
/// filter matches), in one statement: one round trip, atomic as any single statement. The count
/// is spread over 16 shards by server process, so concurrent inserts into one company rarely
/// wait on the same row.
pub(crate) async fn create(
    db: &Db,
    known: &KnownWords,
    company_id: &str,
    new: CustomerIn,
    emit: &[&str],
) -> StoreResult<Customer> {
    retry(|| async {
        let client = db.client().await?;
        insert(&client, known, company_id, &new, emit).await
    })
    .await
}

/// Stands for the company's name in event payloads rendered before the statement reads it.
/// It holds NUL characters so that no customer field can collide with it: PostgreSQL text
/// cannot hold NUL, so a field holding one fails the whole statement (and the API refuses it
/// before that), and serde_json writes `\u0000` only for a real NUL. In a statement that
/// succeeds, this JSON string therefore appears once in a payload: as `company_name`.
const COMPANY_NAME_MARKER: &str = "\0company_name\0";

/// An event whose payload is `head`, the company's name as a JSON string, then `tail`.
struct SplitEvent {
    event: OutboxEvent,
    head: String,
    tail: String,
}

/// The events of a new customer whose payloads lack only the company's name: rendered by
/// [`customer_events`] with [`COMPANY_NAME_MARKER`] as the name, and split at it. The statement
/// joins `head || to_json(name)::text || tail`, which is what `customer_events` renders with the
/// name itself (PostgreSQL escapes a JSON string as serde_json does; a test checks both on
/// awkward names).
fn split_events(emit: &[&str], marked: &Customer) -> Vec<SplitEvent> {
    customer_events(emit, marked)
        .into_iter()
        .map(|event| {
            let (head, tail) = split_at_company_name(&event.payload);
            SplitEvent { head, tail, event }
        })
        .collect()
}

/// `json` (rendered from a customer whose name is [`COMPANY_NAME_MARKER`]) before and after
/// the name.
fn split_at_company_name(json: &str) -> (String, String) {
    let marker = serde_json::to_string(COMPANY_NAME_MARKER).expect("a string serializes");
    let (head, tail) = json
        .split_once(&marker)
        .expect("a customer's JSON carries company_name");
    (head.to_owned(), tail.to_owned())
}

/// The statements of [`insert`], one per [`insert_variant`]: `co` is read once, for the
/// customer's stored JSON, the messages' payloads and as the result (no row: the company does
/// not exist). The customer is queued for a position (see `positions`), and its words recorded
/// (see `words`).
///
/// A customer without addresses, without tags, or with no word new to the vocabulary (most
/// customers) gets a statement without those inserts: each insert of a statement is set up at
/// every execution, rows or not, and the three cost the whole statement ~14 % of its rate
/// (`pgbench`, BENCHMARKS.md). In their place a select no one reads (PostgreSQL drops it)
/// keeps the parameters typed, so every variant takes the same parameters.
static INSERTS: LazyLock<[String; 8]> = LazyLock::new(|| {
    std::array::from_fn(|variant| {
        insert_statement(variant & 1 != 0, variant & 2 != 0, variant & 4 != 0)
    })
});

/// Which of [`INSERTS`] creates a customer with these addresses, tags and new words.
fn insert_variant(addresses: bool, tags: bool, new_words: bool) -> usize {
    usize::from(addresses) | usize::from(tags) << 1 | usize::from(new_words) << 2
}

fn insert_statement(addresses: bool, tags: bool, new_words: bool) -> String {
    let vocabulary = if new_words {
        "insert into search_words (word) select unnest($34::text[]) on conflict do nothing"
    } else {
        "select $34::text[]"
    };
    let address = if addresses {
        "insert into addresses (id, company_id, customer_id, kind, street,
                street_line_2, city, state, zip, country, created_at, updated_at)
            select u.id, $2, $1, u.kind, u.street, u.street_line_2, u.city, u.state, u.zip,
                u.country, $15, $15
            from unnest($16::text[], $17::text[], $18::text[], $19::text[], $20::text[],
                        $21::text[], $22::text[], $23::text[])
                 with ordinality as u (id, kind, street, street_line_2, city, state, zip,
                                       country, n)
            order by u.n"
    } else {
        "select $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[],
                $22::text[], $23::text[]"
    };
    let tag = if tags {
        "insert into tags (id, company_id, name, created_at, updated_at)
            select u.id, $2, u.name, $15, $15
            from unnest($24::text[], $25::text[]) with ordinality as u (id, name, n)
            order by u.n
            on conflict do nothing"
    } else {
        "select $24::text[], $25::text[]"
    };
    format!(
        "with co as (
            select name from companies where id = $2
         ), customer as (
            insert into customers (id, company_id, first_name, last_name, email,
                mobile_number, home_number, work_number, company, notifications_enabled,
                lead_source, notes, tags, search_doc, created_at, updated_at, doc)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15,
                (select $31 || to_json(name)::text || $32 from co))
            returning seq
         ), queued as (
            insert into customers_unpositioned (company_id, created_at, seq, customer_id)
            select $2, $15, seq, $1 from customer
         ), worded as (
            insert into customer_words (company_id, word, created_at, seq)
            select $2, w.word, $15, customer.seq from customer, unnest($33::text[]) as w (word)
         ), vocabulary as (
            {vocabulary}
         ), address as (
            {address}
         ), tag as (
            {tag}
         ), counted as (
            insert into row_counts as r (company_id, kind, shard, n, created_at, updated_at)
            values ($2, 'customers', pg_backend_pid() % 16, 1, $15, $15)
            on conflict (company_id, kind, shard)
            do update set n = r.n + 1, updated_at = excluded.updated_at
         ), message as (
            insert into webhook_messages (id, company_id, event_type, payload, created_at)
            select u.id, $2, u.event_type, u.head || to_json(co.name)::text || u.tail,
                u.created_at
            from co, unnest($26::text[], $27::text[], $28::text[], $29::text[],
                            $30::bigint[])
                     with ordinality as u (id, event_type, head, tail, created_at, n)
            order by u.n
            returning id, event_type, created_at
         ), fanout as (
            {fanout}
         )
         select name from co",
        fanout = queue_fanouts("message", "$2")
    )
}

async fn insert(
    c: &impl GenericClient,
    known: &KnownWords,
    company_id: &str,
    new: &CustomerIn,
    emit: &[&str],
) -> StoreResult<Customer> {
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
    let [id, kind, street, street_line_2, city, state, zip, country] =
        address_columns(&customer.addresses);
    let tag_ids: Vec<String> = customer.tags.iter().map(|_| new_id(prefix::TAG)).collect();
    let mut marked = customer.clone();
    marked.company_name = COMPANY_NAME_MARKER.to_owned();
    let events = split_events(emit, &marked);
    let (doc_head, doc_tail) = split_at_company_name(&customer_json(&marked));
    let search_doc = customer_search_doc(&customer);
    let words = doc_words(&search_doc);
    let unknown = known.unknown(&words);
    let ev = |f: fn(&SplitEvent) -> &str| events.iter().map(f).collect::<Vec<_>>();
    let event_times: Vec<i64> = events.iter().map(|e| e.event.created_at).collect();
    let variant = insert_variant(
        !customer.addresses.is_empty(),
        !customer.tags.is_empty(),
        !unknown.is_empty(),
    );
    let row = query_opt(
        c,
        &INSERTS[variant],
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
            &search_doc,
            &now,
            &id,
            &kind,
            &street,
            &street_line_2,
            &city,
            &state,
            &zip,
            &country,
            &tag_ids,
            &customer.tags,
            &ev(|e| &e.event.id),
            &ev(|e| &e.event.event_type),
            &ev(|e| &e.head),
            &ev(|e| &e.tail),
            &event_times,
            &doc_head,
            &doc_tail,
            &words,
            &unknown,
        ],
    )
    .await?;
    customer.company_name = found(row, "company")?.get(0);
    known.learn(unknown);
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

/// The addresses as the column arrays the `unnest` of an address insert takes: id, kind,
/// street, street_line_2, city, state, zip, country.
fn address_columns(addresses: &[Address]) -> [Vec<Option<&str>>; 8] {
    let col = |f: fn(&Address) -> Option<&str>| addresses.iter().map(f).collect::<Vec<_>>();
    [
        col(|a| Some(a.id.as_str())),
        col(|a| Some(a.kind.as_str())),
        col(|a| a.street.as_deref()),
        col(|a| a.street_line_2.as_deref()),
        col(|a| a.city.as_deref()),
        col(|a| a.state.as_deref()),
        col(|a| a.zip.as_deref()),
        col(|a| a.country.as_deref()),
    ]
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
    let [id, kind, street, street_line_2, city, state, zip, country] = address_columns(addresses);
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
            &id,
            &kind,
            &street,
            &street_line_2,
            &city,
            &state,
            &zip,
            &country,
            &now,
        ],
    )
    .await?;
    Ok(())
}

/// Applies a partial update and records the events `emit` names, carrying the result.
pub(crate) async fn update(
    db: &Db,
    known: &KnownWords,
    company_id: &str,
    customer_id: &str,
    patch: CustomerPatch,
    emit: &[&str],
) -> StoreResult<Customer> {
    let (customer, learned) = transaction!(db, |tx| async {
        let mut current = load(&tx, company_id, customer_id, true).await?;
        let old_search_doc = customer_search_doc(&current);
        let now = now_micros();
        apply_customer_patch(&mut current, patch.clone());
        let search_doc = customer_search_doc(&current);
        current.updated_at = format_ts(now);
        execute(
            &tx,
            "update customers set first_name = $1, last_name = $2, email = $3,
                mobile_number = $4, home_number = $5, work_number = $6, company = $7,
                notifications_enabled = $8, lead_source = $9, notes = $10, tags = $11,
                search_doc = $12, updated_at = $13, doc = $16
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
                &search_doc,
                &now,
                &company_id,
                &customer_id,
                &customer_json(&current),
            ],
        )
        .await?;
        let learned = words::sync(
            &tx,
            known,
            company_id,
            customer_id,
            &old_search_doc,
            &search_doc,
        )
        .await?;
        ensure_tags(&tx, company_id, &current.tags, now).await?;
        emit_in(&tx, company_id, &customer_events(emit, &current)).await?;
        Ok((current, learned))
    }
    .await)?;
    known.learn(learned);
    Ok(customer)
}
