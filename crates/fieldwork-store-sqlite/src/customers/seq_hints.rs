//! Where a customer's stored JSON is, remembered from earlier reads: a guess that lets
//! `GET /customers/{id}` descend `customer_docs` alone instead of the id index first.
//!
//! With 100,000 customers in a company the id index and the documents are far larger than a
//! reader's page cache, so each of the two descents usually ended in a page read from the OS;
//! the id index's share was about a tenth of the request's CPU (BENCHMARKS.md). A guess is
//! only ever a guess: the caller reads the document at the guessed `seq` and uses it only if
//! the document's own `id` is the one asked for ([`doc_has_id`]), so a stale, torn or
//! colliding slot costs one wasted lookup, never a wrong answer. That is also why the table
//! needs no locks and no invalidation.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

/// Slots of the table: 4 MB, enough to remember most customers of a company of 100,000
/// (a direct-mapped table at a fifth full keeps ~90 % of its keys), fixed whatever the data.
const SLOTS_LOG2: u32 = 19;
/// Low bits of a slot hold the `seq`; the high bits a tag from the id's hash.
const SEQ_BITS: u32 = 40;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;

/// A direct-mapped table from a customer id's hash to the `seq` of its row.
pub(crate) struct SeqHints {
    slots: Box<[AtomicU64]>,
    /// Random keys per process: which ids share a slot cannot be chosen from outside.
    hasher: RandomState,
}

impl Default for SeqHints {
    fn default() -> Self {
        Self {
            slots: (0..1usize << SLOTS_LOG2)
                .map(|_| AtomicU64::new(0))
                .collect(),
            hasher: RandomState::new(),
        }
    }
}

impl SeqHints {
    /// The `seq` last remembered for `id`, if its slot still holds it.
    pub(crate) fn get(&self, id: &str) -> Option<i64> {
        let (slot, tag) = self.place(id);
        let entry = self.slots[slot].load(Ordering::Relaxed);
        // A zero entry is empty: `seq` starts at 1.
        (entry != 0 && entry >> SEQ_BITS == tag).then_some((entry & SEQ_MASK) as i64)
    }

    /// Remembers that `id` is the row `seq`, replacing whatever shared its slot.
    pub(crate) fn put(&self, id: &str, seq: i64) {
        let Ok(seq) = u64::try_from(seq) else { return };
        if seq == 0 || seq > SEQ_MASK {
            return;
        }
        let (slot, tag) = self.place(id);
        self.slots[slot].store(tag << SEQ_BITS | seq, Ordering::Relaxed);
    }

    /// The slot of `id` and the tag that tells its entry from others of the slot.
    fn place(&self, id: &str) -> (usize, u64) {
        let hash = self.hasher.hash_one(id);
        let slot = (hash & ((1 << SLOTS_LOG2) - 1)) as usize;
        (slot, hash >> (64 - (64 - SEQ_BITS)))
    }
}

/// Whether the stored JSON `doc` is the customer `id`'s: [`fieldwork_store::rules::customer_json`]
/// writes `id` first. Ids that JSON would escape are never matched (no real id has them), so
/// the comparison of raw bytes is exact.
pub(crate) fn doc_has_id(doc: &str, id: &str) -> bool {
    if id.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        return false;
    }
    doc.strip_prefix("{\"id\":\"")
        .and_then(|rest| rest.strip_prefix(id))
        .is_some_and(|rest| rest.starts_with('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_replaces_and_refuses_what_does_not_fit() {
        let hints = SeqHints::default();
        assert_eq!(hints.get("cus_a"), None);
        hints.put("cus_a", 7);
        assert_eq!(hints.get("cus_a"), Some(7));
        hints.put("cus_a", 9);
        assert_eq!(hints.get("cus_a"), Some(9));
        hints.put("cus_b", 0);
        hints.put("cus_b", -3);
        hints.put("cus_b", 1 << SEQ_BITS);
        assert_eq!(hints.get("cus_b"), None);
        hints.put("cus_b", SEQ_MASK as i64);
        assert_eq!(hints.get("cus_b"), Some(SEQ_MASK as i64));
    }

    #[test]
    fn many_ids_mostly_keep_their_slots() {
        let hints = SeqHints::default();
        let ids: Vec<String> = (1..=100_000).map(|i| format!("cus_{i:032x}")).collect();
        for (seq, id) in (1..).zip(&ids) {
            hints.put(id, seq);
        }
        let (mut kept, mut wrong) = (0, 0);
        for (seq, id) in (1..).zip(&ids) {
            match hints.get(id) {
                Some(found) if found == seq => kept += 1,
                // Another id of its slot with the same tag (1 in 2^24): the reader's check
                // of the document's id makes that a wasted lookup.
                Some(_) => wrong += 1,
                None => {}
            }
        }
        assert!(kept > 80_000, "only {kept} of 100,000 kept");
        assert!(wrong < 10, "{wrong} ids got another id's seq");
    }

    #[test]
    fn a_document_is_matched_only_by_its_own_id() {
        let doc = r#"{"id":"cus_abc","first_name":"Ann"}"#;
        assert!(doc_has_id(doc, "cus_abc"));
        assert!(!doc_has_id(doc, "cus_ab"));
        assert!(!doc_has_id(doc, "cus_abcd"));
        assert!(!doc_has_id(doc, ""));
        assert!(!doc_has_id(doc, r#"cus_abc","first_name":"Ann"#));
        assert!(!doc_has_id(
            r#"{"first_name":"Ann","id":"cus_abc"}"#,
            "cus_abc"
        ));
        let escaped = r#"{"id":"cus_\"x","first_name":"Ann"}"#;
        assert!(!doc_has_id(escaped, r#"cus_\"x"#));
        assert!(!doc_has_id(escaped, "cus_\"x"));
    }
}
