//! A document's update or insert and the events it raises, written by one statement: the
//! events are recorded (in order, fan-outs queued for the endpoints that take them) exactly
//! when the document is, and not at all when it loses a version race, finds no document or
//! breaks a constraint.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use fieldwork_store::docs::{Doc, DocIndex, DocKind, DocWrite};
use fieldwork_store::events::OutboxEvent;
use fieldwork_store::time::now_micros;
use fieldwork_store::webhooks::MessageQuery;
use fieldwork_store::{Store, StoreError};

use crate::customer_events::{claim_due, endpoint};
use crate::story::company;
use crate::{kind, temp_database};

fn job(id: &str, body: &str) -> Doc {
    let now = now_micros();
    Doc {
        kind: DocKind::Job,
        id: id.into(),
        version: 1,
        index: DocIndex {
            keys: vec!["tag:a".into()],
            created_at: now,
            updated_at: now,
            ..DocIndex::default()
        },
        body: body.into(),
        detail: None,
    }
}

/// The company's recorded messages, oldest first, as (type, payload).
async fn recorded(store: &dyn Store, company_id: &str) -> Vec<(String, String)> {
    let query = MessageQuery {
        page: 1,
        page_size: 100,
        ..MessageQuery::default()
    };
    let mut log: Vec<_> = store
        .list_webhook_messages(company_id, &query)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| (m.event_type, m.payload))
        .collect();
    log.reverse();
    log
}

#[tokio::test]
async fn an_update_records_its_events_only_when_it_is_written() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let co = store.create_company(company("Doc events")).await.unwrap();
    let mut endpoint_for = HashMap::new();
    for types in [vec![], vec!["job.updated"], vec!["job.created"]] {
        let id = endpoint(&store, &co.id, &types).await;
        endpoint_for.insert(types.join(","), id);
    }
    let stored = store
        .write_docs(&co.id, vec![DocWrite::Insert(job("job_1", r#"{"v":1}"#))])
        .await
        .unwrap();
    assert_eq!(stored[0].version, 1);

    // Written: the document changes, and both events are recorded in the order given.
    let mut changed = job("job_1", r#"{"v":2}"#);
    changed.index.keys = vec!["tag:b".into()];
    let events = [
        OutboxEvent::new("job.updated", r#"{"event":"job.updated","n":1}"#.into()),
        OutboxEvent::new("job.scheduled", r#"{"event":"job.scheduled","n":2}"#.into()),
    ];
    let mut writes = vec![DocWrite::Update(changed.clone())];
    writes.extend(events.iter().cloned().map(DocWrite::Emit));
    let stored = store.write_docs(&co.id, writes).await.unwrap();
    assert_eq!((stored[0].version, stored[0].index.number), (2, Some(1)));
    let doc = store.get_doc(&co.id, DocKind::Job, "job_1").await.unwrap();
    assert_eq!((doc.version, doc.body.as_str()), (2, r#"{"v":2}"#));
    let want: Vec<_> = events
        .iter()
        .map(|e| (e.event_type.clone(), e.payload.clone()))
        .collect();
    assert_eq!(recorded(&store, &co.id).await, want);

    // Each message fans out to the enabled endpoints whose filter takes it.
    let claimed = claim_due(&store).await;
    let got: BTreeSet<_> = claimed
        .iter()
        .filter(|d| d.company_id == co.id)
        .map(|d| (d.message_id.clone(), d.endpoint_id.clone()))
        .collect();
    let want: BTreeSet<_> = [
        (events[0].id.clone(), endpoint_for[""].clone()),
        (events[0].id.clone(), endpoint_for["job.updated"].clone()),
        (events[1].id.clone(), endpoint_for[""].clone()),
    ]
    .into();
    assert_eq!(got, want);

    // A stale version: nothing written, no event recorded.
    let stale = [
        DocWrite::Update(job("job_1", r#"{"v":3}"#)),
        emit("job.updated"),
    ];
    assert_eq!(
        kind(store.write_docs(&co.id, stale.to_vec()).await),
        "Conflict"
    );
    let doc = store.get_doc(&co.id, DocKind::Job, "job_1").await.unwrap();
    assert_eq!((doc.version, doc.body.as_str()), (2, r#"{"v":2}"#));
    assert_eq!(recorded(&store, &co.id).await.len(), 2);

    // A missing document: not found, no event recorded.
    let missing = vec![DocWrite::Update(job("job_2", "{}")), emit("job.updated")];
    match store.write_docs(&co.id, missing).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(recorded(&store, &co.id).await.len(), 2);

    // An insert with its number and events is written by one statement too; a failing one
    // (the number taken) records nothing.
    let mut numbered = job("job_3", "{}");
    numbered.index.number = Some(7);
    let inserted = vec![DocWrite::Insert(numbered.clone()), emit("job.created")];
    store.write_docs(&co.id, inserted).await.unwrap();
    let log = recorded(&store, &co.id).await;
    assert_eq!((log.len(), log[2].0.as_str()), (3, "job.created"));
    numbered.id = "job_4".into();
    let taken = vec![DocWrite::Insert(numbered), emit("job.created")];
    assert_eq!(kind(store.write_docs(&co.id, taken).await), "Conflict");
    assert_eq!(recorded(&store, &co.id).await.len(), 3);
    assert!(store.get_doc(&co.id, DocKind::Job, "job_4").await.is_err());

    // No events: the update alone.
    changed.version = 2;
    changed.body = r#"{"v":4}"#.into();
    let stored = store
        .write_docs(&co.id, vec![DocWrite::Update(changed)])
        .await
        .unwrap();
    assert_eq!(stored[0].version, 3);
    assert_eq!(recorded(&store, &co.id).await.len(), 3);
}

fn emit(event_type: &str) -> DocWrite {
    DocWrite::Emit(OutboxEvent::new(
        event_type,
        format!(r#"{{"event":"{event_type}"}}"#),
    ))
}

/// Waits (up to 5 s) for `signal` to change, then marks it seen.
async fn changes(signal: &mut tokio::sync::watch::Receiver<u64>) -> bool {
    let changed = tokio::time::timeout(Duration::from_secs(5), signal.changed()).await;
    signal.mark_unchanged();
    matches!(changed, Ok(Ok(())))
}

/// Commits whose events queued no delivery wake live streams but not the webhook workers, in
/// this process and (through the notification's payload) in the others.
#[tokio::test]
async fn only_commits_that_queue_deliveries_wake_the_workers() {
    let Some(db) = temp_database().await else {
        return;
    };
    let here = db.store().await.unwrap();
    let there = db.store().await.unwrap();
    let co = here.create_company(company("Signals")).await.unwrap();
    // A listener wakes both signals when it starts listening: subscribed after that.
    assert!(here.wait_listening().await && there.wait_listening().await);
    let (mut messages, mut deliveries) = (here.outbox_signal(), here.deliveries_signal());
    let (mut their_messages, mut their_deliveries) =
        (there.outbox_signal(), there.deliveries_signal());
    here.write_docs(&co.id, vec![DocWrite::Insert(job("job_1", "{}"))])
        .await
        .unwrap();
    let mut version = 1;

    // An update and an insert, each with an event: the update writes in one statement, the
    // insert in a transaction.
    let mut writes = |event_type: &str| {
        let mut doc = job("job_1", "{}");
        doc.version = version;
        version += 1;
        let id = format!("job_{version}");
        vec![
            vec![DocWrite::Update(doc), emit(event_type)],
            vec![DocWrite::Insert(job(&id, "{}")), emit(event_type)],
        ]
    };
    for batch in writes("job.updated") {
        here.write_docs(&co.id, batch).await.unwrap();
        assert!(messages.has_changed().unwrap());
        assert!(!deliveries.has_changed().unwrap());
        messages.mark_unchanged();
        assert!(changes(&mut their_messages).await);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!their_deliveries.has_changed().unwrap());
    }

    endpoint(&here, &co.id, &["job.updated"]).await;
    // The endpoint takes `job.updated` only.
    for batch in writes("job.created") {
        here.write_docs(&co.id, batch).await.unwrap();
        assert!(!deliveries.has_changed().unwrap());
    }
    for batch in writes("job.updated") {
        here.write_docs(&co.id, batch).await.unwrap();
        assert!(messages.has_changed().unwrap());
        assert!(deliveries.has_changed().unwrap());
        deliveries.mark_unchanged();
        assert!(changes(&mut their_deliveries).await);
    }
}

/// A document, or a page of them, read with the company's epochs in one statement: the same
/// epochs `Store::epochs` reads, moving when the company changes.
#[tokio::test]
async fn documents_come_with_the_companys_epochs() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let co = store.create_company(company("Epochs")).await.unwrap();
    store
        .write_docs(&co.id, vec![DocWrite::Insert(job("job_1", r#"{"v":1}"#))])
        .await
        .unwrap();
    let query = fieldwork_store::docs::DocQuery {
        page: 1,
        page_size: 10,
        ..Default::default()
    };
    let before = store.epochs(&co.id).await.unwrap();
    let (doc, epochs) = store
        .get_doc_with_epochs(&co.id, DocKind::Job, "job_1")
        .await
        .unwrap();
    assert_eq!(
        doc,
        store.get_doc(&co.id, DocKind::Job, "job_1").await.unwrap()
    );
    assert_eq!(epochs, before);
    let (page, epochs) = store
        .list_docs_with_epochs(&co.id, DocKind::Job, &query)
        .await
        .unwrap();
    assert_eq!((page.total, epochs), (1, before));

    let mut profile = co.profile.clone();
    profile.time_zone = "UTC".into();
    store.set_company_profile(&co.id, profile).await.unwrap();
    let after = store.epochs(&co.id).await.unwrap();
    assert_ne!(after.reference, before.reference);
    let (_, epochs) = store
        .get_doc_with_epochs(&co.id, DocKind::Job, "job_1")
        .await
        .unwrap();
    assert_eq!(epochs, after);
    let (_, epochs) = store
        .list_docs_with_epochs(&co.id, DocKind::Job, &query)
        .await
        .unwrap();
    assert_eq!(epochs, after);
    match store
        .get_doc_with_epochs(&co.id, DocKind::Job, "job_2")
        .await
    {
        Err(StoreError::NotFound(what)) => assert_eq!(what, "job"),
        other => panic!("expected NotFound, got {other:?}"),
    }
}
