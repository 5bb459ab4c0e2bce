//! Estimates: creation, reading, listing, options and their approval, and the
//! read-change-write cycle every estimate change uses.

pub mod approval;
pub mod create;
pub mod doc;
pub mod list;
pub mod options;
pub mod render;
pub mod schedule;

use fieldwork_store::docs::{DocFilter, DocKind, DocQuery, DocWrite, VERSION_CONFLICT};
use fieldwork_store::time::now_micros;
use fieldwork_store::{Store, StoreError};

pub use doc::{EstimateDoc, OptionDoc, StoredEstimate};
pub use render::Estimate;

use crate::error::{ApiError, ApiResult};
use crate::services::jobs::Context;
use crate::webhooks::events;

/// Prefix of estimate ids (HCP's `csr_`).
pub const PREFIX: &str = "csr";
/// Prefix of estimate option ids (HCP's `est_`).
pub const OPTION_PREFIX: &str = "est";
/// How often a change is retried when another change of the same estimate won the race.
const MAX_ATTEMPTS: usize = 5;

/// Reads one estimate.
pub async fn load(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
) -> ApiResult<StoredEstimate> {
    Ok(StoredEstimate::from_doc(
        store
            .get_doc(company_id, DocKind::Estimate, estimate_id)
            .await?,
    ))
}

/// The id of the estimate holding an option, if any.
pub async fn find_by_option(
    store: &dyn Store,
    company_id: &str,
    option_id: &str,
) -> ApiResult<Option<String>> {
    let query = DocQuery {
        filter: DocFilter {
            key_groups: vec![vec![doc::option_key(option_id)]],
            ..DocFilter::default()
        },
        page_size: 1,
        ..DocQuery::default()
    };
    let page = store
        .list_docs(company_id, DocKind::Estimate, &query)
        .await?;
    Ok(page.items.into_iter().next().map(|d| d.id))
}

/// Renders one stored estimate for the API.
pub async fn present(
    store: &dyn Store,
    company_id: &str,
    estimate: &StoredEstimate,
    attachments: bool,
) -> ApiResult<Estimate> {
    let ctx = Context::load(store, company_id, &[estimate.doc.customer_id.as_str()]).await?;
    Ok(render::estimate(&ctx, estimate, attachments))
}

/// Reads an estimate, applies `change` and writes it back, all or nothing; runs again (with
/// the fresh estimate) when another change of the same estimate got in between. `change`
/// returns what the caller wants to answer with. The change's events (`estimate.updated`, …)
/// are written with it.
pub async fn modify<T>(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    mut change: impl FnMut(&mut EstimateDoc) -> ApiResult<T>,
) -> ApiResult<(StoredEstimate, T)> {
    for _ in 0..MAX_ATTEMPTS {
        let mut estimate = load(store, company_id, estimate_id).await?;
        let before = estimate.doc.clone();
        let out = change(&mut estimate.doc)?;
        let now = now_micros();
        let mut writes = vec![DocWrite::Update(estimate.to_doc(now))];
        let after = StoredEstimate {
            version: estimate.version + 1,
            updated_at: now,
            ..estimate.clone()
        };
        writes.extend(events::estimate_changed_writes(store, company_id, &before, &after).await?);
        match store.write_docs(company_id, writes).await {
            Ok(stored) => {
                estimate.version = stored[0].version;
                estimate.updated_at = now;
                return Ok((estimate, out));
            }
            Err(StoreError::Conflict { constraint }) if constraint == VERSION_CONFLICT => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable)
}

/// Like [`modify`] for a change of one option: a 404 `option not found` when the estimate
/// has no such option. The option's `updated_at` is stamped.
pub async fn modify_option<T>(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    option_id: &str,
    mut change: impl FnMut(&mut OptionDoc) -> ApiResult<T>,
) -> ApiResult<(StoredEstimate, T)> {
    modify(store, company_id, estimate_id, |doc| {
        let option = doc
            .option_mut(option_id)
            .ok_or_else(|| ApiError::NotFound("option".into()))?;
        let out = change(option)?;
        option.updated_at = now_micros();
        Ok(out)
    })
    .await
}
