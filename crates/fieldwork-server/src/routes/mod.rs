//! The HTTP surface: one module per resource, merged here with the shared layers.

mod application;
mod attachments;
mod company;
mod customers;
mod employees;
mod estimates;
mod events;
mod invoices;
mod jobs;
mod json;
mod leads;
mod meter;
mod middleware;
mod pages;
mod reference;
mod usage;
mod vendors;
mod webhooks;

use axum::Router;
use axum::middleware::from_fn_with_state;

use fieldwork_store::docs::DocQuery;
use fieldwork_store::{ListParams, Page};
use fieldwork_types::ListOut;

use crate::error::ApiError;
use crate::state::AppState;
use json::Json;

/// A JSON body that is already rendered (a stored document), answered as it is.
struct RenderedJson(String);

impl axum::response::IntoResponse for RenderedJson {
    fn into_response(self) -> axum::response::Response {
        json::answer(self.0)
    }
}

/// The HCP list envelope of one page, under `key`.
fn list_out<T>(key: &'static str, list: &ListParams, page: Page<T>) -> ListOut<T> {
    ListOut {
        key,
        page: list.page,
        page_size: list.page_size,
        total_items: page.total,
        items: page.items,
    }
}

/// The HCP list envelope of one page of a document list, under `key`.
fn doc_list_out<T>(key: &'static str, query: &DocQuery, page: Page<T>) -> ListOut<T> {
    ListOut {
        key,
        page: query.page,
        page_size: query.page_size,
        total_items: page.total,
        items: page.items,
    }
}

/// Every route of the API, with timeouts, panic catching, error logging and tracing.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(customers::router())
        .merge(employees::router())
        .merge(jobs::router())
        .merge(invoices::router())
        .merge(events::router())
        .merge(company::router())
        .merge(reference::router())
        .merge(application::router())
        .merge(vendors::router())
        .merge(webhooks::router())
        .merge(estimates::router())
        .merge(leads::router())
        .merge(attachments::router())
        .merge(usage::router())
        .fallback(|| async { ApiError::NoRoute })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        // One layer for everything shared (middleware::edge lists the steps and their order).
        .layer(from_fn_with_state(state.clone(), middleware::edge))
        .with_state(state)
}
