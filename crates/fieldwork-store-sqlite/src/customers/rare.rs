//! Searches for rare terms (an e-mail address, a first and a last name together) by their
//! rarest trigrams.
//!
//! FTS5 matches a phrase of trigrams by stepping through the doclist of every one of them, entry
//! by entry between matches. An e-mail address is a phrase of ~25 trigrams, half of them in
//! every document of a data set where most addresses share a few domains, so finding the one
//! customer with that address walked hundreds of thousands of entries (~0.7 ms on 100,000
//! customers). The documents that hold a few well-chosen trigrams of the terms anywhere are few
//! when the terms are rare, and those few doclists alone find them; each one's text is then
//! checked for the terms themselves (~0.1 ms).
//!
//! Which trigrams to take comes from a sample of the company's documents, kept for a while per
//! database and company: one at a time, the trigram that leaves the fewest sampled documents
//! holding all taken so far, until none does. If that takes more than [`MAX_TRIGRAMS`], or more
//! than [`MAX_CANDIDATES`] documents turn up, the search runs the phrases instead. The sample
//! steers speed only: the answer is the same either way.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use fieldwork_store::StoreResult;
use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, params};

use super::search::{Filter, company_range};
use crate::error::map_err;
use crate::sql::collect;

/// Places in the company's documents the sample is read from, and documents read at each.
const SAMPLE_POINTS: i64 = 16;
const DOCS_PER_POINT: i64 = 32;
/// Sampled documents are bits of this many words per trigram.
const WORDS: usize = (SAMPLE_POINTS * DOCS_PER_POINT / 64) as usize;
/// How long a sample is used before it is taken again.
const SAMPLE_FRESH: Duration = Duration::from_secs(600);
/// Samples kept (~0.4 MB each for a company of varied customers); the oldest goes first.
const MAX_SAMPLES: usize = 64;
/// Fewest trigrams the terms must have for this path, and fewest and most the candidates are
/// looked up by (three found an address's candidates fastest: two left ~40 to read, four cost
/// more to look up than they saved).
const MIN_TRIGRAMS: usize = 6;
const TAKEN_TRIGRAMS: usize = 3;
const MAX_TRIGRAMS: usize = 4;
/// More candidates than this: the phrase is the cheaper way.
const MAX_CANDIDATES: usize = 200;

/// Which of the sampled documents hold each trigram ([`pack`]ed).
struct Sample {
    taken: Instant,
    holders: HashMap<u64, [u64; WORDS]>,
}

/// Samples by database file and company.
type Samples = HashMap<(String, i64), Arc<Sample>>;

static SAMPLES: LazyLock<Mutex<Samples>> = LazyLock::new(Default::default);

/// The matches of `filter` in the company's documents (rowids, ascending), found by rare
/// trigrams of its terms; `None` when the terms are not rare enough or the candidates were too
/// many.
pub(super) fn matches(
    c: &Connection,
    search_key: i64,
    filter: &Filter,
) -> StoreResult<Option<Vec<i64>>> {
    let mut trigrams: Vec<[char; 3]> = filter.terms.iter().flat_map(|t| trigrams(t)).collect();
    trigrams.sort_unstable();
    trigrams.dedup();
    // Short terms (a name, five digits of a phone number) are phrases of few trigrams, as
    // cheap as looking their trigrams up one by one and reading the candidates.
    if trigrams.len() < MIN_TRIGRAMS {
        return Ok(None);
    }
    let Some(rare) = sample(c, search_key)?.narrowing(trigrams) else {
        return Ok(None);
    };
    let rare: Vec<String> = rare.iter().map(|t| t.iter().collect()).collect();
    let narrowed = filter.by_trigrams(&rare);
    let candidates = narrowed.rowids(c, search_key, Some(MAX_CANDIDATES + 1))?;
    if candidates.len() > MAX_CANDIDATES {
        return Ok(None);
    }
    let mut found = collect(
        c,
        "select rowid, doc from customer_search
         where rowid in (select value from json_each(?1))",
        params![serde_json::to_string(&candidates).expect("numbers serialize")],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    )?
    .into_iter()
    .filter(|(_, doc)| filter.terms.iter().all(|t| doc.contains(t.as_str())))
    .map(|(rowid, _)| rowid)
    .collect::<Vec<_>>();
    found.sort_unstable();
    Ok(Some(found))
}

impl Sample {
    /// At least [`TAKEN_TRIGRAMS`] and at most [`MAX_TRIGRAMS`] of `trigrams` that no sampled
    /// document holds all of, rarest first; `None` if there are none such.
    fn narrowing(&self, mut left: Vec<[char; 3]>) -> Option<Vec<[char; 3]>> {
        let none = [0u64; WORDS];
        let holders = |t: &[char; 3]| self.holders.get(&pack(t)).unwrap_or(&none);
        let mut holding_all = [u64::MAX; WORDS];
        let mut taken = Vec::new();
        while taken.len() < TAKEN_TRIGRAMS || holding_all.iter().any(|w| *w != 0) {
            if taken.len() == MAX_TRIGRAMS {
                return None;
            }
            // The trigram leaving the fewest documents; ties go to the one held by fewer.
            let (best, _) = left.iter().enumerate().min_by_key(|(_, t)| {
                let h = holders(t);
                let with: u32 = holding_all
                    .iter()
                    .zip(h)
                    .map(|(a, b)| (a & b).count_ones())
                    .sum();
                (with, h.iter().map(|w| w.count_ones()).sum::<u32>())
            })?;
            let t = left.swap_remove(best);
            for (a, h) in holding_all.iter_mut().zip(holders(&t)) {
                *a &= h;
            }
            taken.push(t);
        }
        Some(taken)
    }
}

/// The company's sample, taken now if there is none or it is old.
fn sample(c: &Connection, search_key: i64) -> StoreResult<Arc<Sample>> {
    let key = (c.path().unwrap_or_default().to_owned(), search_key);
    if let Some(s) = SAMPLES.lock().get(&key)
        && s.taken.elapsed() < SAMPLE_FRESH
    {
        return Ok(s.clone());
    }
    let fresh = Arc::new(take_sample(c, search_key)?);
    let mut samples = SAMPLES.lock();
    if samples.len() >= MAX_SAMPLES
        && let Some(oldest) = samples
            .iter()
            .min_by_key(|(_, s)| s.taken)
            .map(|(k, _)| k.clone())
    {
        samples.remove(&oldest);
    }
    samples.insert(key, fresh.clone());
    Ok(fresh)
}

/// Reads [`DOCS_PER_POINT`] documents at each of [`SAMPLE_POINTS`] places spread over the
/// company's documents.
fn take_sample(c: &Connection, search_key: i64) -> StoreResult<Sample> {
    let (first, last) = company_range(search_key);
    let newest: i64 = c
        .query_row(
            "select rowid from customer_search where rowid between ?1 and ?2
             order by rowid desc limit 1",
            params![first, last],
            |r| r.get(0),
        )
        .optional()
        .map_err(map_err)?
        .unwrap_or(first);
    let mut holders: HashMap<u64, [u64; WORDS]> = HashMap::new();
    let mut n = 0usize;
    for point in 0..SAMPLE_POINTS {
        let from = first + (newest - first) / SAMPLE_POINTS * point;
        let docs = collect(
            c,
            "select doc from customer_search where rowid between ?1 and ?2
             order by rowid limit ?3",
            params![from, last, DOCS_PER_POINT],
            |r| r.get::<_, String>(0),
        )?;
        for doc in docs {
            for t in trigrams(&doc) {
                holders.entry(pack(&t)).or_insert([0; WORDS])[n / 64] |= 1 << (n % 64);
            }
            n += 1;
        }
    }
    Ok(Sample {
        taken: Instant::now(),
        holders,
    })
}

/// The runs of three characters of `s`, as FTS5's trigram tokenizer makes them.
fn trigrams(s: &str) -> Vec<[char; 3]> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

/// A trigram as one number: a `char` is at most 21 bits.
fn pack(t: &[char; 3]) -> u64 {
    (u64::from(t[0]) << 42) | (u64::from(t[1]) << 21) | u64::from(t[2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::search::doc_rowid;

    const FIRST: [&str; 7] = ["ann", "bob", "cleo", "dmitri", "eve", "farah", "gus"];
    const LAST: [&str; 5] = ["lee", "okafor", "novak", "silva", "tanaka"];

    /// An index of company 1's documents `docs` (seq = position + 1), and company 2's copy of
    /// the first, which no search of company 1 may find.
    fn index(docs: &[String]) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let c = Connection::open(dir.path().join("search.db")).unwrap();
        c.execute_batch(
            "create virtual table customer_search using fts5 (doc, tokenize = 'trigram')",
        )
        .unwrap();
        let insert = "insert into customer_search (rowid, doc) values (?1, ?2)";
        for (i, doc) in docs.iter().enumerate() {
            c.execute(insert, params![doc_rowid(1, i as i64 + 1), doc])
                .unwrap();
        }
        c.execute(insert, params![doc_rowid(2, 1), docs[0]])
            .unwrap();
        (dir, c)
    }

    /// What the phrases alone find.
    fn by_phrases(c: &Connection, filter: &Filter) -> Vec<i64> {
        filter.rowids(c, 1, None).unwrap()
    }

    fn filter(terms: &[&str]) -> Filter {
        Filter::new(&terms.iter().map(|t| format!("%{t}%")).collect::<Vec<_>>())
    }

    #[test]
    fn rare_terms_find_exactly_what_their_phrases_find() {
        let mut docs: Vec<String> = (0..1500)
            .map(|i| {
                let (first, last) = (FIRST[i % 7], LAST[i % 5]);
                format!("{first}\n{last}\n{first}.{last}{i}@example.com\n503555{i:04}")
            })
            .collect();
        // Every trigram of "wxyzabcd", but not the run itself; then the run.
        docs.push("wxyza\nzabcd".into());
        docs.push("wxyzabcd@example.com".into());
        let (_dir, c) = index(&docs);
        let seq = |rowid: i64| rowid - doc_rowid(1, 0);

        let email = matches(&c, 1, &filter(&["ann.lee70@example.com"])).unwrap();
        assert_eq!(
            email.map(|m| m.into_iter().map(seq).collect()),
            Some(vec![71])
        );
        let run = matches(&c, 1, &filter(&["wxyzabcd"])).unwrap();
        assert_eq!(
            run.map(|m| m.into_iter().map(seq).collect()),
            Some(vec![1502])
        );

        let mut narrowed = 0;
        for terms in [
            &["ann.lee70@example.com"][..],
            &["bob", "okafor1@"],
            &["cleo.novak1"],
            &["ann.lee7", "lee"],
            &["wxyzabcd", "ex"],
            &["example.com"],
            &["5035551234"],
            &["nobody.at.all"],
        ] {
            let f = filter(terms);
            if let Some(found) = matches(&c, 1, &f).unwrap() {
                assert_eq!(found, by_phrases(&c, &f), "{terms:?}");
                narrowed += 1;
            }
        }
        // The address, the run with a short term (a `like`) beside it, and a term nobody has;
        // the others are held by too many sampled documents.
        assert_eq!(narrowed, 3);
        // A term in every document is not rare: the phrase runs.
        assert!(matches(&c, 1, &filter(&["example.com"])).unwrap().is_none());
    }

    #[test]
    fn too_many_candidates_fall_back_to_the_phrase() {
        // The sample reads 32 documents at each sixteenth of the company; the term is only in
        // documents between those places, more of them than a narrowed search reads.
        let docs: Vec<String> = (0..1600)
            .map(|i| match i % 100 {
                40..=79 => format!("uncommon-{i}@qrstuvwx.example"),
                _ => format!("common-{i}@example.com"),
            })
            .collect();
        let (_dir, c) = index(&docs);
        let f = filter(&["qrstuvwx"]);
        assert!(by_phrases(&c, &f).len() > MAX_CANDIDATES);
        assert!(matches(&c, 1, &f).unwrap().is_none());
    }
}
