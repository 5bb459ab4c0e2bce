//! Searches by letter-only terms ("emma", "maple") through the word index `customer_words`.
//!
//! A term of three or more letters matched as a phrase of trigrams walks every trigram's
//! doclist with its positions: ~0.3–0.5 µs per matching customer, and a first name or a street
//! name matches a thousand or more. Such a term always lies inside one word of the document
//! (a maximal run of ASCII letters and non-ASCII characters: what the index's `ascii`
//! tokenizer, with digits as separators, makes a token), so its matches are the documents of
//! the vocabulary's words that contain it. Those words come from a trigram index over the
//! vocabulary (`search_words`, a few thousand words where the documents are hundreds of
//! thousands), and their documents from one `OR` over word doclists without positions
//! (BENCHMARKS.md: a first name 456 → 85 µs, a street name 326 → 140 µs).
//!
//! Terms with digits or ASCII punctuation ("o'brien", "5551234", an e-mail address) and
//! searches with terms shorter than three characters keep the trigram phrases.

use std::collections::BTreeSet;

use fieldwork_store::StoreResult;
use fieldwork_store::rules::{is_search_word, search_words};
use rusqlite::{Connection, params};

use super::search::{Filter, company_range, quoted};
use crate::sql::collect;

/// Most vocabulary words a term may expand to; a term inside more (a common fragment such as
/// "an") is cheaper as a phrase than as an `OR` of that many words.
const MAX_WORDS: usize = 64;

/// The matches of `filter` in the company's documents (rowids, ascending), found through the
/// word index; `None` when a term is not letters only, there are short terms, or a term is
/// inside too many words.
pub(super) fn matches(
    c: &Connection,
    search_key: i64,
    filter: &Filter,
) -> StoreResult<Option<Vec<i64>>> {
    if filter.terms.is_empty()
        || !filter.likes.is_empty()
        || !filter.terms.iter().all(|t| is_search_word(t))
    {
        return Ok(None);
    }
    let mut clauses = Vec::new();
    for term in &filter.terms {
        let words = collect(
            c,
            "select word from search_word_grams where word match ?1 limit ?2",
            params![quoted(term), MAX_WORDS as i64 + 1],
            |r| r.get::<_, String>(0),
        )?;
        if words.len() > MAX_WORDS {
            return Ok(None);
        }
        if words.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let any: Vec<String> = words.iter().map(|w| quoted(w)).collect();
        clauses.push(format!("({})", any.join(" OR ")));
    }
    let (first, last) = company_range(search_key);
    collect(
        c,
        "select rowid from customer_words where customer_words match ?1
         and rowid between ?2 and ?3 order by rowid",
        params![clauses.join(" AND "), first, last],
        |r| r.get::<_, i64>(0),
    )
    .map(Some)
}

/// Indexes the writer's queued documents ([`super::search::flush_pending`]) by word, and adds
/// their new words to the vocabulary. Words are never removed from it: one no document holds
/// any more only costs a lookup that finds nothing.
pub(super) fn index_pending(c: &Connection) -> rusqlite::Result<()> {
    c.prepare_cached(
        "insert or replace into customer_words (rowid, doc)
         select rowid, doc from temp.pending_search order by rowid",
    )?
    .execute([])?;
    let docs = c
        .prepare_cached("select doc from temp.pending_search")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut add = c.prepare_cached("insert or ignore into search_words (word) values (?1)")?;
    let mut index = c.prepare_cached(
        "insert into search_word_grams (rowid, word) values (last_insert_rowid(), ?1)",
    )?;
    // Each word once per batch: most of a batch's words are the same few names and streets.
    let batch: BTreeSet<&str> = docs.iter().flat_map(|d| search_words(d)).collect();
    for word in batch {
        if add.execute([word])? == 1 {
            index.execute([word])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use fieldwork_store::rules::{search_matches, search_patterns};
    use fieldwork_store::{ListParams, Sort, SortDirection, SortField, Store};
    use fieldwork_types::{CustomerIn, CustomerPatch};

    use super::*;
    use crate::customers::tests::store_with_company;

    const NAMES: [(&str, &str, &str); 10] = [
        ("Emma", "Stone", "emma.stone@example.com"),
        ("Emmanuel", "Okafor", "e.okafor2@mail.example.net"),
        ("Gemma", "O'Brien", "gemma@obrien.ie"),
        ("José", "Müller", "jose.muller@example.de"),
        ("Anne-Marie", "Joanne", "am@example.com"),
        ("Zoë", "Maple\u{a0}Leaf", "zoe@example.com"),
        ("Ann", "Lee", "ann.lee7@example.com"),
        ("Björn", "Emmaus", "bjorn5@example.se"),
        ("Li", "Na", "li.na@example.cn"),
        ("Maple", "Street", "maple@example.com"),
    ];

    /// Every letter-only search through the word index finds exactly the customers whose search
    /// text contains every term, before and after a rename.
    #[tokio::test]
    async fn letter_terms_find_exactly_the_customers_that_contain_them() {
        let (_dir, path, store, company) = store_with_company("Words").await;
        let mut customers = Vec::new();
        for (first, last, email) in NAMES {
            let new = CustomerIn {
                first_name: Some(first.into()),
                last_name: Some(last.into()),
                email: Some(email.into()),
                ..CustomerIn::default()
            };
            customers.push(store.create_customer(&company, new, &[]).await.unwrap());
        }
        let renamed = CustomerPatch {
            last_name: Some(Some("Emmerich".into())),
            ..CustomerPatch::default()
        };
        let terms = [
            "emma",
            "emm",
            "mma",
            "josé",
            "müller",
            "ller",
            "brien",
            "anne",
            "marie",
            "oan",
            "maple",
            "leaf",
            "zoë",
            "björn",
            "stone",
            "emmerich",
            "ann lee",
            "emma stone",
            "xyz",
            "example",
            "exam",
            "com",
        ];
        let c = Connection::open(&path).unwrap();
        let key: i64 = c
            .query_row(
                "select search_key from companies where id = ?1",
                [&company],
                |r| r.get(0),
            )
            .unwrap();
        for round in 0..2 {
            if round == 1 {
                let stone = customers[0].id.clone();
                customers[0] = store
                    .update_customer(&company, &stone, renamed.clone(), &[])
                    .await
                    .unwrap();
            }
            for q in terms {
                let patterns = search_patterns(q);
                let filter = Filter::new(&patterns);
                let found = matches(&c, key, &filter).unwrap();
                let Some(found) = found else {
                    panic!("q={q} did not go through the word index");
                };
                let wanted: Vec<String> = customers
                    .iter()
                    .filter(|cu| search_matches(cu, q))
                    .map(|cu| cu.id.clone())
                    .collect();
                let list = ListParams {
                    page: 1,
                    page_size: 100,
                    sort: Sort {
                        field: SortField::CreatedAt,
                        direction: SortDirection::Asc,
                    },
                };
                let page = store
                    .list_customers(&company, Some(q), &list)
                    .await
                    .unwrap();
                let got: Vec<String> = page.items.into_iter().map(|cu| cu.id).collect();
                assert_eq!(got, wanted, "q={q}, round {round}");
                assert_eq!(page.total, wanted.len() as u64, "q={q}, round {round}");
                assert_eq!(found.len(), wanted.len(), "q={q}, round {round}");
            }
        }
    }

    #[test]
    fn terms_with_digits_or_punctuation_keep_the_phrases() {
        let c = Connection::open_in_memory().unwrap();
        for q in ["o'brien", "lee7", "ann.lee", "example.com"] {
            let filter = Filter::new(&search_patterns(q));
            assert!(matches(&c, 1, &filter).unwrap().is_none(), "q={q}");
        }
        // A short term beside a long one is a `like` the word index cannot apply.
        let filter = Filter::new(&search_patterns("emma st"));
        assert!(matches(&c, 1, &filter).unwrap().is_none());
    }

    #[test]
    fn words_are_cut_as_the_tokenizer_cuts_them() {
        let doc = "emma\nstone\nemma.stone2@example.com\n5551234 o'brien zoë\u{a0}leaf li";
        let got: Vec<&str> = search_words(doc).collect();
        assert_eq!(
            got,
            [
                "emma",
                "stone",
                "emma",
                "stone",
                "example",
                "com",
                "brien",
                "zoë\u{a0}leaf"
            ]
        );
    }
}
