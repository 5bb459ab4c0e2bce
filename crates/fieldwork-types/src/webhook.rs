//! Fieldwork's webhook management API (HCP has only `/webhooks/subscription`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /webhooks/subscription` (HCP): enables the company's webhooks. Both fields are
/// optional: without a URL the existing primary endpoint is enabled again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SubscriptionIn {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
}

/// `POST /webhooks/endpoints`.
#[derive(Debug, Clone, Deserialize)]
pub struct EndpointIn {
    pub url: Option<String>,
    /// Event types to deliver; absent or empty means every type.
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
}

/// `PUT /webhooks/endpoints/{id}`: absent fields keep their value.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// A webhook endpoint (never with its secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointOut {
    pub id: String,
    pub url: String,
    pub description: String,
    /// Empty means every type.
    pub events: Vec<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// Whether `/webhooks/subscription` manages it.
    pub primary: bool,
    /// Since when every attempt has failed; `null` when the last one succeeded.
    pub failing_since: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /webhooks/endpoints/{id}/secret`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecretOut {
    pub secret: String,
    /// The previous secret still signing during a rotation's grace period.
    pub previous_secret_expires_at: Option<String>,
}

/// `POST /webhooks/endpoints/{id}/secret/rotate`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RotateIn {
    /// Seconds during which deliveries carry signatures from both secrets (default 0).
    pub grace_period_secs: Option<u64>,
}

/// `POST /webhooks/endpoints/{id}/recover`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RecoverIn {
    /// RFC 3339 time; deliveries created since then that failed are sent again.
    pub since: Option<String>,
}

/// How many deliveries an action queued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueuedOut {
    pub queued: u64,
}

/// One entry of `GET /webhooks/event_types`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventTypeOut {
    pub name: String,
    pub description: String,
    pub example: Value,
}

/// One recorded event (`GET /webhooks/messages`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageOut {
    pub id: String,
    pub event: String,
    pub created_at: String,
    /// The envelope exactly as delivered.
    pub payload: Value,
}

/// One delivery attempt (`GET /webhooks/endpoints/{id}/attempts`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttemptOut {
    pub id: String,
    pub message_id: String,
    pub created_at: String,
    pub response_status_code: Option<i64>,
    pub duration_ms: i64,
    /// The first 2 KiB of the answer.
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub next_retry_at: Option<String>,
}
