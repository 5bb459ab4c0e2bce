//! A company's reference data (the company, its employees and job types), cached per process
//! and checked against the company's reference epoch ([`Epochs::reference`]) on every use.
//!
//! Rendering a job, estimate or lead needs all three; reading them on every request was most
//! of a job request's store work. Each backend keeps a per-company counter that triggers bump
//! in the transaction that changes a company, an employee or a job type — whichever process
//! commits it, the CLI included. A use reads the counter first (one row) and reloads when it
//! moved, so a change is seen from the next request on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fieldwork_types::Employee;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::records::CompanyRecord;
use crate::{ListParams, Store, StoreResult};

/// What rendering resolves against, read together.
#[derive(Debug, Clone)]
pub struct CompanyReference {
    pub company: CompanyRecord,
    /// Active employees by id.
    pub employees: HashMap<String, Employee>,
    /// The same employees as JSON, for jobs to embed.
    pub employee_json: HashMap<String, EmployeeJson>,
    /// Job type names by id.
    pub job_types: HashMap<String, String>,
}

/// Most employees or job types of a company that rendering resolves.
const MAX_REFERENCE_ROWS: u32 = 10_000;

/// Most companies cached; past that the cache starts over (this bounds memory, not speed).
const MAX_CACHED_COMPANIES: usize = 1024;

/// The cache a store holds; see the module documentation.
#[derive(Default)]
pub struct ReferenceCache {
    entries: Mutex<HashMap<String, (i64, Arc<CompanyReference>)>>,
}

/// A company's change counters, each moved by triggers in the changing transaction, by any
/// process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Epochs {
    /// Moves whenever the company, one of its employees or one of its job types changes.
    pub reference: i64,
    /// Moves whenever the stored JSON of one of the company's customers changes or the
    /// customer goes (a new customer need not move it): renderers keep the customers they
    /// embed while it stays put.
    pub customers: i64,
}

/// The company's reference data, from the cache when its epoch has not moved.
pub async fn load(store: &dyn Store, company_id: &str) -> StoreResult<Arc<CompanyReference>> {
    let epochs = store.epochs(company_id).await?;
    at_epochs(store, company_id, epochs).await
}

/// The company's reference data as last cached, whatever its epoch: what a request may start
/// from, to be confirmed by [`at_epochs`] once it has read the epochs.
pub fn cached(store: &dyn Store, company_id: &str) -> Option<Arc<CompanyReference>> {
    let entries = store.reference_cache().lock();
    entries.get(company_id).map(|(_, found)| found.clone())
}

/// The company's reference data under `epochs`, which the caller has just read: the cached
/// data if it was cached under the same reference epoch, else read now.
pub async fn at_epochs(
    store: &dyn Store,
    company_id: &str,
    epochs: Epochs,
) -> StoreResult<Arc<CompanyReference>> {
    // The epoch is read before the data: a change committed in between leaves newer data
    // under an older epoch, which the next use replaces; never the reverse.
    let epoch = epochs.reference;
    let cache = store.reference_cache();
    if let Some((at, found)) = cache.lock().get(company_id)
        && *at == epoch
    {
        return Ok(found.clone());
    }
    let fresh = Arc::new(read(store, company_id).await?);
    let mut entries = cache.lock();
    if entries.len() >= MAX_CACHED_COMPANIES {
        entries.clear();
    }
    entries.insert(company_id.to_owned(), (epoch, fresh.clone()));
    Ok(fresh)
}

impl ReferenceCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (i64, Arc<CompanyReference>)>> {
        // A panic while holding the lock cannot leave a half-written entry: keep going.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn read(store: &dyn Store, company_id: &str) -> StoreResult<CompanyReference> {
    let all = ListParams {
        page: 1,
        page_size: MAX_REFERENCE_ROWS,
        ..ListParams::default()
    };
    let company = store.get_company(company_id).await?;
    let employees = store.list_employees(company_id, &all).await?.items;
    let job_types = store.list_job_types(company_id, None, &all).await?.items;
    let employee_json = employees
        .iter()
        .map(|e| (e.id.clone(), EmployeeJson::of(e)))
        .collect();
    Ok(CompanyReference {
        company,
        employees: employees.into_iter().map(|e| (e.id.clone(), e)).collect(),
        employee_json,
        job_types: job_types.into_iter().map(|t| (t.id, t.name)).collect(),
    })
}

/// An employee serialized once per reading of the reference data and embedded as is: a list of
/// jobs embeds the same few employees in every job, and serializing them each time was a tenth
/// of such a list's instructions (BENCHMARKS.md).
#[derive(Debug, Clone)]
pub struct EmployeeJson(Arc<RawValue>);

impl EmployeeJson {
    pub fn of(employee: &Employee) -> Self {
        Self(Arc::from(
            serde_json::value::to_raw_value(employee).expect("plain data serializes"),
        ))
    }
}

impl Serialize for EmployeeJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use fieldwork_types::Permissions;

    use super::*;

    #[test]
    fn an_employee_embedded_as_json_reads_as_the_employee() {
        let employee = Employee {
            id: "pro_1".into(),
            first_name: Some("Zoë \"Z\"".into()),
            last_name: None,
            email: Some("z@example.com".into()),
            mobile_number: None,
            color_hex: Some("EF9159".into()),
            avatar_url: None,
            role: Some("field tech".into()),
            created_at: "2026-12-05T21:37:35Z".into(),
            tags: vec!["north\nside".into()],
            permissions: Permissions {
                can_be_booked_online: true,
                ..Permissions::default()
            },
            company_name: "Co".into(),
            company_id: "c1".into(),
        };
        let embedded = serde_json::json!({"assigned_employees": [EmployeeJson::of(&employee)]});
        let direct = serde_json::json!({"assigned_employees": [employee]});
        assert_eq!(embedded, direct);
        assert_eq!(
            serde_json::to_string(&[EmployeeJson::of(&employee)]).unwrap(),
            serde_json::to_string(&[&employee]).unwrap()
        );
    }
}
