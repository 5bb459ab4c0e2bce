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
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use fieldwork_store::docs::DocQuery;
use fieldwork_store::{ListParams, Page};
use fieldwork_types::ListOut;

use crate::error::ApiError;
use crate::state::AppState;

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
        // Layer order: the last added runs first. Panics become 500s that the error logger
        // sees; the timeout covers the handler only. Limits apply once the body is read;
        // metering reports outside the timeout and panic layers so their answers count too.
        .layer(from_fn_with_state(state.clone(), meter::limit))
        .layer(axum::middleware::from_fn(middleware::reject_nul_in_path))
        .layer(from_fn_with_state(state.clone(), middleware::buffer_body))
        .layer(from_fn_with_state(state.clone(), middleware::timeout))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(from_fn_with_state(state.clone(), meter::report))
        .layer(axum::middleware::from_fn(middleware::log_errors))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
