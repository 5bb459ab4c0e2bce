//! The state every handler receives.

use std::sync::Arc;
use std::time::Duration;

use crate::DynStore;
use crate::config::Config;
use crate::keys::KeyUsage;
use crate::limits::RequestLimits;
use crate::usage::UsageRecorder;
use crate::webhooks::WebhookSettings;

/// Cheap to clone: one `Arc` over the parts ([`Parts`]), which it dereferences to.
///
/// One reference count, not one per part: axum clones the state several times per request,
/// and every count is a cache line that all the runtime's threads write.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

/// What the handlers share.
pub struct Parts {
    pub store: DynStore,
    pub config: Arc<Config>,
    pub key_usage: Arc<KeyUsage>,
    pub webhooks: Arc<WebhookSettings>,
    pub limits: Arc<RequestLimits>,
    pub usage: Arc<UsageRecorder>,
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl AppState {
    /// A state over a store with the given settings.
    ///
    /// # Panics
    /// When the webhook settings are invalid; `Config::load` has checked them already.
    pub fn new(store: DynStore, config: Config) -> Self {
        let webhooks = WebhookSettings::from_config(&config)
            .unwrap_or_else(|e| panic!("invalid webhook settings: {e:#}"));
        let limits = RequestLimits::for_store(config.limit_settings(), store.as_ref());
        Self(Arc::new(Parts {
            store,
            webhooks: Arc::new(webhooks),
            limits: Arc::new(limits),
            usage: Arc::new(UsageRecorder::new(Duration::from_secs(
                u64::from(config.usage_retention_days) * 86_400,
            ))),
            config: Arc::new(config),
            key_usage: Arc::new(KeyUsage::default()),
        }))
    }
}
