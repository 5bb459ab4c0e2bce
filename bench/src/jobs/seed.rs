//! The jobs data set of issue 4's benchmark: one company with 1,000,000 jobs (5 line items
//! each, one appointment, one pro) spread over two years, written straight through the store
//! library in large atomic batches (seeding through the API would take most of an hour).

use std::collections::HashMap;

use fieldwork_server::config::Config;
use fieldwork_server::services::jobs::create::{APPOINTMENT_PREFIX, NewJob};
use fieldwork_server::services::jobs::{JobDoc, StoredAppointment, status};
use fieldwork_server::services::line_items;
use fieldwork_server::store::latest_migration;
use fieldwork_store::ids::new_id;
use fieldwork_store::{NewCompany, Plan};
use fieldwork_types::{AddressIn, CustomerIn, EmployeeIn, LineItemIn, Permissions};
use serde::{Deserialize, Serialize};

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;
/// Days the jobs are spread over, ending a year from now.
pub const DAYS: i64 = 730;
const CUSTOMERS: usize = 2_000;
const PROS: usize = 20;
/// Jobs per atomic write. SQLite journals every page a write changes inside the writer's
/// per-write savepoint, and each statement's release walks that journal from its start: a
/// write's cost grows with the square of its size (2,000 jobs per write seeded ~250/s).
pub const BATCH: usize = 200;

/// What the load phases need to know about the data set (saved beside a prepared copy).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobsManifest {
    pub company_id: String,
    pub key: String,
    /// Unix micros of the first day with jobs (UTC midnight).
    pub first_day: i64,
    pub days: i64,
    pub jobs: u64,
    /// (customer id, address id) pairs to create jobs for.
    pub customers: Vec<(String, String)>,
    pub employees: Vec<String>,
    /// Ids of jobs in the data set, for updates.
    pub sample_job_ids: Vec<String>,
    /// The newest migration of the store that seeded it: a prepared data set is used only by a
    /// bench whose store writes the same schema (documents stored otherwise would measure the
    /// old format).
    #[serde(default)]
    pub schema: String,
    /// `git describe` of the seeding bench, for the report.
    #[serde(default)]
    pub seeded_by: String,
}

/// Five priced lines, as a real repair job has.
pub fn lines(i: u64) -> Vec<LineItemIn> {
    [
        ("Diagnostic visit", "labor", 8_900.0, 1.0),
        ("Repair labor", "labor", 12_500.0, 1.5),
        ("Supply lines, braided", "materials", 1_899.0, 2.0),
        ("Shut-off valve 1/2in", "materials", 2_450.0, 1.0),
        (
            "Maintenance plan discount",
            "fixed discount",
            1_000.0 + (i % 5) as f64 * 100.0,
            1.0,
        ),
    ]
    .iter()
    .map(|(name, kind, price, qty)| LineItemIn {
        name: Some((*name).into()),
        kind: Some((*kind).into()),
        unit_price: Some(*price),
        quantity: Some(*qty),
        taxable: Some(*kind == "materials"),
        ..LineItemIn::default()
    })
    .collect()
}

/// Creates the company, a key, customers, pros and `count` jobs in the database at `url`.
pub async fn create(url: &str, count: u64) -> anyhow::Result<JobsManifest> {
    let config = Config {
        database_url: url.to_owned(),
        ..Config::defaults()
    };
    let store = fieldwork_server::store::open(&config, true).await?;
    let company = store
        .create_company(NewCompany {
            name: "Jobs Benchmark Co".into(),
            plan: Plan::Max,
            time_zone: "America/Los_Angeles".into(),
        })
        .await?;
    let key = fieldwork_server::keys::generate_key();
    store
        .create_api_key(
            &company.id,
            "bench",
            &fieldwork_server::keys::hash_key(&key),
            &fieldwork_server::keys::key_prefix(&key),
        )
        .await?;
    let mut employees = Vec::with_capacity(PROS);
    for p in 0..PROS {
        let e = store
            .create_employee(
                &company.id,
                EmployeeIn {
                    first_name: Some(format!("Pro{p}")),
                    last_name: Some("Bench".into()),
                    email: Some(format!("pro{p}@bench.example")),
                    mobile_number: None,
                    color_hex: Some("EF9159".into()),
                    role: Some("field tech".into()),
                    tags: Vec::new(),
                    permissions: Permissions::field_tech(),
                },
                &[],
            )
            .await?;
        employees.push(e.id);
    }
    let mut customers = Vec::with_capacity(CUSTOMERS);
    for c in 0..CUSTOMERS {
        let customer = store
            .create_customer(
                &company.id,
                CustomerIn {
                    first_name: Some(format!("Customer{c}")),
                    last_name: Some("Bench".into()),
                    email: Some(format!("customer{c}@bench.example")),
                    addresses: Some(vec![AddressIn {
                        street: Some(format!("{} Market St", 100 + c)),
                        city: Some("San Francisco".into()),
                        state: Some("CA".into()),
                        zip: Some("94105".into()),
                        country: Some("USA".into()),
                        ..AddressIn::default()
                    }]),
                    ..CustomerIn::default()
                },
                &[],
            )
            .await?;
        customers.push((customer.id, customer.addresses[0].id.clone()));
    }
    let now = fieldwork_store::time::now_micros();
    let first_day = (now / DAY - (DAYS - 365)) * DAY;
    // The same five lines on every job (amounts computed once).
    let mut priced: HashMap<u64, Vec<fieldwork_types::LineItem>> = HashMap::new();
    let mut sample_job_ids = Vec::new();
    let mut written = 0u64;
    while written < count {
        let n = (count - written).min(BATCH as u64);
        let mut writes = Vec::with_capacity(n as usize);
        for i in written..written + n {
            let template = match priced.get(&(i % 5)) {
                Some(l) => l.clone(),
                None => {
                    let l = line_items::build_all("line_items", lines(i))
                        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                    priced.insert(i % 5, l.clone());
                    l
                }
            };
            let (customer, address) = &customers[(i as usize * 7919) % customers.len()];
            let pro = employees[i as usize % employees.len()].clone();
            // Spread evenly over the days, 8:00 to 16:00 local.
            let start = first_day
                + (i as i64 * DAYS / count as i64) * DAY
                + 16 * HOUR
                + (i as i64 % 8) * HOUR;
            let past = start < now;
            let doc = JobDoc {
                description: Some(format!("Bench job {i}")),
                customer_id: customer.clone(),
                address_id: Some(address.clone()),
                work_status: if past {
                    status::COMPLETE_UNRATED.into()
                } else {
                    status::SCHEDULED.into()
                },
                arrival_window: 60,
                appointments: vec![StoredAppointment {
                    id: new_id(APPOINTMENT_PREFIX),
                    start,
                    end: start + 2 * HOUR,
                    anytime: false,
                    arrival_window_minutes: 60,
                    employee_ids: vec![pro.clone()],
                }],
                line_items: template
                    .into_iter()
                    .map(|l| fieldwork_types::LineItem {
                        id: new_id(line_items::PREFIX),
                        ..l
                    })
                    .collect(),
                assigned_employee_ids: vec![pro],
                ..JobDoc::default()
            };
            let (job, write) = NewJob {
                invoice_number: None,
                doc,
            }
            .into_write();
            if i.is_multiple_of((count / 10_000).max(1)) {
                sample_job_ids.push(job.id);
            }
            writes.push(write);
        }
        store.write_docs(&company.id, writes).await?;
        written += n;
        if written.is_multiple_of(100_000) || written == count {
            eprintln!("seeded {written} of {count} jobs");
        }
    }
    Ok(JobsManifest {
        company_id: company.id,
        key,
        first_day,
        days: DAYS,
        jobs: count,
        customers,
        employees,
        sample_job_ids,
        schema: latest_migration(url).to_owned(),
        seeded_by: crate::run::source(),
    })
}

/// The data set from `dir` (SQLite): copies `dir/fieldwork.db` when `dir/manifest.json` holds
/// a data set of `count` jobs; otherwise creates it and saves a copy there for the next runs.
/// Also tells whether it was copied.
pub async fn prepared(
    dir: &std::path::Path,
    url: &str,
    db_path: &std::path::Path,
    count: u64,
) -> anyhow::Result<(JobsManifest, bool)> {
    let manifest_path = dir.join("manifest.json");
    if let Ok(text) = std::fs::read_to_string(&manifest_path) {
        let manifest: JobsManifest = serde_json::from_str(&text)?;
        let schema = latest_migration(url);
        if manifest.jobs == count && manifest.schema == schema {
            copy_db(&dir.join("fieldwork.db"), db_path)?;
            eprintln!("copied the prepared data set from {}", dir.display());
            return Ok((manifest, true));
        }
        if manifest.schema != schema {
            eprintln!(
                "the prepared data set in {} has schema {:?}, this bench writes {schema:?}: \
                 seeding again",
                dir.display(),
                manifest.schema
            );
        }
    }
    let manifest = create(url, count).await?;
    std::fs::create_dir_all(dir)?;
    // The store was dropped; give its threads a moment to close their connections.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    copy_db(db_path, &dir.join("fieldwork.db"))?;
    std::fs::write(&manifest_path, serde_json::to_string(&manifest)?)?;
    Ok((manifest, false))
}

/// PostgreSQL's prepared data set: a template database named in `DIR/pg-manifest.json`.
#[derive(Serialize, Deserialize)]
struct PgPrepared {
    template: String,
    manifest: JobsManifest,
}

fn pg_manifest_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("pg-manifest.json")
}

/// The template of a PostgreSQL data set of `count` jobs prepared in `dir`, if it is still
/// there, with its manifest.
pub async fn pg_prepared(
    dir: &std::path::Path,
    admin_url: &str,
    count: u64,
) -> anyhow::Result<Option<(String, JobsManifest)>> {
    let Ok(text) = std::fs::read_to_string(pg_manifest_path(dir)) else {
        return Ok(None);
    };
    let prepared: PgPrepared = serde_json::from_str(&text)?;
    let schema = latest_migration(admin_url);
    if prepared.manifest.jobs != count
        || prepared.manifest.schema != schema
        || !crate::pg::exists(admin_url, &prepared.template).await?
    {
        if prepared.manifest.schema != schema {
            eprintln!(
                "the prepared data set in database {} has schema {:?}, this bench writes {schema:?}: \
                 seeding again (drop that database when done with it)",
                prepared.template, prepared.manifest.schema
            );
        }
        return Ok(None);
    }
    Ok(Some((prepared.template, prepared.manifest)))
}

/// Keeps the just-seeded database `name` as a template for later runs with `--prepared dir`.
pub async fn pg_save(
    dir: &std::path::Path,
    admin_url: &str,
    name: &str,
    manifest: &JobsManifest,
) -> anyhow::Result<()> {
    // The store was dropped; give its connections a moment to close (a template must have
    // none).
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let template = crate::pg::unique_name("jobs_prepared");
    crate::pg::create(admin_url, &template, Some(name)).await?;
    crate::pg::keep(&template);
    std::fs::create_dir_all(dir)?;
    let prepared = PgPrepared {
        template,
        manifest: manifest.clone(),
    };
    std::fs::write(pg_manifest_path(dir), serde_json::to_string(&prepared)?)?;
    eprintln!(
        "saved the data set as database {} for --prepared",
        prepared.template
    );
    Ok(())
}

/// Copies a SQLite database with its WAL, if one is left.
fn copy_db(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    std::fs::copy(from, to)?;
    let wal = |p: &std::path::Path| std::path::PathBuf::from(format!("{}-wal", p.display()));
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to))?;
    }
    Ok(())
}
