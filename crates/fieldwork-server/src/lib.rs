//! The Fieldwork server: an HCP v1 compatible API over a pluggable store.
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod keys;
pub mod limits;
pub mod routes;
pub mod services;
pub mod state;
pub mod store;
pub mod usage;
pub mod webhooks;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

pub use config::Config;
pub use state::AppState;

/// Builds the whole HTTP application for a state.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Serves the API on `listener` until `shutdown` resolves, then flushes in-memory state.
pub async fn launch(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let flusher = state.key_usage.clone().spawn_flusher(
        state.store.clone(),
        Duration::from_secs(state.config.key_usage_flush_secs.max(1)),
    );
    let cancel = tokio_util::sync::CancellationToken::new();
    let worker = state.config.webhook_worker.then(|| {
        // Retention runs where the worker runs, so API-only processes stay lean.
        webhooks::retention::spawn(
            state.store.clone(),
            state.webhooks.retention,
            cancel.clone(),
        );
        webhooks::worker::spawn(
            state.store.clone(),
            (*state.webhooks).clone(),
            cancel.clone(),
        )
    });
    let housekeeping = usage::spawn_housekeeping(
        state.clone(),
        Duration::from_secs(state.config.key_usage_flush_secs.max(1)),
    );
    // NormalizePath must wrap the router from outside: inside, routing has already happened.
    let service = NormalizePathLayer::trim_trailing_slash().layer(app(state.clone()));
    axum::serve(
        listener,
        axum::ServiceExt::<axum::extract::Request>::into_make_service(service),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    flusher.abort();
    cancel.cancel();
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    housekeeping.abort();
    state.key_usage.flush(state.store.as_ref()).await;
    state.usage.flush(state.store.as_ref()).await;
    if let Err(e) = state.store.tidy().await {
        tracing::warn!(error = %e, "could not tidy the database at shutdown");
    }
    Ok(())
}

/// Shared handle type for the store.
pub type DynStore = Arc<dyn fieldwork_store::Store>;
