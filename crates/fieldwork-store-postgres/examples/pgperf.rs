//! Scratch measurement (temporary).
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fieldwork_store::{ListParams, NewCompany, Plan, Store};
use fieldwork_store_postgres::testing::TempDatabase;
use fieldwork_store_postgres::{PoolSettings, PostgresStore};
use fieldwork_types::{AddressIn, CustomerIn};

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
];
const STREETS: &[&str] = &[
    "Maple", "Oak", "Pine", "Cedar", "Elm", "Willow", "Birch", "Aspen", "Spruce", "Chestnut",
    "Walnut", "Hickory", "Magnolia", "Sycamore", "Juniper", "Laurel", "Cypress", "Redwood",
    "Sequoia", "Alder",
];

fn rnd(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^ (z >> 31)
}

fn person(i: u64) -> CustomerIn {
    let r = rnd(i);
    let first = FIRST[(r % 20) as usize];
    let last = LAST[((r >> 8) % 20) as usize];
    CustomerIn {
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        email: Some(format!(
            "{}.{}{}@example.com",
            first.to_lowercase(),
            last.to_lowercase(),
            i
        )),
        mobile_number: Some(format!("503{:07}", 2_000_000 + (r >> 16) % 8_000_000)),
        home_number: Some(format!("206{:07}", 2_000_000 + (r >> 20) % 8_000_000)),
        notifications_enabled: Some(true),
        tags: Some(vec![if r % 5 == 0 {
            "vip".into()
        } else {
            "residential".into()
        }]),
        notes: Some("Gate code 1234. Dog in the back yard.".into()),
        addresses: Some(vec![AddressIn {
            street: Some(format!(
                "{} {} St",
                r % 10000,
                STREETS[((r >> 32) % 20) as usize]
            )),
            city: Some("Portland".into()),
            state: Some("OR".into()),
            zip: Some("97201".into()),
            country: Some("US".into()),
            ..AddressIn::default()
        }]),
        ..CustomerIn::default()
    }
}

struct Stats {
    lat: Vec<u64>,
}
fn report(name: &str, mut lat: Vec<u64>, secs: f64) {
    lat.sort_unstable();
    let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q) as usize] as f64 / 1000.0;
    println!(
        "{name:28} {:>8.0}/s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  n={}",
        lat.len() as f64 / secs,
        p(0.5),
        p(0.99),
        p(1.0),
        lat.len()
    );
}

async fn run<F, Fut>(name: &str, conc: usize, dur: Duration, f: F)
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let f = Arc::new(f);
    let ctr = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..conc)
        .map(|_| {
            let f = f.clone();
            let ctr = ctr.clone();
            tokio::spawn(async move {
                let mut s = Stats { lat: vec![] };
                while start.elapsed() < dur {
                    let i = ctr.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    f(i).await;
                    s.lat.push(t.elapsed().as_micros() as u64);
                }
                s.lat
            })
        })
        .collect();
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    report(name, all, start.elapsed().as_secs_f64());
}

#[tokio::main]
async fn main() {
    let admin = TempDatabase::admin_url_from_env().expect("url");
    let db = TempDatabase::create(&admin).await.unwrap();
    let store = PostgresStore::connect(db.url(), PoolSettings::default(), true)
        .await
        .unwrap();
    let big = store
        .create_company(NewCompany {
            name: "big".into(),
            plan: Plan::Max,
            time_zone: "UTC".into(),
        })
        .await
        .unwrap()
        .id;
    let mut small = vec![];
    for k in 0..10 {
        small.push(
            store
                .create_company(NewCompany {
                    name: format!("s{k}"),
                    plan: Plan::Max,
                    time_zone: "UTC".into(),
                })
                .await
                .unwrap()
                .id,
        );
    }
    let n: u64 = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let ids = Arc::new(parking(Vec::new()));
    let t = Instant::now();
    let ctr = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            let ctr = ctr.clone();
            let big = big.clone();
            let small = small.clone();
            let ids = ids.clone();
            tokio::spawn(async move {
                let mut lat = vec![];
                loop {
                    let i = ctr.fetch_add(1, Ordering::Relaxed);
                    if i >= 2 * n {
                        break;
                    }
                    let company = if i % 2 == 0 {
                        big.clone()
                    } else {
                        small[(i / 2 % 10) as usize].clone()
                    };
                    let s = Instant::now();
                    let c = store.create_customer(&company, person(i)).await.unwrap();
                    lat.push(s.elapsed().as_micros() as u64);
                    if i % 2 == 0 {
                        ids.lock().unwrap().push(c.id);
                    }
                }
                lat
            })
        })
        .collect();
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    report(
        "create_customer (load, c=50)",
        all,
        t.elapsed().as_secs_f64(),
    );
    let ids: Arc<Vec<String>> = Arc::new(std::mem::take(&mut *ids.lock().unwrap()));
    let dur = Duration::from_secs(8);
    for round in 0..2 {
        println!("-- round {round}");
        {
            let store = store.clone();
            let big = big.clone();
            let ids = ids.clone();
            run("get_customer c=50", 50, dur, move |i| {
                let store = store.clone();
                let big = big.clone();
                let id = ids[(rnd(i) % ids.len() as u64) as usize].clone();
                async move {
                    store.get_customer(&big, &id).await.unwrap();
                }
            })
            .await;
        }
        {
            let store = store.clone();
            let big = big.clone();
            let pages = (n / 50) as u64;
            run("list page_size=50 c=50", 50, dur, move |i| {
                let store = store.clone();
                let big = big.clone();
                async move {
                    let l = ListParams {
                        page: (1 + rnd(i) % pages) as u32,
                        page_size: 50,
                        ..ListParams::default()
                    };
                    let p = store.list_customers(&big, None, &l).await.unwrap();
                    assert_eq!(p.items.len(), 50);
                }
            })
            .await;
        }
        for (kind, name) in [
            (0, "search first name"),
            (1, "search email"),
            (2, "search phone5"),
            (3, "search street"),
        ] {
            let store = store.clone();
            let big = big.clone();
            run(&format!("{name} c=50"), 50, dur, move |i| {
                let store = store.clone();
                let big = big.clone();
                async move {
                    let p = person(rnd(i) % n * 2);
                    let q = match kind {
                        0 => p.first_name.unwrap(),
                        1 => p.email.unwrap(),
                        2 => {
                            let m = p.mobile_number.unwrap();
                            let at = (rnd(i + 1) % 6) as usize;
                            m[at..at + 5].to_owned()
                        }
                        _ => STREETS[(rnd(i) % 20) as usize].to_owned(),
                    };
                    store
                        .list_customers(&big, Some(&q), &ListParams::default())
                        .await
                        .unwrap();
                }
            })
            .await;
        }
        {
            let store = store.clone();
            let big = big.clone();
            run("create_customer c=50", 50, dur, move |i| {
                let store = store.clone();
                let big = big.clone();
                async move {
                    store
                        .create_customer(&big, person(10_000_000 + i))
                        .await
                        .unwrap();
                }
            })
            .await;
        }
        if round == 0 {
            let (client, conn) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            let t = Instant::now();
            client.batch_execute("vacuum analyze").await.unwrap();
            println!("vacuum analyze took {:?}", t.elapsed());
        }
    }
    if std::env::var("KEEP").is_ok() {
        println!("db {}", db.url());
        std::mem::forget(db);
    }
}
fn parking<T>(v: T) -> std::sync::Mutex<T> {
    std::sync::Mutex::new(v)
}
