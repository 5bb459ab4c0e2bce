//! The customer story: addresses, search, updates, paging from both ends, tenant scoping.

use fieldwork_store::{ListParams, SortDirection, SortField, Store};
use fieldwork_types::{AddressIn, CustomerIn, CustomerPatch};

use crate::story::{company, customer, page};
use crate::{kind, temp_database};

#[tokio::test]
async fn customers_addresses_and_search() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let a = store.create_company(company("Acme")).await.unwrap();
    let b = store.create_company(company("Beta")).await.unwrap();

    let ada = store
        .create_customer(
            &a.id,
            CustomerIn {
                first_name: Some("Ada".into()),
                last_name: Some("Lovelace".into()),
                email: Some("ada@engines.test".into()),
                company: Some("Analytical Ltd".into()),
                mobile_number: Some("(555) 123-4567".into()),
                tags: Some(vec!["vip".into(), "north".into(), "vip".into()]),
                notes: Some("Gate 42".into()),
                addresses: Some(vec![
                    AddressIn {
                        street: Some("12 Elm St".into()),
                        city: Some("Portland".into()),
                        state: Some("OR".into()),
                        zip: Some("97201".into()),
                        country: Some("US".into()),
                        ..AddressIn::default()
                    },
                    AddressIn {
                        street: Some("PO Box 9".into()),
                        kind: Some("billing".into()),
                        ..AddressIn::default()
                    },
                ]),
                ..CustomerIn::default()
            },
            &[],
        )
        .await
        .unwrap();
    assert!(ada.id.starts_with("cus_"));
    assert_eq!(ada.company_name, "Acme");
    assert_eq!(ada.company_id, a.id);
    assert!(ada.notifications_enabled);
    assert_eq!(ada.tags, ["vip", "north", "vip"]);
    assert_eq!(ada.do_not_service, Some(false));
    assert_eq!(ada.created_at, ada.updated_at);
    assert_eq!(ada.addresses.len(), 2);
    assert_eq!(ada.addresses[0].kind, "service");
    assert_eq!(ada.addresses[1].kind, "billing");
    assert!(ada.addresses[0].id.starts_with("adr_"));
    assert_eq!(store.get_customer(&a.id, &ada.id).await.unwrap(), ada);
    assert_eq!(
        kind(store.get_customer(&b.id, &ada.id).await),
        "NotFound(customer)"
    );
    // Tag names became tag objects, once each, in order.
    let tags = store
        .list_tags(
            &a.id,
            &page(1, 10, SortField::CreatedAt, SortDirection::Asc),
        )
        .await
        .unwrap();
    assert_eq!(
        tags.items
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["vip", "north"]
    );
    assert_eq!(
        store
            .list_tags(&b.id, &ListParams::default())
            .await
            .unwrap()
            .total,
        0
    );

    let bob = store
        .create_customer(&a.id, customer(Some("bob"), "Builder"), &[])
        .await
        .unwrap();
    let cy = store
        .create_customer(&a.id, customer(None, "Cobb"), &[])
        .await
        .unwrap();
    let other = store
        .create_customer(&b.id, customer(Some("Ada"), "Elsewhere"), &[])
        .await
        .unwrap();
    assert!(bob.addresses.is_empty());

    // Lists: newest first, totals, pages, sort with nulls.
    let ids = |p: &fieldwork_store::Page<fieldwork_types::Customer>| {
        p.items.iter().map(|c| c.id.clone()).collect::<Vec<_>>()
    };
    let all = store
        .list_customers(&a.id, None, &ListParams::default())
        .await
        .unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(ids(&all), [cy.id.clone(), bob.id.clone(), ada.id.clone()]);
    assert_eq!(all.items[2], ada, "list carries the addresses");
    let p2 = store
        .list_customers(
            &a.id,
            None,
            &page(2, 2, SortField::CreatedAt, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!((ids(&p2), p2.total), (vec![ada.id.clone()], 3));
    let past = store
        .list_customers(
            &a.id,
            None,
            &page(3, 2, SortField::CreatedAt, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!((past.items.len(), past.total), (0, 3));
    let by_first = store
        .list_customers(
            &a.id,
            None,
            &page(1, 10, SortField::FirstName, SortDirection::Asc),
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&by_first),
        [cy.id.clone(), ada.id.clone(), bob.id.clone()]
    );
    let by_first = store
        .list_customers(
            &a.id,
            None,
            &page(1, 10, SortField::FirstName, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&by_first),
        [bob.id.clone(), ada.id.clone(), cy.id.clone()]
    );

    // Search.
    let search = |q: &'static str| {
        let store = store.clone();
        let company = a.id.clone();
        async move {
            let p = store
                .list_customers(&company, Some(q), &ListParams::default())
                .await
                .unwrap();
            assert_eq!(p.total as usize, p.items.len(), "{q}");
            p.items.into_iter().map(|c| c.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(search("ada").await, [ada.id.as_str()]);
    assert_eq!(search("LOVELACE").await, [ada.id.as_str()]);
    assert_eq!(search("engines.test").await, [ada.id.as_str()]);
    assert_eq!(search("analytical").await, [ada.id.as_str()]);
    assert_eq!(search("5551234567").await, [ada.id.as_str()]);
    assert_eq!(search("123-45").await, [ada.id.as_str()]);
    assert_eq!(search("portland 97201").await, [ada.id.as_str()]);
    assert_eq!(search("box").await, [ada.id.as_str()]);
    assert_eq!(search("ada builder").await, Vec::<String>::new());
    assert_eq!(
        search("b").await,
        [cy.id.clone(), bob.id.clone(), ada.id.clone()]
    );
    assert_eq!(search("bu%il_der").await, [bob.id.as_str()]);
    assert_eq!(search("%% _").await.len(), 3, "nothing left: no filter");
    assert_eq!(
        search("gate").await,
        Vec::<String>::new(),
        "notes are not searched"
    );
    assert_eq!(
        search("vip").await,
        Vec::<String>::new(),
        "tags are not searched"
    );
    let paged = store
        .list_customers(
            &a.id,
            Some("b"),
            &page(2, 2, SortField::CreatedAt, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!((ids(&paged), paged.total), (vec![ada.id.clone()], 3));
    let past = store
        .list_customers(
            &a.id,
            Some("b"),
            &page(5, 2, SortField::CreatedAt, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!((past.items.len(), past.total), (0, 3));
    let theirs = store
        .list_customers(&b.id, Some("ada"), &ListParams::default())
        .await
        .unwrap();
    assert_eq!(ids(&theirs), [other.id.as_str()]);

    // Update: absent fields stay, null clears, new tags become tag objects.
    let updated = store
        .update_customer(
            &a.id,
            &bob.id,
            CustomerPatch {
                first_name: Some(Some("Robert".into())),
                last_name: Some(None),
                notifications_enabled: Some(false),
                tags: Some(vec!["south".into()]),
                work_number: Some(Some("555-000-1111".into())),
                ..CustomerPatch::default()
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!(updated.first_name.as_deref(), Some("Robert"));
    assert_eq!(updated.last_name, None);
    assert!(!updated.notifications_enabled);
    assert_eq!(updated.tags, ["south"]);
    assert_eq!(updated.created_at, bob.created_at);
    assert_eq!(store.get_customer(&a.id, &bob.id).await.unwrap(), updated);
    assert_eq!(search("robert").await, [bob.id.as_str()]);
    assert_eq!(search("builder").await, Vec::<String>::new());
    assert_eq!(search("5550001111").await, [bob.id.as_str()]);
    assert_eq!(
        store
            .list_tags(&a.id, &ListParams::default())
            .await
            .unwrap()
            .total,
        3
    );
    assert_eq!(
        kind(
            store
                .update_customer(&b.id, &bob.id, CustomerPatch::default(), &[])
                .await
        ),
        "NotFound(customer)"
    );
    let by_updated = store
        .list_customers(
            &a.id,
            None,
            &page(1, 1, SortField::UpdatedAt, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!(ids(&by_updated), [bob.id.as_str()]);

    // Addresses.
    let added = store
        .create_address(
            &a.id,
            &cy.id,
            AddressIn {
                street: Some("1 Quay".into()),
                city: Some("Zürich".into()),
                ..AddressIn::default()
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!(added.kind, "service");
    assert_eq!(search("ZÜRICH").await, [cy.id.as_str()]);
    assert_eq!(
        store.get_address(&a.id, &cy.id, &added.id).await.unwrap(),
        added
    );
    assert_eq!(
        kind(store.get_address(&a.id, &bob.id, &added.id).await),
        "NotFound(address)"
    );
    assert_eq!(
        kind(store.get_address(&b.id, &cy.id, &added.id).await),
        "NotFound(customer)"
    );
    assert_eq!(
        kind(
            store
                .create_address(&b.id, &cy.id, AddressIn::default(), &[])
                .await
        ),
        "NotFound(customer)"
    );
    let addresses = store
        .list_addresses(
            &a.id,
            &ada.id,
            &page(1, 1, SortField::CreatedAt, SortDirection::Asc),
        )
        .await
        .unwrap();
    assert_eq!(addresses.total, 2);
    assert_eq!(addresses.items, [ada.addresses[0].clone()]);
    let addresses = store
        .list_addresses(
            &a.id,
            &ada.id,
            &page(1, 5, SortField::CreatedAt, SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!(
        addresses.items,
        [ada.addresses[1].clone(), ada.addresses[0].clone()]
    );
    assert_eq!(
        kind(
            store
                .list_addresses(&b.id, &ada.id, &ListParams::default())
                .await
        ),
        "NotFound(customer)"
    );
    let empty = store
        .list_addresses(&a.id, &bob.id, &ListParams::default())
        .await
        .unwrap();
    assert_eq!((empty.items.len(), empty.total), (0, 0));
    let cy_now = store.get_customer(&a.id, &cy.id).await.unwrap();
    assert_eq!(cy_now.addresses, [added]);
    // Unknown company: foreign key, as SQLite.
    assert_eq!(
        kind(
            store
                .create_customer("nope", customer(None, "X"), &[])
                .await
        ),
        "Conflict"
    );
}

#[tokio::test]
async fn every_page_from_either_end_matches_the_whole_list() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let a = store.create_company(company("Acme")).await.unwrap();
    let firsts = [
        Some("b"),
        None,
        Some("a"),
        Some("B"),
        Some("a"),
        None,
        Some("c"),
    ];
    for i in 0..23 {
        let first = firsts[i % firsts.len()];
        store
            .create_customer(&a.id, customer(first, &format!("L{i}")), &[])
            .await
            .unwrap();
    }
    for field in [SortField::CreatedAt, SortField::FirstName] {
        for direction in [SortDirection::Asc, SortDirection::Desc] {
            let all = store
                .list_customers(&a.id, None, &page(1, 100, field, direction))
                .await
                .unwrap();
            assert_eq!((all.items.len(), all.total), (23, 23));
            for size in [1, 4, 5, 22, 23, 24] {
                for n in 1..=(23 / size + 2) {
                    let got = store
                        .list_customers(&a.id, None, &page(n, size, field, direction))
                        .await
                        .unwrap();
                    let from = ((n - 1) * size) as usize;
                    let want: Vec<_> = all.items.iter().skip(from).take(size as usize).collect();
                    let got_items: Vec<_> = got.items.iter().collect();
                    assert_eq!(
                        got_items, want,
                        "{field:?} {direction:?} size {size} page {n}"
                    );
                    assert_eq!(got.total, 23);
                }
            }
        }
    }
}

/// A customer is created by one of eight statements, with or without the inserts of addresses,
/// tags and words new to the vocabulary: each combination stores what it was given.
#[tokio::test]
async fn every_shape_of_new_customer_is_stored_whole() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let co = store.create_company(company("Acme")).await.unwrap();
    // Teaches the store the words the customers without new words use.
    store
        .create_customer(&co.id, customer(Some("Known"), "Words"), &[])
        .await
        .unwrap();
    for variant in 0..8 {
        let (addresses, tags, new_word) = (variant & 1 != 0, variant & 2 != 0, variant & 4 != 0);
        let last = if new_word {
            format!("Qzv{}", ["a", "b", "c", "d", "e", "f", "g", "h"][variant])
        } else {
            "Words".to_owned()
        };
        let new = CustomerIn {
            tags: tags.then(|| vec![format!("tag{variant}")]),
            addresses: addresses.then(|| {
                vec![AddressIn {
                    street: Some(format!("{variant} Elm St")),
                    ..AddressIn::default()
                }]
            }),
            ..customer(Some("Known"), &last)
        };
        let made = store.create_customer(&co.id, new, &[]).await.unwrap();
        let got = store.get_customer(&co.id, &made.id).await.unwrap();
        assert_eq!(got, made, "variant {variant}");
        assert_eq!(
            got.addresses.len(),
            usize::from(addresses),
            "variant {variant}"
        );
        assert_eq!(got.tags.len(), usize::from(tags), "variant {variant}");
        if tags {
            let all = store
                .list_tags(
                    &co.id,
                    &ListParams {
                        page_size: 100,
                        ..ListParams::default()
                    },
                )
                .await
                .unwrap();
            assert!(all.items.iter().any(|t| t.name == format!("tag{variant}")));
        }
        let found = store
            .list_customers(&co.id, Some(&last), &ListParams::default())
            .await
            .unwrap();
        assert!(
            found.items.iter().any(|c| c.id == made.id),
            "variant {variant}: found by its last name"
        );
    }
}

/// The customers epoch moves with every change to a customer's stored JSON (by the store or
/// by hand) and when a customer goes, not for a new customer nor for another company's
/// changes; the reference epoch stays where it was.
#[tokio::test]
async fn the_customers_epoch_moves_when_a_stored_customer_changes() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let a = store.create_company(company("Acme")).await.unwrap();
    let b = store.create_company(company("Beta")).await.unwrap();
    let ada = store
        .create_customer(&a.id, customer(Some("Ada"), "Byron"), &[])
        .await
        .unwrap();
    let epoch = |company: String| {
        let store = store.clone();
        async move { store.epochs(&company).await.unwrap().customers }
    };
    let reference = store.epochs(&a.id).await.unwrap().reference;
    let mut last = epoch(a.id.clone()).await;
    let mut moved = async |what: &str| {
        let now = epoch(a.id.clone()).await;
        assert!(now > last, "{what} did not move the epoch");
        last = now;
    };

    let patch = CustomerPatch {
        last_name: Some(Some("Lovelace".into())),
        ..CustomerPatch::default()
    };
    store
        .update_customer(&a.id, &ada.id, patch, &[])
        .await
        .unwrap();
    moved("an update").await;
    let address = AddressIn {
        street: Some("1 Elm St".into()),
        ..AddressIn::default()
    };
    store
        .create_address(&a.id, &ada.id, address, &[])
        .await
        .unwrap();
    moved("a new address").await;
    let client = crate::positions::raw(&db).await;
    client
        .execute("update customers set doc = null where id = $1", &[&ada.id])
        .await
        .unwrap();
    moved("a dropped JSON").await;
    client
        .execute(
            "update customers set first_name = 'Ida' where id = $1",
            &[&ada.id],
        )
        .await
        .unwrap();
    moved("a customer without JSON changed by hand").await;

    let still = epoch(a.id.clone()).await;
    let bea = store
        .create_customer(&a.id, customer(Some("Bea"), "Byron"), &[])
        .await
        .unwrap();
    let other = store
        .create_customer(&b.id, customer(Some("Cy"), "Other"), &[])
        .await
        .unwrap();
    let patch = CustomerPatch {
        last_name: Some(Some("Changed".into())),
        ..CustomerPatch::default()
    };
    store
        .update_customer(&b.id, &other.id, patch, &[])
        .await
        .unwrap();
    assert_eq!(epoch(a.id.clone()).await, still);
    assert!(epoch(b.id.clone()).await > 0);

    client
        .execute("delete from addresses where customer_id = $1", &[&bea.id])
        .await
        .unwrap();
    client
        .execute("delete from customers where id = $1", &[&bea.id])
        .await
        .unwrap();
    assert!(
        epoch(a.id.clone()).await > still,
        "a deleted customer did not move the epoch"
    );
    assert_eq!(store.epochs(&a.id).await.unwrap().reference, reference);
}
