//! A map split into independently locked shards, so requests of different keys rarely wait on
//! each other and no lock is held for more than one entry's update.

use std::collections::HashMap;
use std::hash::BuildHasher;

use parking_lot::Mutex;
use rustc_hash::FxBuildHasher;

/// Shards per map: a few per core is plenty for short critical sections.
const SHARDS: usize = 32;

/// A map of one shard. Keys are ids the server made (API keys, companies), not input an
/// attacker chooses, so a fast hash needs no protection against collision floods; SipHash cost
/// more than the rest of the limiter's bookkeeping (BENCHMARKS.md, issue 6).
type Shard<V> = HashMap<String, V, FxBuildHasher>;

/// String-keyed values behind [`SHARDS`] mutexes.
pub struct Sharded<V> {
    shards: Box<[Mutex<Shard<V>>]>,
}

impl<V> Default for Sharded<V> {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }
}

impl<V> Sharded<V> {
    fn shard(&self, key: &str) -> &Mutex<Shard<V>> {
        // The high bits: Fx mixes its last input into them, the low bits stay weak.
        let i = (FxBuildHasher.hash_one(key) >> 48) as usize % self.shards.len();
        &self.shards[i]
    }

    /// Runs `f` on the value of `key` (created by `make` when missing) under its shard's lock.
    pub fn with<R>(&self, key: &str, make: impl FnOnce() -> V, f: impl FnOnce(&mut V) -> R) -> R {
        let mut shard = self.shard(key).lock();
        match shard.get_mut(key) {
            Some(v) => f(v),
            None => f(shard.entry(key.to_owned()).or_insert_with(make)),
        }
    }

    /// Keeps only the entries for which `keep` is true, one shard at a time.
    pub fn retain(&self, mut keep: impl FnMut(&mut V) -> bool) {
        for shard in &self.shards {
            shard.lock().retain(|_, v| keep(v));
        }
    }

    /// Takes every entry out, one shard at a time.
    pub fn drain(&self) -> Vec<(String, V)> {
        let mut out = Vec::new();
        for shard in &self.shards {
            out.extend(std::mem::take(&mut *shard.lock()));
        }
        out
    }

    /// Number of entries (for tests and memory checks).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::Sharded;

    #[test]
    fn entries_are_created_updated_retained_and_drained() {
        let m: Sharded<u32> = Sharded::default();
        for k in ["a", "b", "a"] {
            m.with(k, || 0, |v| *v += 1);
        }
        assert_eq!(m.len(), 2);
        m.retain(|v| *v > 1);
        assert_eq!(m.len(), 1);
        m.retain(|v| *v > 5);
        assert!(m.is_empty());
        m.with("c", || 7, |_| ());
        assert_eq!(m.drain(), vec![("c".to_owned(), 7)]);
        assert!(m.is_empty());
    }
}
