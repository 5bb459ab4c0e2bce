//! The shared request windows at store level: lookup and count in one call, limits, off-plan
//! keys, taking a count back, and pruning.

use fieldwork_store::{CompanyLimits, NewCompany, Plan, SharedRateWindows, Store, WindowRule};
use fieldwork_store_postgres::PostgresStore;

use crate::temp_database;

/// A company on `plan` with one key whose hash is `hash`; returns the key id.
async fn key(store: &PostgresStore, plan: Plan, hash: &str) -> String {
    let company = store
        .create_company(NewCompany {
            name: format!("{hash} Co"),
            plan,
            time_zone: "UTC".into(),
        })
        .await
        .unwrap();
    store
        .create_api_key(&company.id, "k", hash, "abc")
        .await
        .unwrap()
        .id
}

const RULE: WindowRule = WindowRule {
    default_limit: 3,
    window_secs: 60,
};

#[tokio::test]
async fn counts_up_to_the_limit_per_key_and_only_on_max() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let a = key(&store, Plan::Max, "hash-a").await;
    key(&store, Plan::Basic, "hash-basic").await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        let (auth, count) = store
            .authenticate_and_count("hash-a", RULE)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(auth.key_id, a);
        let count = count.expect("a max company's request is counted");
        assert_eq!(count.limit, 3);
        // The oldest second counts until a whole window after it has passed.
        assert!((1..=61).contains(&count.reset_secs), "{count:?}");
        seen.push((count.admitted, count.counted));
    }
    assert_eq!(seen, [(true, 1), (true, 2), (true, 3), (false, 3)]);

    let (_, count) = store
        .authenticate_and_count("hash-basic", RULE)
        .await
        .unwrap()
        .unwrap();
    assert!(count.is_none(), "off max nothing is counted");
    assert!(
        store
            .authenticate_and_count("unknown", RULE)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_company_limit_applies_and_a_count_can_be_taken_back() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let id = key(&store, Plan::Max, "hash-own").await;
    let company = store.list_companies().await.unwrap()[0].id.clone();
    store
        .set_company_limits(
            &company,
            CompanyLimits {
                per_minute: Some(1),
                concurrency: None,
            },
        )
        .await
        .unwrap();
    let count = |store: PostgresStore| async move {
        store
            .authenticate_and_count("hash-own", RULE)
            .await
            .unwrap()
            .unwrap()
            .1
            .unwrap()
    };
    let first = count(store.clone()).await;
    assert_eq!((first.limit, first.admitted), (1, true));
    assert!(!count(store.clone()).await.admitted);
    store.uncount(&id, first.sec).await.unwrap();
    let again = count(store.clone()).await;
    assert!(again.admitted, "{again:?}");
    assert_eq!(again.counted, 1);
}

#[tokio::test]
async fn idle_windows_are_pruned_and_active_ones_kept() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    key(&store, Plan::Max, "hash-p").await;
    store.authenticate_and_count("hash-p", RULE).await.unwrap();
    assert_eq!(store.prune_rate_windows(60).await.unwrap(), 0);
    // A window idle for 0 s is one whose latest request was before this second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(store.prune_rate_windows(0).await.unwrap(), 1);
    let (_, count) = store
        .authenticate_and_count("hash-p", RULE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        count.unwrap().counted,
        1,
        "a pruned key starts a fresh window"
    );
}
