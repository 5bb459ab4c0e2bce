//! The state every handler receives.

use std::sync::Arc;

use crate::DynStore;
use crate::config::Config;
use crate::keys::KeyUsage;

/// Cheap to clone: everything is behind an `Arc`.
#[derive(Clone)]
pub struct AppState {
    pub store: DynStore,
    pub config: Arc<Config>,
    pub key_usage: Arc<KeyUsage>,
}

impl AppState {
    /// A state over a store with the given settings.
    pub fn new(store: DynStore, config: Config) -> Self {
        Self {
            store,
            config: Arc::new(config),
            key_usage: Arc::new(KeyUsage::default()),
        }
    }
}
