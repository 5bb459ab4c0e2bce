//! Paging of small lists kept inside one document (line items of an option or a lead).

use fieldwork_store::docs::DocSort;
use fieldwork_types::ListOut;

use crate::error::ApiResult;
use crate::extract::HcpQuery;

/// One page of `items` (already in their order) under `key`, with `page`/`page_size` checked
/// as on every list; `sort_by` may only name the default, `created_at`.
pub fn page_of<T>(key: &'static str, query: &HcpQuery, items: Vec<T>) -> ApiResult<ListOut<T>> {
    let q = query.doc_query(&[("created_at", DocSort::CreatedAt)])?;
    let total = items.len() as u64;
    let items = items
        .into_iter()
        .skip(usize::try_from(q.offset()).unwrap_or(usize::MAX))
        .take(q.page_size as usize)
        .collect();
    Ok(ListOut {
        key,
        page: q.page,
        page_size: q.page_size,
        total_items: total,
        items,
    })
}
