//! A company's reference data (the company, its employees and job types), cached per process
//! and checked against the company's `reference_epoch` on every use.
//!
//! Rendering a job, estimate or lead needs all three; reading them on every request was most
//! of a job request's store work. Each backend keeps a per-company counter that triggers bump
//! in the transaction that changes a company, an employee or a job type — whichever process
//! commits it, the CLI included. A use reads the counter first (one row) and reloads when it
//! moved, so a change is seen from the next request on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fieldwork_types::Employee;

use crate::records::CompanyRecord;
use crate::{ListParams, Store, StoreResult};

/// What rendering resolves against, read together.
#[derive(Debug, Clone)]
pub struct CompanyReference {
    pub company: CompanyRecord,
    /// Active employees by id.
    pub employees: HashMap<String, Employee>,
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

/// The company's reference data, from the cache when its epoch has not moved.
pub async fn load(store: &dyn Store, company_id: &str) -> StoreResult<Arc<CompanyReference>> {
    // The epoch is read before the data: a change committed in between leaves newer data
    // under an older epoch, which the next use replaces; never the reverse.
    let epoch = store.reference_epoch(company_id).await?;
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
    Ok(CompanyReference {
        company,
        employees: employees.into_iter().map(|e| (e.id.clone(), e)).collect(),
        job_types: job_types.into_iter().map(|t| (t.id, t.name)).collect(),
    })
}
