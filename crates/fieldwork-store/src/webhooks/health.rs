//! What a batch of attempt results does to delivery rows and endpoint health, reduced so a
//! backend records a batch with a few set-based statements instead of three per attempt.

use super::{AttemptResult, DeliveryOutcome, state};

impl DeliveryOutcome {
    /// The delivery's new state and, for a retry, when it is due.
    pub fn new_state(self) -> (&'static str, Option<i64>) {
        match self {
            Self::Succeeded => (state::SUCCEEDED, None),
            Self::Retry { at } => (state::PENDING, Some(at)),
            Self::Exhausted | Self::Gone => (state::FAILED, None),
            Self::Held => (state::PENDING, None),
        }
    }
}

/// One change to an endpoint's health, applied in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HealthChange {
    /// A delivery succeeded: the failure run ends.
    Recovered { endpoint_id: String },
    /// A run of failures from `first` to `last` (attempt start times): the failure run starts at
    /// `first` unless it had already begun; the endpoint is disabled when it began longer ago than
    /// the rules allow, measured at `last`.
    Failed {
        endpoint_id: String,
        first: i64,
        last: i64,
    },
    /// `410 Gone`: the endpoint is disabled.
    Gone { endpoint_id: String, at: i64 },
}

impl HealthChange {
    /// The endpoint it changes.
    pub fn endpoint_id(&self) -> &str {
        match self {
            Self::Recovered { endpoint_id }
            | Self::Failed { endpoint_id, .. }
            | Self::Gone { endpoint_id, .. } => endpoint_id,
        }
    }
}

/// Collapses each endpoint's outcomes (in batch order) into runs: consecutive successes become
/// one `Recovered`, consecutive failures one `Failed`. A healthy endpoint costs one change per
/// batch however many deliveries it received.
pub fn health_changes(results: &[AttemptResult]) -> Vec<HealthChange> {
    let mut changes: Vec<HealthChange> = Vec::new();
    // Index in `changes` of each endpoint's latest change, to extend its run.
    let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in results {
        let endpoint = r.attempt.endpoint_id.as_str();
        let at = r.attempt.created_at;
        let latest = last.get(endpoint).map(|&i| &mut changes[i]);
        let extended = match (latest, r.outcome) {
            (Some(HealthChange::Recovered { .. }), DeliveryOutcome::Succeeded) => true,
            (
                Some(HealthChange::Failed { first, last, .. }),
                DeliveryOutcome::Retry { .. } | DeliveryOutcome::Exhausted,
            ) => {
                *first = (*first).min(at);
                *last = (*last).max(at);
                true
            }
            _ => false,
        };
        if extended {
            continue;
        }
        let endpoint_id = endpoint.to_owned();
        changes.push(match r.outcome {
            DeliveryOutcome::Succeeded => HealthChange::Recovered { endpoint_id },
            DeliveryOutcome::Gone => HealthChange::Gone { endpoint_id, at },
            DeliveryOutcome::Retry { .. } | DeliveryOutcome::Exhausted => HealthChange::Failed {
                endpoint_id,
                first: at,
                last: at,
            },
            // Not an attempt: says nothing of the endpoint's health.
            DeliveryOutcome::Held => continue,
        });
        last.insert(endpoint, changes.len() - 1);
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::Attempt;

    fn result(endpoint: &str, at: i64, outcome: DeliveryOutcome) -> AttemptResult {
        AttemptResult {
            delivery_id: format!("d{at}"),
            company_id: "c".into(),
            outcome,
            lease_until: 0,
            fanout: false,
            attempt: Attempt {
                id: format!("a{at}"),
                endpoint_id: endpoint.into(),
                message_id: "m".into(),
                created_at: at,
                response_status_code: None,
                duration_ms: 1,
                response_body: None,
                error: None,
                next_retry_at: None,
            },
        }
    }

    #[test]
    fn runs_collapse_per_endpoint_in_order() {
        let ok = DeliveryOutcome::Succeeded;
        let fail = DeliveryOutcome::Retry { at: 99 };
        let changes = health_changes(&[
            result("a", 1, ok),
            result("b", 2, fail),
            result("a", 3, ok),
            result("b", 4, DeliveryOutcome::Exhausted),
            result("a", 5, fail),
            result("b", 6, DeliveryOutcome::Gone),
            result("a", 7, ok),
            result("b", 8, DeliveryOutcome::Held),
        ]);
        let ep = |s: &str| s.to_owned();
        assert_eq!(
            changes,
            vec![
                HealthChange::Recovered {
                    endpoint_id: ep("a")
                },
                HealthChange::Failed {
                    endpoint_id: ep("b"),
                    first: 2,
                    last: 4
                },
                HealthChange::Failed {
                    endpoint_id: ep("a"),
                    first: 5,
                    last: 5
                },
                HealthChange::Gone {
                    endpoint_id: ep("b"),
                    at: 6
                },
                HealthChange::Recovered {
                    endpoint_id: ep("a")
                },
            ]
        );
    }
}
