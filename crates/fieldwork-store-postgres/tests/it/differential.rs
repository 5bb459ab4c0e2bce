//! The same script against the SQLite store and the PostgreSQL store: every result must be the
//! same, apart from the ids and times each makes.

use std::collections::HashMap;

use fieldwork_store::{
    ListParams, NewCompany, Page, Plan, Sort, SortDirection, SortField, Store, StoreResult,
};
use fieldwork_store_sqlite::SqliteStore;
use fieldwork_types::{
    AddressIn, CustomerIn, CustomerPatch, EmployeeIn, Permissions, VendorIn, VendorPatch,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::temp_database;

const FIRST: &[Option<&str>] = &[
    Some("Ada"),
    Some("ada"),
    None,
    Some("Émile"),
    Some("Zoë"),
    Some("bob"),
    Some("Bob"),
    Some(""),
    Some("O'Brien"),
    Some("Ada"),
];
const LAST: &[Option<&str>] = &[
    Some("Lovelace"),
    None,
    Some("Smith"),
    Some("smith"),
    Some("Nguyễn"),
    Some("Back\\slash"),
    Some("100% Pure"),
    Some("under_score"),
];
const CITIES: &[&str] = &["Portland", "Zürich", "Boise", "São Paulo", "reno"];

/// Records every result as JSON, in order.
struct Transcript(Vec<Value>);

impl Transcript {
    fn push<T: Serialize>(&mut self, label: &str, r: StoreResult<T>) -> Option<T> {
        match r {
            Ok(v) => {
                self.0
                    .push(json!({ label: serde_json::to_value(&v).unwrap() }));
                Some(v)
            }
            Err(e) => {
                let kind = match e {
                    fieldwork_store::StoreError::NotFound(w) => format!("NotFound({w})"),
                    fieldwork_store::StoreError::Conflict { .. } => "Conflict".into(),
                    other => panic!("{label}: unexpected {other:?}"),
                };
                self.0.push(json!({ label: { "error": kind } }));
                None
            }
        }
    }

    fn page<T: Serialize>(&mut self, label: &str, r: StoreResult<Page<T>>) {
        self.push(
            label,
            r.map(|p| json!({ "total": p.total, "items": p.items })),
        );
    }
}

fn list(page: u32, page_size: u32, field: SortField, direction: SortDirection) -> ListParams {
    ListParams {
        page,
        page_size,
        sort: Sort { field, direction },
    }
}

/// Runs the script on `store`; returns the transcript.
async fn script(store: &dyn Store) -> Vec<Value> {
    let mut t = Transcript(Vec::new());
    let new = |name: &str| NewCompany {
        name: name.into(),
        plan: Plan::Max,
        time_zone: "UTC".into(),
    };
    let a = store.create_company(new("A")).await.unwrap().id;
    let b = store.create_company(new("B")).await.unwrap().id;

    let mut customers: Vec<(String, String)> = Vec::new();
    for i in 0..48usize {
        let company = if i % 5 == 4 { &b } else { &a };
        let addresses = (0..i % 3)
            .map(|k| AddressIn {
                street: Some(format!("{} Elm St", 10 + i * 3 + k)),
                street_line_2: (k == 1).then(|| "Unit 4".to_owned()),
                city: Some(CITIES[(i + k) % CITIES.len()].to_owned()),
                state: (i % 2 == 0).then(|| "OR".to_owned()),
                zip: Some(format!("97{:03}", i * 7 % 1000)),
                country: Some("US".into()),
                kind: (k == 1).then(|| "billing".to_owned()),
                ..AddressIn::default()
            })
            .collect();
        let input = CustomerIn {
            first_name: FIRST[i % FIRST.len()].map(Into::into),
            last_name: LAST[i % LAST.len()].map(Into::into),
            email: (i % 4 != 0).then(|| format!("user{i}@Example.test")),
            company: (i % 6 == 0).then(|| "Acme Plumbing".to_owned()),
            notifications_enabled: (i % 7 == 0).then_some(false),
            mobile_number: (i % 3 != 1).then(|| format!("(503) 555-{:04}", i * 37)),
            home_number: (i % 5 == 2).then(|| "12-34".to_owned()),
            work_number: (i % 8 == 3).then(|| format!("+1 208 555 {:04}", i)),
            tags: (i % 2 == 0).then(|| vec![format!("t{}", i % 5), "common".into()]),
            lead_source: (i % 9 == 0).then(|| "Website".to_owned()),
            notes: Some(format!("note {i}")),
            addresses: Some(addresses),
        };
        let c = t.push(
            "create_customer",
            store.create_customer(company, input, &[]).await,
        );
        customers.push((company.clone(), c.unwrap().id));
    }
    for (i, (company, id)) in customers.iter().enumerate().filter(|(i, _)| i % 4 == 1) {
        let patch = CustomerPatch {
            first_name: Some((i % 8 == 1).then(|| "Patched".to_owned())),
            email: (i % 3 == 0).then_some(None),
            tags: Some(vec!["common".into(), format!("new{}", i % 3)]),
            notes: Some(None),
            ..CustomerPatch::default()
        };
        t.push(
            "update",
            store.update_customer(company, id, patch, &[]).await,
        );
        let address = AddressIn {
            street: Some(format!("{i} Added Way")),
            city: Some("Tacoma".into()),
            ..AddressIn::default()
        };
        t.push(
            "add_address",
            store.create_address(company, id, address, &[]).await,
        );
    }
    // Errors and tenant scoping.
    let (_, first) = &customers[0];
    t.push("foreign get", store.get_customer(&b, first).await);
    t.push(
        "foreign update",
        store
            .update_customer(&b, first, CustomerPatch::default(), &[])
            .await,
    );
    t.push(
        "foreign address",
        store
            .create_address(&b, first, AddressIn::default(), &[])
            .await,
    );
    t.page(
        "foreign addresses",
        store
            .list_addresses(&b, first, &ListParams::default())
            .await,
    );
    t.push(
        "unknown address",
        store.get_address(&a, first, "adr_x").await,
    );

    // Every customer read back, lists in every order, and searches.
    for (company, id) in &customers {
        t.push("get", store.get_customer(company, id).await);
        for (page, size, dir) in [(1, 2, SortDirection::Asc), (2, 1, SortDirection::Desc)] {
            let params = list(page, size, SortField::CreatedAt, dir);
            t.page(
                "addresses",
                store.list_addresses(company, id, &params).await,
            );
        }
    }
    let fields = [
        SortField::CreatedAt,
        SortField::UpdatedAt,
        SortField::FirstName,
        SortField::LastName,
        SortField::Email,
    ];
    for field in fields {
        for dir in [SortDirection::Asc, SortDirection::Desc] {
            for (page, size) in [(1, 50), (2, 7), (6, 7), (1, 1), (40, 1), (9, 10)] {
                for company in [&a, &b] {
                    let params = list(page, size, field, dir);
                    t.page("list", store.list_customers(company, None, &params).await);
                }
            }
        }
    }
    let queries = [
        "ada",
        "ADA",
        "ada lovelace",
        "smith",
        "émile",
        "ÉMILE",
        "zoë",
        "NGUYỄN",
        "zürich",
        "ZÜRICH",
        "são",
        "back\\slash",
        "100%",
        "under_score",
        "5035550037",
        "555-0",
        "555",
        "1234",
        "12-34",
        "2085550003",
        "example.test",
        "user1",
        "acme plumbing",
        "unit 4",
        "or 97",
        "tacoma",
        "added",
        "note",
        "common",
        "patched",
        "a b c d e f g h i",
        "%",
        "_ %",
        "o'brien",
        "   ",
        "e",
    ];
    for q in queries {
        for (page, size, field, dir) in [
            (1, 10, SortField::CreatedAt, SortDirection::Desc),
            (2, 3, SortField::LastName, SortDirection::Asc),
            (30, 3, SortField::CreatedAt, SortDirection::Desc),
        ] {
            let params = list(page, size, field, dir);
            let label = format!("search {q:?} {page}");
            t.page(&label, store.list_customers(&a, Some(q), &params).await);
        }
    }

    // Reference data.
    for name in ["common", "Zeta", "alpha", "Alpha", "t1"] {
        t.push("tag", store.create_tag(&a, name).await);
    }
    for name in ["Website", "Yelp", "yelp ads", "Référence"] {
        t.push("lead source", store.create_lead_source(&a, name).await);
    }
    t.push(
        "builtin",
        store.create_builtin_lead_source(&a, "Google").await,
    );
    for name in ["Repair", "install", "Maintenance"] {
        t.push("job type", store.create_job_type(&a, name).await);
    }
    for field in [SortField::CreatedAt, SortField::Name] {
        for dir in [SortDirection::Asc, SortDirection::Desc] {
            for (page, size) in [(1, 4), (2, 4), (1, 100)] {
                let params = list(page, size, field, dir);
                t.page("tags", store.list_tags(&a, &params).await);
                for q in [None, Some("Y"), Some("ads "), Some("RÉF"), Some("%")] {
                    let got = store.list_lead_sources(&a, q, &params).await;
                    t.page(&format!("lead sources {q:?}"), got);
                    let got = store.list_job_types(&a, q, &params).await;
                    t.page(&format!("job types {q:?}"), got);
                }
                t.page(
                    "job types",
                    store.list_job_types(&a, Some("IN"), &params).await,
                );
            }
        }
    }

    // Vendors.
    let mut vendors = Vec::new();
    for (i, name) in ["Pipes", "wires", "Valves & Co", "pipes two"]
        .iter()
        .enumerate()
    {
        let input = VendorIn {
            name: Some((*name).into()),
            contact_name: (i % 2 == 0).then(|| format!("Contact {i}")),
            email: Some(format!("sales{i}@vendor.test")),
            tags: (i == 1).then(|| vec!["x".into()]),
            ..VendorIn::default()
        };
        vendors.push(
            t.push("vendor", store.create_vendor(&a, input).await)
                .unwrap()
                .id,
        );
    }
    let patch = VendorPatch {
        name: Some("Pipes One".into()),
        email: Some(None),
        ..VendorPatch::default()
    };
    t.push(
        "update vendor",
        store.update_vendor(&a, &vendors[0], patch).await,
    );
    t.push("delete vendor", store.delete_vendor(&a, &vendors[2]).await);
    t.push("delete again", store.delete_vendor(&a, &vendors[2]).await);
    for q in [
        None,
        Some("pipes"),
        Some("CONTACT"),
        Some("sales3"),
        Some("zzz"),
    ] {
        for field in [SortField::CreatedAt, SortField::Name] {
            let params = list(1, 10, field, SortDirection::Asc);
            t.page("vendors", store.list_vendors(&a, q, &params).await);
        }
    }

    // Employees.
    for first in [Some("Zed"), None, Some("amy"), Some("Amy")] {
        let input = EmployeeIn {
            first_name: first.map(Into::into),
            permissions: Permissions::admin(),
            ..EmployeeIn::default()
        };
        t.push("employee", store.create_employee(&a, input, &[]).await);
    }
    for dir in [SortDirection::Asc, SortDirection::Desc] {
        let params = list(1, 3, SortField::FirstName, dir);
        t.page("employees", store.list_employees(&a, &params).await);
    }
    t.0
}

/// Replaces ids (by first appearance) and times, which differ between any two runs.
fn normalize(values: Vec<Value>) -> Vec<Value> {
    let mut ids: HashMap<String, String> = HashMap::new();
    fn walk(v: &mut Value, ids: &mut HashMap<String, String>) {
        match v {
            Value::String(s) => {
                if is_id(s) {
                    let n = ids.len();
                    *s = ids
                        .entry(s.clone())
                        .or_insert_with(|| format!("id#{n}"))
                        .clone();
                } else if is_time(s) {
                    *s = "<time>".into();
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, ids)),
            Value::Object(map) => map.values_mut().for_each(|i| walk(i, ids)),
            _ => {}
        }
    }
    values
        .into_iter()
        .map(|mut v| {
            walk(&mut v, &mut ids);
            v
        })
        .collect()
}

fn is_id(s: &str) -> bool {
    let hex = |t: &str| t.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    match s.split_once('_') {
        Some((p, rest)) => p.len() == 3 && rest.len() == 32 && hex(rest),
        None => s.len() == 36 && hex(s),
    }
}

fn is_time(s: &str) -> bool {
    s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T'
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_answers_exactly_as_sqlite() {
    let Some(db) = temp_database().await else {
        return;
    };
    let pg = db.store().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("fw.db").display());
    let sqlite = SqliteStore::open(&sqlite_url, true).unwrap();

    let want = normalize(script(&sqlite).await);
    let got = normalize(script(&pg).await);
    assert_eq!(want.len(), got.len());
    let differ: Vec<String> = want
        .iter()
        .zip(&got)
        .enumerate()
        .filter(|(_, (w, g))| w != g)
        .map(|(i, (w, g))| format!("#{i}\n  SQLite:     {w}\n  PostgreSQL: {g}"))
        .collect();
    assert!(
        differ.is_empty(),
        "{} results differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}
