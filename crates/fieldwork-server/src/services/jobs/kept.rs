//! The customers jobs, estimates and leads embed, kept per company while the company's
//! customers epoch (`fieldwork_store::reference::Epochs`) stays put: a page of a week's jobs
//! then reads its 50 customers' JSON only after one of them changed (reading and recognising
//! them by their text in [`super::embedded`] was a fifth of such a page's CPU on SQLite, and
//! the customers' query a third of PostgreSQL's work for the page, BENCHMARKS.md).
//!
//! The epoch is read before the customers, and a request's later reads never see an older
//! state than its earlier ones, so customers kept under an epoch are at least as new as the
//! epoch: a change committed in between leaves newer customers under an older epoch, which the
//! first reader of the new epoch replaces; never the reverse. A new customer does not move the
//! epoch and is read on its first use.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use fieldwork_store::Store;
use parking_lot::Mutex;

use super::embedded::{self, EmbeddableCustomer};
use crate::error::{ApiError, ApiResult};

/// Most bytes of JSON kept across companies; past that all is dropped, which bounds memory,
/// not correctness.
const MAX_KEPT_BYTES: usize = 16 << 20;

type ById = HashMap<String, Arc<EmbeddableCustomer>>;

/// Customers by company: the epoch they were read under and the customers, by id.
#[derive(Default)]
struct Kept {
    companies: HashMap<String, (i64, ById)>,
    bytes: usize,
}

static KEPT: LazyLock<Mutex<Kept>> = LazyLock::new(Mutex::default);

/// The company's customers with these ids (sorted, without repeats), by id; unknown ids are
/// left out. `epoch` is the company's customers epoch, read before anything of this request
/// that the customers must be as new as.
pub async fn customers(
    store: &dyn Store,
    company_id: &str,
    epoch: i64,
    ids: Vec<String>,
) -> ApiResult<ById> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (mut found, missing) = kept(company_id, epoch, ids);
    if !missing.is_empty() {
        let read = read(store, company_id, &missing).await?;
        keep(company_id, epoch, &read);
        found.extend(read);
    }
    Ok(found)
}

async fn read(store: &dyn Store, company_id: &str, ids: &[String]) -> ApiResult<ById> {
    let stored = store.get_customers_json(company_id, ids).await?;
    embedded::cut_all(stored)
        .ok_or_else(|| ApiError::Internal("a stored customer does not parse".into()))
}

/// The customers kept under `epoch`, and the ids not kept.
fn kept(company_id: &str, epoch: i64, ids: Vec<String>) -> (ById, Vec<String>) {
    let kept = KEPT.lock();
    let Some((_, by_id)) = kept
        .companies
        .get(company_id)
        .filter(|(at, _)| *at == epoch)
    else {
        return (HashMap::new(), ids);
    };
    let mut found = HashMap::with_capacity(ids.len());
    let mut missing = Vec::new();
    for id in ids {
        match by_id.get(&id) {
            Some(c) => {
                found.insert(id, c.clone());
            }
            None => missing.push(id),
        }
    }
    (found, missing)
}

/// Keeps customers read under `epoch` (after reading the epoch), unless newer ones are kept.
fn keep(company_id: &str, epoch: i64, read: &ById) {
    let mut kept = KEPT.lock();
    let kept = &mut *kept;
    let stale = match kept.companies.get(company_id) {
        Some((at, _)) if *at > epoch => return,
        Some((at, by_id)) if *at < epoch => Some(by_id.values().map(|c| c.bytes()).sum::<usize>()),
        _ => None,
    };
    if let Some(bytes) = stale {
        kept.bytes -= bytes;
        kept.companies.remove(company_id);
    }
    let adding: usize = read.values().map(|c| c.bytes()).sum();
    if kept.bytes + adding > MAX_KEPT_BYTES {
        *kept = Kept::default();
    }
    let (_, by_id) = kept
        .companies
        .entry(company_id.to_owned())
        .or_insert_with(|| (epoch, HashMap::new()));
    for (id, c) in read {
        if let Some(old) = by_id.insert(id.clone(), c.clone()) {
            kept.bytes -= old.bytes();
        }
        kept.bytes += c.bytes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A customer with this id and first name, ready to embed; `note` sets its size.
    fn cut(id: &str, name: &str, note: &str) -> Arc<EmbeddableCustomer> {
        let mut c = embedded::tests::customer(Some(note));
        c.id = id.into();
        c.first_name = Some(name.into());
        Arc::new(EmbeddableCustomer::of(&c))
    }

    fn by_id(cuts: &[Arc<EmbeddableCustomer>]) -> ById {
        cuts.iter().map(|c| (c.id.clone(), c.clone())).collect()
    }

    fn names(found: &ById) -> Vec<String> {
        let mut names: Vec<String> = found.values().map(|c| c.in_job.get().to_owned()).collect();
        names.sort();
        names
    }

    fn ids(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn customers_are_served_only_under_the_epoch_they_were_read_under() {
        let company = "com_kept_epochs";
        keep(company, 4, &by_id(&[cut("cus_a", "Ada", "")]));
        let (found, missing) = kept(company, 4, ids(&["cus_a", "cus_b"]));
        assert!(names(&found)[0].contains("Ada"));
        assert_eq!(missing, ids(&["cus_b"]));
        // Read under 4 as well: added beside the first.
        keep(company, 4, &by_id(&[cut("cus_b", "Bea", "")]));
        assert_eq!(kept(company, 4, ids(&["cus_a", "cus_b"])).0.len(), 2);
        // The epoch moved: nothing is served.
        let (found, missing) = kept(company, 5, ids(&["cus_a"]));
        assert!(found.is_empty());
        assert_eq!(missing, ids(&["cus_a"]));
        // Another company's are not this one's.
        assert!(kept("com_kept_other", 4, ids(&["cus_a"])).0.is_empty());
    }

    #[test]
    fn newer_customers_replace_older_ones_and_never_the_reverse() {
        let company = "com_kept_order";
        keep(company, 7, &by_id(&[cut("cus_a", "Ada", "")]));
        // A request that read epoch 6 before a change finishes late: what it read is dropped.
        keep(company, 6, &by_id(&[cut("cus_a", "Old", "")]));
        assert!(names(&kept(company, 7, ids(&["cus_a"])).0)[0].contains("Ada"));
        assert!(kept(company, 6, ids(&["cus_a"])).0.is_empty());
        // A newer epoch replaces the company's customers whole, and their bytes.
        keep(company, 8, &by_id(&[cut("cus_b", "Bea", "")]));
        assert!(kept(company, 8, ids(&["cus_a"])).0.is_empty());
        let held: usize = KEPT
            .lock()
            .companies
            .values()
            .flat_map(|(_, by_id)| by_id.values())
            .map(|c| c.bytes())
            .sum();
        assert_eq!(KEPT.lock().bytes, held);
    }

    #[test]
    fn what_is_kept_is_bounded_in_bytes() {
        let note = "n".repeat(1 << 20);
        for i in 0..40 {
            let company = format!("com_kept_bound_{}", i % 3);
            let id = format!("cus_{i}");
            keep(&company, 1, &by_id(&[cut(&id, "Ada", &note)]));
            let kept = KEPT.lock();
            assert!(kept.bytes <= MAX_KEPT_BYTES, "{} after {i}", kept.bytes);
            let held: usize = kept
                .companies
                .values()
                .flat_map(|(_, by_id)| by_id.values())
                .map(|c| c.bytes())
                .sum();
            assert_eq!(held, kept.bytes);
        }
    }
}
