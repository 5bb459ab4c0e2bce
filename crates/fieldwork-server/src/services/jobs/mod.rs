//! Jobs: creation, reading, listing, and the read-change-write cycle every job change uses.

pub mod busy;
pub mod create;
pub mod doc;
pub mod embedded;
mod kept;
pub mod lifecycle;
pub mod list;
pub mod parts;
pub mod render;
pub mod schedule;

use fieldwork_store::docs::{DocKind, DocWrite, VERSION_CONFLICT};
use fieldwork_store::reference::Epochs;
use fieldwork_store::time::now_micros;
use fieldwork_store::{Store, StoreError};
use fieldwork_types::LineItem;

pub use render::Job;

pub use doc::{JobDoc, StoredAppointment, StoredJob, status};
pub use render::{Context, Expand};

use crate::error::{ApiError, ApiResult};
use crate::webhooks::events;

/// Prefix of job ids.
pub const PREFIX: &str = "job";
/// How often a change is retried when another change of the same job won the race.
const MAX_ATTEMPTS: usize = 5;

/// Reads one job.
pub async fn load(store: &dyn Store, company_id: &str, job_id: &str) -> ApiResult<StoredJob> {
    Ok(StoredJob::<LineItem>::from_doc(
        store.get_doc(company_id, DocKind::Job, job_id).await?,
    ))
}

/// [`load`] and the company's epochs, read with the job (for [`present_at`]).
pub async fn load_with_epochs(
    store: &dyn Store,
    company_id: &str,
    job_id: &str,
) -> ApiResult<(StoredJob, Epochs)> {
    let (doc, epochs) = store
        .get_doc_with_epochs(company_id, DocKind::Job, job_id)
        .await?;
    Ok((StoredJob::<LineItem>::from_doc(doc), epochs))
}

/// [`present`] under epochs read with the job ([`load_with_epochs`]).
pub async fn present_at(
    store: &dyn Store,
    company_id: &str,
    job: &StoredJob,
    expand: Expand,
    epochs: Epochs,
) -> ApiResult<Job> {
    let customer = [job.doc.customer_id.as_str()];
    let ctx = Context::load_at(store, company_id, epochs, &customer).await?;
    Ok(render::job(&ctx, job, expand))
}

/// Renders one stored job for the API.
pub async fn present(
    store: &dyn Store,
    company_id: &str,
    job: &StoredJob,
    expand: Expand,
) -> ApiResult<Job> {
    let epochs = store.epochs(company_id).await?;
    present_at(store, company_id, job, expand, epochs).await
}

/// Reads a job, applies `change` and writes it back, all or nothing; runs again (with the
/// fresh job) when another change of the same job got in between. A locked job refuses
/// every change with a 422. `change` returns what the caller wants to answer with.
pub async fn modify<T>(
    store: &dyn Store,
    company_id: &str,
    job_id: &str,
    change: impl FnMut(&mut JobDoc) -> ApiResult<T>,
) -> ApiResult<(StoredJob, T)> {
    let (job, out, _) = modify_job(store, company_id, job_id, true, change).await?;
    Ok((job, out))
}

/// [`modify`] without the lock check (locking itself).
pub async fn modify_locked<T>(
    store: &dyn Store,
    company_id: &str,
    job_id: &str,
    change: impl FnMut(&mut JobDoc) -> ApiResult<T>,
) -> ApiResult<(StoredJob, T)> {
    let (job, out, _) = modify_job(store, company_id, job_id, false, change).await?;
    Ok((job, out))
}

/// [`modify`] (or [`modify_locked`] without `check_lock`) answering with the job as
/// `GET /jobs/{id}` renders it: the rendering made for the change's events is reused.
pub async fn modify_present(
    store: &dyn Store,
    company_id: &str,
    job_id: &str,
    check_lock: bool,
    change: impl FnMut(&mut JobDoc) -> ApiResult<()>,
) -> ApiResult<Job> {
    let (job, (), rendered) = modify_job(store, company_id, job_id, check_lock, change).await?;
    match rendered {
        Some(mut rendered) => {
            // Events embed appointments ([`events::JOB_EXPAND`]); the answer does not.
            rendered.schedule.appointments = None;
            Ok(rendered)
        }
        None => present(store, company_id, &job, Expand::default()).await,
    }
}

async fn modify_job<T>(
    store: &dyn Store,
    company_id: &str,
    job_id: &str,
    check_lock: bool,
    mut change: impl FnMut(&mut JobDoc) -> ApiResult<T>,
) -> ApiResult<(StoredJob, T, Option<Job>)> {
    for _ in 0..MAX_ATTEMPTS {
        let (mut job, epochs) = load_with_epochs(store, company_id, job_id).await?;
        if check_lock {
            refuse_locked(&job.doc)?;
        }
        let before = job.doc.clone();
        let out = change(&mut job.doc)?;
        let now = now_micros();
        let mut writes = vec![DocWrite::Update(job.to_doc(now))];
        // The job as written (moved, not cloned: with 50 lines a clone was 4 % of a bulk
        // update's CPU).
        let mut after = job;
        after.version += 1;
        after.updated_at = now;
        let (emits, rendered) =
            events::job_changed_writes(store, company_id, &before, &after, epochs).await?;
        writes.extend(emits);
        match store.write_docs(company_id, writes).await {
            Ok(stored) => {
                after.version = stored[0].version;
                return Ok((after, out, rendered));
            }
            Err(StoreError::Conflict { constraint }) if constraint == VERSION_CONFLICT => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable)
}

/// A 422 for a locked job.
pub fn refuse_locked(doc: &JobDoc) -> ApiResult<()> {
    if doc.locked_at.is_some() {
        return Err(ApiError::invalid("job", "is locked and cannot be changed"));
    }
    Ok(())
}
