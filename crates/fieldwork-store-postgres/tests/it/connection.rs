//! Connecting, migrating, and riding out lost connections and concurrent writers.

use std::time::{Duration, Instant};

use fieldwork_store::{ListParams, Store, StoreError};
use fieldwork_store_postgres::{PoolSettings, PostgresStore};
use fieldwork_types::CustomerIn;
use tokio_postgres::NoTls;

use crate::story::company;
use crate::temp_database;

fn quick() -> PoolSettings {
    PoolSettings {
        max_connections: 4,
        connect_timeout: Duration::from_secs(2),
        acquire_timeout: Duration::from_secs(2),
        statement_timeout: Duration::from_secs(5),
        max_age: Duration::from_secs(60),
    }
}

/// A connection to the test server as its administrator (to watch and end backends).
async fn admin_client() -> tokio_postgres::Client {
    let admin = fieldwork_store_postgres::testing::TempDatabase::admin_url_from_env().unwrap();
    let (client, conn) = tokio_postgres::connect(&admin, NoTls).await.unwrap();
    tokio::spawn(conn);
    client
}

fn unavailable<T>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Unavailable(msg)) => msg,
        Err(e) => panic!("expected Unavailable, got {e:?}"),
        Ok(_) => panic!("expected Unavailable, got a store"),
    }
}

#[tokio::test]
async fn unreachable_server_is_unavailable_at_once() {
    let started = Instant::now();
    let r = PostgresStore::connect("postgres://postgres@127.0.0.1:1/none", quick(), true).await;
    let msg = unavailable(r);
    let want = "cannot connect to PostgreSQL at postgres@127.0.0.1:1/none: error connecting";
    assert!(msg.starts_with(want), "{msg}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let msg = unavailable(PostgresStore::connect("mysql://x", quick(), true).await);
    assert!(msg.contains("invalid PostgreSQL URL"), "{msg}");
}

#[tokio::test]
async fn a_missing_database_is_named() {
    let Some(db) = temp_database().await else {
        return;
    };
    let url = format!("{}_missing", db.url());
    let msg = unavailable(PostgresStore::connect(&url, quick(), true).await);
    assert!(msg.contains(&format!("{}_missing", db.name())), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");
}

#[tokio::test]
async fn migrations_are_checked_and_serialized() {
    let Some(db) = temp_database().await else {
        return;
    };
    let msg = unavailable(PostgresStore::connect(db.url(), quick(), false).await);
    assert_eq!(
        msg,
        "the database lacks migration 20261127000000_init: run `fieldwork migrate`"
    );
    // Several processes migrating at once take turns.
    let racers = (0..3).map(|_| {
        let url = db.url().to_owned();
        tokio::spawn(async move { PostgresStore::connect(&url, quick(), true).await.map(drop) })
    });
    for racer in racers {
        racer.await.unwrap().unwrap();
    }
    let store = PostgresStore::connect(db.url(), quick(), false)
        .await
        .unwrap();
    store.migrate().await.unwrap();

    let (client, conn) = tokio_postgres::connect(db.url(), NoTls).await.unwrap();
    tokio::spawn(conn);
    client
        .batch_execute("insert into _migrations values ('29990101000000_future', 0)")
        .await
        .unwrap();
    let msg = unavailable(PostgresStore::connect(db.url(), quick(), false).await);
    assert_eq!(
        msg,
        "the database has migration 29990101000000_future, unknown to this fieldwork binary: \
         upgrade fieldwork"
    );
}

#[tokio::test]
async fn recovers_when_connections_are_killed() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let company = store.create_company(company("Acme")).await.unwrap();
    // Fill the pool, then have the server end every connection (as a restart does).
    let reads: Vec<_> = (0..4)
        .map(|_| {
            let (store, id) = (store.clone(), company.id.clone());
            tokio::spawn(async move { store.get_company(&id).await })
        })
        .collect();
    for r in reads {
        r.await.unwrap().unwrap();
    }
    let client = admin_client().await;
    let killed = client
        .query_one(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = $1",
            &[&db.name()],
        )
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert!(killed >= 1, "killed {killed}");
    tokio::time::sleep(Duration::from_millis(100)).await;

    let started = Instant::now();
    let mut failures = 0;
    for _ in 0..20 {
        match store.get_company(&company.id).await {
            Ok(c) => assert_eq!(c.id, company.id),
            Err(StoreError::Unavailable(_)) => failures += 1,
            Err(e) => panic!("a lost connection must be Unavailable, got {e:?}"),
        }
    }
    assert!(
        failures <= 4,
        "{failures} calls failed: broken connections are not dropped"
    );
    store.get_company(&company.id).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn concurrent_writers_of_new_tags_all_succeed() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = db.store().await.unwrap();
    let company = store.create_company(company("Acme")).await.unwrap();
    // Opposite tag orders are the recipe for a deadlock between two inserting transactions.
    let writes = (0..40).map(|i| {
        let store = store.clone();
        let company_id = company.id.clone();
        let mut tags: Vec<String> = (0..6).map(|t| format!("tag{t}")).collect();
        if i % 2 == 1 {
            tags.reverse();
        }
        tokio::spawn(async move {
            store
                .create_customer(
                    &company_id,
                    CustomerIn {
                        first_name: Some(format!("c{i}")),
                        tags: Some(tags),
                        ..CustomerIn::default()
                    },
                    &[],
                )
                .await
        })
    });
    for w in writes.collect::<Vec<_>>() {
        w.await.unwrap().unwrap();
    }
    let all = store
        .list_customers(&company.id, None, &ListParams::default())
        .await
        .unwrap();
    assert_eq!(all.total, 40);
    let tags = store
        .list_tags(&company.id, &ListParams::default())
        .await
        .unwrap();
    assert_eq!(tags.total, 6);
}

/// A pooled connection older than `max_age` is closed when it is given back, and the next
/// request gets a new one (so its statements are planned again on today's table sizes).
#[tokio::test]
async fn connections_past_their_maximum_age_are_replaced() {
    let Some(db) = temp_database().await else {
        return;
    };
    let settings = PoolSettings {
        max_connections: 1,
        max_age: Duration::from_millis(500),
        ..quick()
    };
    let store = PostgresStore::connect(db.url(), settings, true)
        .await
        .unwrap();
    let company = store.create_company(company("Acme")).await.unwrap();
    let client = admin_client().await;
    let pool_backends = || async {
        client
            .query(
                "select pid from pg_stat_activity
                 where datname = $1 and application_name = 'fieldwork' order by pid",
                &[&db.name()],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<_, i32>(0))
            .collect::<Vec<_>>()
    };
    let first = pool_backends().await;
    assert_eq!(first.len(), 1, "{first:?}");
    // Young: the same connection serves the next requests.
    store.get_company(&company.id).await.unwrap();
    store.get_company(&company.id).await.unwrap();
    assert_eq!(pool_backends().await, first);

    tokio::time::sleep(Duration::from_millis(700)).await;
    store.get_company(&company.id).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = pool_backends().await;
        if now.len() == 1 && now != first {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the old connection {first:?} is still the pool's: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The API's commits wait for their WAL to reach the disk; the webhook worker's (leases and
/// recorded outcomes, which a crash may lose: the deliveries are then sent again) do not, and
/// its plans read queues in index order whatever their size when planned.
#[tokio::test]
async fn the_webhook_workers_connections_commit_and_plan_as_its_own() {
    let Some(db) = temp_database().await else {
        return;
    };
    let store = PostgresStore::connect(db.url(), quick(), true)
        .await
        .unwrap();
    let commits = store
        .settings_of_api_and_worker("synchronous_commit")
        .await
        .unwrap();
    assert_eq!(commits, ("on".to_owned(), "off".to_owned()));
    let names = store
        .settings_of_api_and_worker("application_name")
        .await
        .unwrap();
    assert_eq!(
        names,
        ("fieldwork".to_owned(), "fieldwork-webhooks".to_owned())
    );
    for scan in ["enable_bitmapscan", "enable_seqscan"] {
        let on = store.settings_of_api_and_worker(scan).await.unwrap();
        assert_eq!(on, ("on".to_owned(), "off".to_owned()), "{scan}");
    }
}
