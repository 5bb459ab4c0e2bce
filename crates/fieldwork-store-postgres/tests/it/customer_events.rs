//! Events of a new customer, recorded by the statement that creates it: the payload byte for
//! byte as `customer_events` renders it whatever the company's name, one message per event and
//! one pending delivery per enabled endpoint whose filter matches.

use std::collections::{BTreeSet, HashMap};

use fieldwork_store::Store;
use fieldwork_store::events::customer_events;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::{
    ClaimRequest, ClaimedDelivery, EndpointPatch, MessageQuery, NewEndpoint,
};
use fieldwork_types::{AddressIn, CustomerIn};

use crate::story::company;
use crate::temp_database;

/// A new enabled endpoint taking `event_types` (all events when empty); its id.
pub async fn endpoint(store: &dyn Store, company_id: &str, event_types: &[&str]) -> String {
    store
        .create_webhook_endpoint(
            company_id,
            NewEndpoint {
                url: "https://example.test/hook".into(),
                description: String::new(),
                event_types: event_types.iter().map(|&t| t.into()).collect(),
                is_primary: false,
                secret: "whsec_test".into(),
            },
        )
        .await
        .unwrap()
        .id
}

/// Claims every delivery due within the next second (up to 100, 10 per endpoint).
pub async fn claim_due(store: &dyn Store) -> Vec<ClaimedDelivery> {
    store
        .claim_deliveries(&ClaimRequest {
            now: now_micros() + 1_000_000,
            lease_micros: 60_000_000,
            limit: 100,
            per_endpoint: 10,
            available: HashMap::new(),
        })
        .await
        .unwrap()
}

fn messages(page_size: u32) -> MessageQuery {
    MessageQuery {
        page: 1,
        page_size,
        ..MessageQuery::default()
    }
}

#[tokio::test]
async fn a_new_customer_records_its_events_with_the_company_name() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    // What JSON escapes (quote, backslash, every kind of control character) and what it does
    // not (DEL, non-ASCII, line separators, markup).
    let names = [
        "Plain Plumbing",
        "Quote \" and \\ backslash \\u0000",
        "tab\tnewline\nreturn\r backspace\u{8} formfeed\u{c}",
        "\u{1}\u{1f}\u{7f}",
        "Ünïcödé 🚀 \u{2028}\u{2029} </script> & 'x' /",
    ];
    for name in names {
        let co = store.create_company(company(name)).await.unwrap();
        let all = endpoint(&store, &co.id, &[]).await;
        let created = endpoint(&store, &co.id, &["customer.created"]).await;
        endpoint(&store, &co.id, &["job.created"]).await;
        let off = endpoint(&store, &co.id, &[]).await;
        store
            .update_webhook_endpoint(
                &co.id,
                &off,
                EndpointPatch {
                    enabled: Some(false),
                    ..EndpointPatch::default()
                },
            )
            .await
            .unwrap();

        let customer = store
            .create_customer(
                &co.id,
                CustomerIn {
                    first_name: Some("Ada \"the\" \\ engineer".into()),
                    notes: Some("line\nbreak".into()),
                    tags: Some(vec!["vip".into()]),
                    addresses: Some(vec![AddressIn {
                        street: Some("12 Elm St".into()),
                        ..AddressIn::default()
                    }]),
                    ..CustomerIn::default()
                },
                &["customer.created"],
            )
            .await
            .unwrap();
        assert_eq!(customer.company_name, name);
        assert_eq!(
            store.get_customer(&co.id, &customer.id).await.unwrap(),
            customer
        );

        let log = store
            .list_webhook_messages(&co.id, &messages(10))
            .await
            .unwrap();
        assert_eq!(log.total, 1, "{name:?}");
        let message = &log.items[0];
        assert_eq!(message.event_type, "customer.created");
        assert!(message.id.starts_with("msg_"));
        let want = customer_events(&["customer.created"], &customer).remove(0);
        assert_eq!(
            message.payload, want.payload,
            "{name:?}: the payload byte for byte"
        );

        let claimed: Vec<_> = claim_due(&store)
            .await
            .into_iter()
            .filter(|d| d.company_id == co.id)
            .collect();
        let endpoints: BTreeSet<_> = claimed.iter().map(|d| d.endpoint_id.clone()).collect();
        assert_eq!(endpoints, BTreeSet::from([all, created]), "{name:?}");
        for d in &claimed {
            assert_eq!(d.message_id, message.id);
            assert_eq!(d.payload, want.payload);
            assert_eq!(d.attempts, 0);
        }
    }

    // Several events: one message each, in the order named; none without events.
    let co = store.create_company(company("Two events")).await.unwrap();
    let customer = store
        .create_customer(
            &co.id,
            CustomerIn {
                last_name: Some("Lovelace".into()),
                ..CustomerIn::default()
            },
            &["customer.created", "customer.updated"],
        )
        .await
        .unwrap();
    let log = store
        .list_webhook_messages(&co.id, &messages(10))
        .await
        .unwrap();
    let mut recorded: Vec<_> = log
        .items
        .iter()
        .map(|m| (m.event_type.as_str(), m.payload.as_str()))
        .collect();
    recorded.reverse();
    let want = customer_events(&["customer.created", "customer.updated"], &customer);
    assert_eq!(
        recorded,
        want.iter()
            .map(|e| (e.event_type.as_str(), e.payload.as_str()))
            .collect::<Vec<_>>()
    );
    store
        .create_customer(&co.id, CustomerIn::default(), &[])
        .await
        .unwrap();
    let log = store
        .list_webhook_messages(&co.id, &messages(10))
        .await
        .unwrap();
    assert_eq!(log.total, 2);
}
