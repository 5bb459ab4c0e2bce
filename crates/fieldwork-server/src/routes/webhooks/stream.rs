//! `GET /webhooks/stream`: the company's events as Server-Sent Events, live.
//!
//! The stream reads the message log after the last message it sent, so it sees only
//! committed events, resumes after a reconnect (`Last-Event-ID` is the log position), and
//! works across processes. It wakes on this process's commits and polls for the others'.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::stream::{self, Stream};

use crate::error::ApiResult;
use crate::extract::MaxPlanCompany;
use crate::state::AppState;

/// Messages read per query.
const BATCH: u32 = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/stream", get(stream_events))
}

struct Cursor {
    state: AppState,
    company_id: String,
    after: i64,
    signal: tokio::sync::watch::Receiver<u64>,
    pending: std::collections::VecDeque<fieldwork_store::webhooks::Message>,
}

async fn stream_events(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // A reconnecting client resumes after the last event it saw; a new one starts now.
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let after = match resume {
        Some(seq) => seq,
        None => {
            state
                .store
                .last_webhook_message_seq(&auth.company_id)
                .await?
        }
    };
    let cursor = Cursor {
        signal: state.store.outbox_signal(),
        state,
        company_id: auth.company_id,
        after,
        pending: Default::default(),
    };
    let events = stream::unfold(cursor, next_event);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

async fn next_event(mut c: Cursor) -> Option<(Result<Event, Infallible>, Cursor)> {
    loop {
        if let Some(m) = c.pending.pop_front() {
            let event = Event::default()
                .id(m.seq.to_string())
                .event(m.event_type.clone())
                .data(m.payload);
            return Some((Ok(event), c));
        }
        let store = c.state.store.clone();
        match store
            .webhook_messages_after(&c.company_id, c.after, BATCH)
            .await
        {
            Ok(batch) if !batch.is_empty() => {
                c.after = batch.last().map_or(c.after, |m| m.seq);
                c.pending.extend(batch);
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook stream could not read messages"),
        }
        let poll = c.state.webhooks.poll_interval;
        tokio::select! {
            _ = c.signal.changed() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
}
