//! API keys: generation, hashing, and last-used times gathered in memory.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::DynStore;

/// A new API key: 32 lowercase hex digits (128 random bits), the format HCP keys have.
pub fn generate_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a key: lowercase hex SHA-256. Keys are random, so no salt is needed.
pub fn hash_key(key: &str) -> String {
    // Into a buffer, not `hex::encode`: that collects chars one at a time, which cost as much
    // as the hash itself on every request.
    let mut hex = [0u8; 64];
    hex::encode_to_slice(Sha256::digest(key.as_bytes()), &mut hex).expect("64 = 2 × 32 bytes");
    String::from_utf8(hex.to_vec()).expect("hex digits are ASCII")
}

/// The part of a key shown in listings.
pub fn key_prefix(key: &str) -> String {
    key.chars().take(6).collect()
}

/// Last-used times of keys since the last flush; written in one batch every few seconds.
#[derive(Debug, Default)]
pub struct KeyUsage {
    pending: Mutex<HashMap<String, i64>>,
}

impl KeyUsage {
    /// Notes that a key was used now.
    pub fn touch(&self, key_id: &str) {
        let now = fieldwork_store::time::now_micros();
        let mut pending = self.pending.lock();
        match pending.get_mut(key_id) {
            Some(at) => *at = now,
            None => {
                pending.insert(key_id.to_owned(), now);
            }
        }
    }

    /// Writes the gathered times; a failure is logged and the times are dropped.
    pub async fn flush(&self, store: &dyn fieldwork_store::Store) {
        let uses: Vec<(String, i64)> = self.pending.lock().drain().collect();
        if let Err(e) = store.record_key_usage(uses).await {
            tracing::warn!(error = %e, "could not record API key usage");
        }
    }

    /// Flushes every `every` until aborted.
    pub fn spawn_flusher(
        self: Arc<Self>,
        store: DynStore,
        every: Duration,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                self.flush(store.as_ref()).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_32_hex_and_hash_is_stable() {
        let k = generate_key();
        assert_eq!(k.len(), 32);
        assert!(k.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(hash_key("abc"), hash_key("abc"));
        assert_ne!(hash_key(&k), k);
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
