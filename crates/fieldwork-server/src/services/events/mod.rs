//! Calendar events (HCP's `/events`: meetings, training, truck maintenance — time on the
//! schedule that is not a job).

pub mod doc;
pub mod render;
pub mod write;

use fieldwork_store::docs::{DocKind, DocQuery, DocSort};
use fieldwork_store::{Page, Store};
use fieldwork_types::Event;

pub use doc::{EventDoc, StoredEvent};

use crate::error::ApiResult;

/// Prefix of event ids (HCP's is unknown).
pub const PREFIX: &str = "evt";

/// The `sort_by` values of `GET /events`. Notes and addresses are not indexed: sorting by
/// them orders the events by start time, which is what a calendar wants.
pub const SORTABLE: &[(&str, DocSort)] = &[
    ("created_at", DocSort::CreatedAt),
    ("updated_at", DocSort::UpdatedAt),
    ("name", DocSort::SortText),
    ("note", DocSort::StartsAt),
    ("street", DocSort::StartsAt),
    ("street_line_2", DocSort::StartsAt),
    ("city", DocSort::StartsAt),
    ("state", DocSort::StartsAt),
    ("zip", DocSort::StartsAt),
];

/// Reads one event.
pub async fn load(store: &dyn Store, company_id: &str, id: &str) -> ApiResult<StoredEvent> {
    Ok(StoredEvent::from_doc(
        store.get_doc(company_id, DocKind::Event, id).await?,
    ))
}

/// Renders one stored event.
pub async fn present(store: &dyn Store, company_id: &str, event: &StoredEvent) -> ApiResult<Event> {
    let ctx = render::Context::load(store, company_id).await?;
    Ok(render::event(&ctx, event))
}

/// One page of events, rendered.
pub async fn list(store: &dyn Store, company_id: &str, query: &DocQuery) -> ApiResult<Page<Event>> {
    let page = store.list_docs(company_id, DocKind::Event, query).await?;
    let ctx = render::Context::load(store, company_id).await?;
    Ok(page.map(|doc| render::event(&ctx, &StoredEvent::from_doc(doc))))
}
