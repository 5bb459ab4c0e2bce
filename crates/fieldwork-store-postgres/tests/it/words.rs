//! Searches by letter-only terms go through `customer_words`: the table holds exactly each
//! customer's words through creates, updates and new addresses, and a term finds exactly the
//! customers whose text contains it (inside words too), alone and with other terms.

use std::collections::BTreeSet;

use fieldwork_store::rules::{customer_search_doc, search_matches, search_words};
use fieldwork_store::{SortDirection, SortField, Store};
use fieldwork_types::{AddressIn, Customer, CustomerIn, CustomerPatch};
use tokio_postgres::NoTls;

use crate::story::{company, page};
use crate::temp_database;

const NAMES: [(&str, &str, &str); 8] = [
    ("Emma", "Stone", "emma.stone@example.com"),
    ("Emmanuel", "Okafor", "e.okafor2@mail.example.net"),
    ("Gemma", "O'Brien", "gemma@obrien.ie"),
    ("José", "Müller", "jose.muller@example.de"),
    ("Anne-Marie", "Joanne", "am@example.com"),
    ("Zoë", "Maple\u{a0}Leaf", "zoe@example.com"),
    ("Björn", "Emmaus", "bjorn5@example.se"),
    ("Maple", "Street", "maple@example.com"),
];

#[tokio::test]
async fn letter_terms_find_exactly_the_customers_that_contain_them() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let (client, conn) = tokio_postgres::connect(db.url(), NoTls).await.unwrap();
    tokio::spawn(conn);
    let a = store.create_company(company("Acme")).await.unwrap();
    let other = store.create_company(company("Other")).await.unwrap();
    let mut customers: Vec<Customer> = Vec::new();
    for (first, last, email) in NAMES {
        let new = CustomerIn {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: Some(email.into()),
            ..CustomerIn::default()
        };
        customers.push(
            store
                .create_customer(&a.id, new.clone(), &[])
                .await
                .unwrap(),
        );
        store.create_customer(&other.id, new, &[]).await.unwrap();
    }
    let terms = [
        "emma",
        "emm",
        "mma",
        "josé",
        "müller",
        "ller",
        "brien",
        "anne",
        "marie",
        "maple",
        "leaf",
        "zoë",
        "stone",
        "emmerich",
        "elm",
        "portland",
        "emma stone",
        "maple leaf",
        "xyz",
        "example",
        "com",
    ];
    for round in 0..3 {
        match round {
            1 => {
                let patch = CustomerPatch {
                    last_name: Some(Some("Emmerich".into())),
                    ..CustomerPatch::default()
                };
                let id = customers[0].id.clone();
                customers[0] = store.update_customer(&a.id, &id, patch, &[]).await.unwrap();
            }
            2 => {
                let address = AddressIn {
                    street: Some("12 Elm St".into()),
                    city: Some("Portland".into()),
                    ..AddressIn::default()
                };
                let id = customers[3].id.clone();
                store
                    .create_address(&a.id, &id, address, &[])
                    .await
                    .unwrap();
                customers[3] = store.get_customer(&a.id, &id).await.unwrap();
            }
            _ => {}
        }
        // The table holds each customer's words, once each.
        let rows = client
            .query(
                "select c.id, w.word from customer_words w join customers c
                 on c.company_id = w.company_id and c.created_at = w.created_at
                    and c.seq = w.seq
                 where w.company_id = $1",
                &[&a.id],
            )
            .await
            .unwrap();
        let held: BTreeSet<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(held.len(), rows.len(), "round {round}: a word twice");
        let want: BTreeSet<(String, String)> = customers
            .iter()
            .flat_map(|c| {
                let doc = customer_search_doc(c);
                search_words(&doc)
                    .map(|w| (c.id.clone(), w.to_owned()))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(held, want, "round {round}");
        for q in terms {
            let mut wanted: Vec<&str> = customers
                .iter()
                .filter(|c| search_matches(c, q))
                .map(|c| c.id.as_str())
                .collect();
            let got = store
                .list_customers(
                    &a.id,
                    Some(q),
                    &page(1, 50, SortField::CreatedAt, SortDirection::Asc),
                )
                .await
                .unwrap();
            let mut got: Vec<&str> = got.items.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(got, wanted, "round {round}: q={q}");
            // Another order reads the same matches.
            let by_name = store
                .list_customers(
                    &a.id,
                    Some(q),
                    &page(1, 50, SortField::FirstName, SortDirection::Desc),
                )
                .await
                .unwrap();
            let mut by_name: Vec<&str> = by_name.items.iter().map(|c| c.id.as_str()).collect();
            got.sort_unstable();
            wanted.sort_unstable();
            by_name.sort_unstable();
            assert_eq!(by_name, wanted, "round {round}: q={q} by first name");
        }
    }
}
