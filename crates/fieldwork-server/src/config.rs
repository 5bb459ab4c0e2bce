//! Settings: embedded defaults → optional TOML file → `FIELDWORK_*` variables → flags.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The built-in defaults, commented: the operator manual for every setting.
pub const DEFAULTS_TOML: &str = include_str!("../config.default.toml");

/// Every setting of the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address the HTTP API listens on.
    pub listen: String,
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// PostgreSQL pool size.
    pub database_pool_size: usize,
    /// Seconds to wait for a new PostgreSQL connection.
    pub database_connect_timeout_secs: u64,
    /// Seconds to wait for a free pooled connection.
    pub database_acquire_timeout_secs: u64,
    /// Seconds after which a PostgreSQL statement is cancelled.
    pub database_statement_timeout_secs: u64,
    /// Seconds after which a pooled PostgreSQL connection is replaced when it is given back.
    pub database_max_connection_age_secs: u64,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Request timeout, in seconds.
    pub request_timeout_secs: u64,
    /// Largest accepted `page_size`.
    pub max_page_size: u32,
    /// Seconds between writes of keys' last-used times.
    pub key_usage_flush_secs: u64,
    /// `compact` or `json`.
    pub log_format: String,
    /// Whether this process delivers webhooks (API-only processes turn it off).
    pub webhook_worker: bool,
    /// Seconds a webhook request may take before it counts as failed.
    pub webhook_timeout_secs: u64,
    /// Delays between delivery attempts, e.g. `5s,5m,30m,2h,5h,10h,10h`.
    pub webhook_retry_schedule: String,
    /// Random spread of each retry delay, in percent either way.
    pub webhook_retry_jitter_percent: u32,
    /// An endpoint whose deliveries have all failed for this many seconds is disabled.
    pub webhook_disable_after_secs: u64,
    /// Allow webhook URLs on loopback addresses (127.0.0.0/8, ::1).
    pub webhook_allow_loopback: bool,
    /// Allow webhook URLs on private networks (and loopback).
    pub webhook_allow_private_networks: bool,
    /// Seconds a worker holds a claimed delivery before another may take it.
    pub webhook_lease_secs: u64,
    /// Milliseconds between checks for due deliveries when nothing wakes the worker.
    pub webhook_poll_interval_ms: u64,
    /// Most deliveries one worker sends at once.
    pub webhook_max_in_flight: u32,
    /// Most deliveries one worker sends at once to a single endpoint.
    pub webhook_endpoint_concurrency: u32,
    /// Days webhook messages and their attempts are kept once no delivery is pending.
    pub webhook_retention_days: u32,
    /// `false` switches off the per-key rate limit and the per-company concurrency cap.
    pub rate_limit_enabled: bool,
    /// Requests per API key in any rolling window, unless the company has its own limit.
    pub rate_limit_per_minute: u32,
    /// Length of the rolling window, in seconds (60: the limit is per minute).
    pub rate_limit_window_secs: u64,
    /// Requests of one company in progress at once, unless the company has its own cap.
    pub max_concurrent_requests_per_company: u32,
    /// `shared`: one window per key for all servers on the database; `process`: per server.
    pub rate_limit_scope: crate::limits::Scope,
    /// Days API usage figures are kept.
    pub usage_retention_days: u32,
}

/// Overrides given on the command line; `None` leaves the lower layers in force.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConfigOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_worker: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_timeout_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_retry_schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_disable_after_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_lease_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_allow_loopback: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_allow_private_networks: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_scope: Option<crate::limits::Scope>,
}

impl Config {
    /// Loads the layers; `file` is the `--config` path, if given (then it must exist).
    pub fn load(file: Option<&Path>, overrides: &ConfigOverrides) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Toml::string(DEFAULTS_TOML));
        match file {
            Some(path) => {
                anyhow::ensure!(
                    path.exists(),
                    "config file {} does not exist",
                    path.display()
                );
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file("fieldwork.toml")),
        }
        let config: Self = figment
            .merge(Env::prefixed("FIELDWORK_").ignore(&["config"]))
            .merge(Serialized::defaults(overrides))
            .extract()?;
        config.validate()?;
        Ok(config)
    }

    /// Checks rules that span settings or that types cannot express.
    fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.max_body_bytes >= 1024,
            "max_body_bytes must be at least 1024"
        );
        anyhow::ensure!(self.max_page_size >= 1, "max_page_size must be at least 1");
        anyhow::ensure!(
            self.database_pool_size >= 1,
            "database_pool_size must be at least 1"
        );
        anyhow::ensure!(
            self.rate_limit_per_minute >= 1,
            "rate_limit_per_minute must be at least 1 (set rate_limit_enabled = false for no limit)"
        );
        anyhow::ensure!(
            (1..=crate::limits::MAX_WINDOW_SECS).contains(&self.rate_limit_window_secs),
            "rate_limit_window_secs must be between 1 and {}",
            crate::limits::MAX_WINDOW_SECS
        );
        anyhow::ensure!(
            self.max_concurrent_requests_per_company >= 1,
            "max_concurrent_requests_per_company must be at least 1"
        );
        anyhow::ensure!(
            self.usage_retention_days >= 1,
            "usage_retention_days must be at least 1"
        );
        anyhow::ensure!(
            matches!(self.log_format.as_str(), "compact" | "json"),
            "log_format must be \"compact\" or \"json\""
        );
        crate::webhooks::WebhookSettings::from_config(self)?;
        Ok(())
    }

    /// The server-wide request limits.
    pub fn limit_settings(&self) -> crate::limits::LimitSettings {
        crate::limits::LimitSettings {
            enabled: self.rate_limit_enabled,
            per_window: self.rate_limit_per_minute,
            window: std::time::Duration::from_secs(self.rate_limit_window_secs),
            concurrency: self.max_concurrent_requests_per_company,
            scope: self.rate_limit_scope,
        }
    }

    /// The defaults alone (for tests).
    pub fn defaults() -> Self {
        Figment::from(Toml::string(DEFAULTS_TOML))
            .extract()
            .expect("embedded defaults parse")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_validate() {
        let c = Config::defaults();
        c.validate().unwrap();
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://fieldwork.db");
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail fixes the closure's error type"
    )]
    fn flags_override_env_and_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "fieldwork.toml",
                "listen = \"127.0.0.1:1\"\nmax_page_size = 50",
            )?;
            jail.set_env("FIELDWORK_LISTEN", "127.0.0.1:2");
            let c = Config::load(None, &ConfigOverrides::default()).unwrap();
            assert_eq!(c.listen, "127.0.0.1:2");
            assert_eq!(c.max_page_size, 50);
            let flags = ConfigOverrides {
                listen: Some("127.0.0.1:3".into()),
                ..ConfigOverrides::default()
            };
            let c = Config::load(None, &flags).unwrap();
            assert_eq!(c.listen, "127.0.0.1:3");
            Ok(())
        });
    }
}
