//! Searches by letter-only terms ("emma", "maple") through the words of customers' search texts
//! (`customer_words` and the vocabulary `search_words`; why: their migration).
//!
//! Every write of a customer keeps its words in step with its search text; the vocabulary only
//! grows. Terms with digits or ASCII punctuation ("o'brien", "5551234", an e-mail address) and
//! searches with a term shorter than three characters use the trigram index instead.

use std::collections::HashSet;
use std::sync::Mutex;

use deadpool_postgres::GenericClient;
use fieldwork_store::StoreResult;
use fieldwork_store::rules::{is_search_word, search_words};

use crate::db::execute;
use crate::sql::SearchTerm;

/// Words this process knows the vocabulary holds, so that a write sends only new ones (most
/// customers' words are the same few thousand names and streets). Words are never removed from
/// the vocabulary, so what is known stays true; at [`KnownWords::CAP`] words it stops learning.
#[derive(Default)]
pub(crate) struct KnownWords(Mutex<HashSet<String>>);

impl KnownWords {
    const CAP: usize = 200_000;

    /// The words of `words` not known to be in the vocabulary.
    pub(crate) fn unknown<'a>(&self, words: impl IntoIterator<Item = &'a String>) -> Vec<String> {
        let known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        words
            .into_iter()
            .filter(|w| !known.contains(*w))
            .cloned()
            .collect()
    }

    /// Records `words` as in the vocabulary (after the statement that added them committed).
    pub(crate) fn learn(&self, words: Vec<String>) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for w in words {
            if known.len() >= Self::CAP {
                return;
            }
            known.insert(w);
        }
    }
}

/// The distinct words of a search text, sorted.
pub(crate) fn doc_words(search_doc: &str) -> Vec<String> {
    let mut words: Vec<String> = search_words(search_doc).map(str::to_owned).collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// Whether every term can be matched through the words (`rules::is_search_word`; the pattern
/// is then `%term%` with nothing escaped).
pub(crate) fn by_words(terms: &[SearchTerm]) -> bool {
    terms
        .iter()
        .all(|t| is_search_word(t.pattern.trim_matches('%')))
}

/// `m`: the `(created_at, seq)` keys of the company's customers whose text holds every term,
/// once each. Term `i`'s pattern is parameter `first + i`; a term's words are found in the
/// vocabulary's trigram index, its customers in `customer_words`' primary key.
pub(crate) fn matches_cte(terms: usize, first: usize) -> String {
    let term = |i: usize| {
        format!(
            "select w.created_at, w.seq from customer_words w
             where w.company_id = $1 and w.word = any(array(
                 select v.word from search_words v where v.word like ${}))",
            first + i
        )
    };
    let sets = if terms == 1 {
        format!("select distinct k.created_at, k.seq from ({}) k", term(0))
    } else {
        (0..terms).map(term).collect::<Vec<_>>().join(" intersect ")
    };
    format!("m as materialized ({sets})")
}

/// Brings the customer's words from those of `old_doc` to those of `new_doc` (none: a new
/// customer's), and adds new words to the vocabulary. Returns the words to
/// [`KnownWords::learn`] after the commit.
pub(crate) async fn sync(
    c: &impl GenericClient,
    known: &KnownWords,
    company_id: &str,
    customer_id: &str,
    old_doc: &str,
    new_doc: &str,
) -> StoreResult<Vec<String>> {
    let (old, new) = (doc_words(old_doc), doc_words(new_doc));
    let gone: Vec<&String> = old
        .iter()
        .filter(|w| new.binary_search(w).is_err())
        .collect();
    let added: Vec<&String> = new
        .iter()
        .filter(|w| old.binary_search(w).is_err())
        .collect();
    if gone.is_empty() && added.is_empty() {
        return Ok(Vec::new());
    }
    let unknown = known.unknown(added.iter().copied());
    execute(
        c,
        "with c as (
            select created_at, seq from customers where company_id = $1 and id = $2
         ), gone as (
            delete from customer_words w using c
            where w.company_id = $1 and w.word = any($3) and w.created_at = c.created_at
                and w.seq = c.seq
         ), vocabulary as (
            insert into search_words (word) select unnest($5::text[]) on conflict do nothing
         )
         insert into customer_words (company_id, word, created_at, seq)
         select $1, a.word, c.created_at, c.seq from c, unnest($4::text[]) as a (word)
         on conflict do nothing",
        &[&company_id, &customer_id, &gone, &added, &unknown],
    )
    .await?;
    Ok(unknown)
}
