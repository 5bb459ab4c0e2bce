//! The webhook platform: event catalog and envelopes, signing, the SSRF guard, the retry
//! schedule, and the delivery worker. See `docs/WEBHOOKS.md`.

pub mod catalog;
pub mod events;
pub mod retention;
pub mod schedule;
pub mod send;
pub mod signing;
pub mod ssrf;
pub mod worker;

use std::time::Duration;

use crate::config::Config;
use schedule::RetrySchedule;
use ssrf::AddressPolicy;

/// The webhook settings the worker and the endpoint checks need, parsed from [`Config`].
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub timeout: Duration,
    pub schedule: RetrySchedule,
    pub jitter_percent: u32,
    pub disable_after: Duration,
    pub policy: AddressPolicy,
    pub lease: Duration,
    pub poll_interval: Duration,
    pub max_in_flight: u32,
    pub endpoint_concurrency: u32,
    pub retention: Duration,
}

impl WebhookSettings {
    /// Reads and checks the `webhook_*` settings.
    pub fn from_config(c: &Config) -> anyhow::Result<Self> {
        let schedule = RetrySchedule::parse(&c.webhook_retry_schedule)
            .map_err(|e| anyhow::anyhow!("webhook_retry_schedule: {e}"))?;
        let settings = Self {
            timeout: Duration::from_secs(c.webhook_timeout_secs.max(1)),
            schedule,
            jitter_percent: c.webhook_retry_jitter_percent.min(100),
            disable_after: Duration::from_secs(c.webhook_disable_after_secs),
            policy: AddressPolicy {
                allow_loopback: c.webhook_allow_loopback,
                allow_private: c.webhook_allow_private_networks,
            },
            lease: Duration::from_secs(c.webhook_lease_secs),
            poll_interval: Duration::from_millis(c.webhook_poll_interval_ms.max(10)),
            max_in_flight: c.webhook_max_in_flight.max(1),
            endpoint_concurrency: c.webhook_endpoint_concurrency.max(1),
            retention: Duration::from_secs(u64::from(c.webhook_retention_days) * 86_400),
        };
        anyhow::ensure!(
            settings.lease > settings.timeout + Duration::from_secs(5),
            "webhook_lease_secs must exceed webhook_timeout_secs by more than 5 s, so a \
             delivery's lease outlasts its request"
        );
        Ok(settings)
    }
}
