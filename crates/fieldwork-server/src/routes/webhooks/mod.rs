//! `/webhooks/…`: HCP's subscription plus Fieldwork's endpoint management, event catalog,
//! message log, attempts, resend/recover/test and the live stream (see `docs/WEBHOOKS.md`).

mod endpoints;
mod event_types;
mod messages;
mod stream;
mod subscription;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(subscription::router())
        .merge(endpoints::router())
        .merge(event_types::router())
        .merge(messages::router())
        .merge(stream::router())
}
