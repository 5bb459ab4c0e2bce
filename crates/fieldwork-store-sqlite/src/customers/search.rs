//! The search index behind `q=`: `customer_search`, an FTS5 table with trigram tokens and one
//! document per customer (`fieldwork_store::rules::customer_search_doc`).
//!
//! A document's rowid is the company's `search_key` × 2^36 + the customer's `seq`, so a company's
//! documents form one rowid range and a `match` bounded to it reads only that company's part of
//! each trigram's doclist (FTS5 seeks inside long doclists).
//!
//! Writes do not touch the FTS table: they queue the new document in `temp.pending_search`
//! (inside their savepoint, so a write that fails queues nothing), and the writer moves the
//! queue into the index once per group commit ([`flush_pending`]). FTS5 writes its pending terms
//! out as a new segment at every savepoint release; written per write, that was one segment and
//! its merging per customer, ~30 % of the writer's time (BENCHMARKS.md).

use rusqlite::{Connection, params};

use fieldwork_store::StoreResult;

use crate::error::map_err;

/// Rowids of one company's documents are `search_key << KEY_SHIFT` + `seq`.
const KEY_SHIFT: u32 = 36;

/// The rowid of a customer's document.
pub(super) fn doc_rowid(search_key: i64, seq: i64) -> i64 {
    (search_key << KEY_SHIFT) + seq
}

/// The first and last rowid of a company's documents.
pub(super) fn company_range(search_key: i64) -> (i64, i64) {
    let first = search_key << KEY_SHIFT;
    (first, first + (1 << KEY_SHIFT) - 1)
}

/// Creates the writer connection's queue of documents to index.
pub(crate) fn create_pending_table(c: &Connection) -> rusqlite::Result<()> {
    c.execute_batch(
        "create temp table if not exists pending_search (
            rowid integer primary key,
            doc text not null
        )",
    )
}

/// Queues a customer's document for the index; replaces one queued earlier in the batch.
pub(super) fn queue(c: &Connection, rowid: i64, doc: &str) -> StoreResult<()> {
    c.prepare_cached("insert or replace into temp.pending_search (rowid, doc) values (?1, ?2)")
        .and_then(|mut s| s.execute(params![rowid, doc]))
        .map_err(map_err)?;
    Ok(())
}

/// Moves the queued documents into the index, in the writer's transaction before its commit
/// (`or replace` deletes a customer's previous document first).
pub(crate) fn flush_pending(c: &Connection) -> rusqlite::Result<()> {
    let queued: i64 = c
        .prepare_cached("select count(*) from temp.pending_search")?
        .query_row([], |r| r.get(0))?;
    if queued == 0 {
        return Ok(());
    }
    c.prepare_cached(
        "insert or replace into customer_search (rowid, doc)
         select rowid, doc from temp.pending_search order by rowid",
    )?
    .execute([])?;
    super::words::index_pending(c)?;
    c.prepare_cached("delete from temp.pending_search")?
        .execute([])?;
    Ok(())
}

/// Pages of merging one [`merge_search_step`] does (4 KB each).
const MERGE_PAGES: i64 = 256;

/// Merges the search index's segments a little (its own transaction); false once the index is
/// one segment. Each group commit adds a small segment, and FTS5 merges them only in groups
/// of four per level, so after many writes a term's doclist is spread over a dozen segments
/// and every lookup seeks in each (an email search took 2.7 ms instead of 0.9 ms on 200,000
/// documents). The writer calls this while it has nothing else to do.
pub(crate) fn merge_search_step(c: &Connection) -> bool {
    let before = c.total_changes();
    // A negative page count merges segments of different levels too, down to one.
    match c.execute(
        "insert into customer_search (customer_search, rank) values ('merge', ?1)",
        [-MERGE_PAGES],
    ) {
        // FTS5's documented test: the command itself counts as one change, merging as more.
        Ok(_) => c.total_changes() - before >= 2,
        Err(e) => {
            tracing::warn!(error = %e, "merging the search index failed");
            false
        }
    }
}

/// `s` as an FTS5 string: a phrase of its tokens.
pub(super) fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// How a search's terms are matched.
pub(super) struct Filter {
    /// The terms of three or more characters, which the trigram index answers exactly as
    /// phrases (`"term" AND "term"`).
    pub(super) terms: Vec<String>,
    /// `like` patterns of the shorter terms (the index cannot serve them; they filter the
    /// documents the match found, or the company's documents when there is no match).
    pub(super) likes: Vec<String>,
}

impl Filter {
    /// Splits lowercased `%term%` patterns ([`fieldwork_store::rules::search_patterns`]).
    pub(super) fn new(patterns: &[String]) -> Self {
        let mut terms = Vec::new();
        let mut likes = Vec::new();
        for pattern in patterns {
            let term = pattern.trim_matches('%');
            if term.chars().count() >= 3 {
                terms.push(term.to_owned());
            } else {
                likes.push(pattern.clone());
            }
        }
        Self { terms, likes }
    }

    /// This filter with its terms replaced by some of their trigrams (each its own phrase):
    /// the documents that hold those anywhere, a superset of the matches. FTS5 steps through an
    /// `AND`'s first operand and seeks in the others, so the rarest should lead.
    pub(super) fn by_trigrams(&self, trigrams: &[String]) -> Self {
        Self {
            terms: trigrams.to_vec(),
            likes: self.likes.clone(),
        }
    }

    /// The FTS5 query of the terms; `None` when every term is shorter than three characters.
    pub(super) fn fts_match(&self) -> Option<String> {
        (!self.terms.is_empty()).then(|| {
            self.terms
                .iter()
                .map(|t| quoted(t))
                .collect::<Vec<_>>()
                .join(" AND ")
        })
    }

    /// The `where` clause on `customer_search s`; parameters from `?first` on, in the order of
    /// [`Filter::params`], then the rowid range.
    pub(super) fn sql(&self, first: usize) -> String {
        let mut n = first;
        let mut parts = Vec::new();
        if !self.terms.is_empty() {
            parts.push(format!("s.doc match ?{n}"));
            n += 1;
        }
        for _ in &self.likes {
            parts.push(format!("s.doc like ?{n}"));
            n += 1;
        }
        parts.push(format!("s.rowid between ?{n} and ?{}", n + 1));
        parts.join(" and ")
    }

    /// The values of [`Filter::sql`]'s parameters for a company's range.
    pub(super) fn params(&self, search_key: i64) -> Vec<rusqlite::types::Value> {
        let (first, last) = company_range(search_key);
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        values.extend(self.fts_match().map(Into::into));
        values.extend(self.likes.iter().cloned().map(Into::into));
        values.push(first.into());
        values.push(last.into());
        values
    }

    /// The rowids of the company's documents this filter matches, in order; at most `limit`.
    pub(super) fn rowids(
        &self,
        c: &Connection,
        search_key: i64,
        limit: Option<usize>,
    ) -> StoreResult<Vec<i64>> {
        let limit = limit.map_or_else(String::new, |n| format!(" limit {n}"));
        crate::sql::collect(
            c,
            &format!(
                "select s.rowid from customer_search s where {} order by s.rowid{limit}",
                self.sql(1)
            ),
            rusqlite::params_from_iter(self.params(search_key)),
            |r| r.get::<_, i64>(0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_terms_match_and_short_terms_filter() {
        let f = Filter::new(&["%smith%".into(), "%a\"b%".into(), "%5%".into()]);
        assert_eq!(f.fts_match().as_deref(), Some("\"smith\" AND \"a\"\"b\""));
        assert_eq!(f.likes, vec!["%5%".to_owned()]);
        assert_eq!(
            f.sql(3),
            "s.doc match ?3 and s.doc like ?4 and s.rowid between ?5 and ?6"
        );
        assert_eq!(f.params(1).len(), 4);
        let narrowed = f.by_trigrams(&["mit".into(), "ith".into()]);
        assert_eq!(narrowed.fts_match().as_deref(), Some("\"mit\" AND \"ith\""));
        assert_eq!(narrowed.likes, f.likes);
    }

    /// The index's segments, as FTS5 lists them in its `_idx` table (a row per leaf page).
    fn segments(c: &Connection) -> i64 {
        c.query_row(
            "select count(distinct segid) from customer_search_idx",
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn merge_steps_end_with_one_segment() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "create virtual table customer_search using fts5 (doc, tokenize = 'trigram');
             insert into customer_search (customer_search, rank) values ('automerge', 0);",
        )
        .unwrap();
        // Each commit writes its documents as a new segment; automerge is off, so they stay.
        for i in 0..12 {
            c.execute(
                "insert into customer_search (rowid, doc) values (?1, ?2)",
                params![i, format!("customer {i} on elm street")],
            )
            .unwrap();
        }
        assert_eq!(segments(&c), 12);
        let mut steps = 0;
        while merge_search_step(&c) {
            steps += 1;
            assert!(steps < 100, "merging never ends");
        }
        assert_eq!(segments(&c), 1);
        let found: i64 = c
            .query_row(
                "select count(*) from customer_search where doc match '\"elm\"'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 12);
    }

    /// The webhook worker polls for due deliveries all the time; its polls must not keep the
    /// writer from the idle work of merging the index (they did: each was a writer job).
    #[tokio::test]
    async fn the_index_is_merged_while_the_webhook_worker_polls() {
        use fieldwork_store::Store;
        use fieldwork_store::webhooks::ClaimRequest;
        use fieldwork_types::CustomerIn;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fw.db");
        let store = crate::SqliteStore::open(path.to_str().unwrap(), true).unwrap();
        let direct = Connection::open(&path).unwrap();
        direct
            .execute_batch(
                "insert into customer_search (customer_search, rank) values ('automerge', 0)",
            )
            .unwrap();
        let company = crate::customers::tests::max_company(&store, "Merging").await;
        for i in 0..6 {
            let new = CustomerIn {
                first_name: Some(format!("Customer{i}")),
                ..CustomerIn::default()
            };
            store.create_customer(&company, new, &[]).await.unwrap();
        }
        assert!(
            segments(&direct) > 1,
            "each create should have written a segment"
        );
        let mut polls = 0;
        while segments(&direct) > 1 {
            polls += 1;
            assert!(
                polls < 60,
                "the index was not merged while the worker polled"
            );
            let poll = ClaimRequest {
                now: fieldwork_store::time::now_micros(),
                lease_micros: 1_000_000,
                limit: 10,
                per_endpoint: 4,
                available: Default::default(),
            };
            assert!(store.claim_deliveries(&poll).await.unwrap().is_empty());
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    #[test]
    fn company_ranges_do_not_overlap() {
        let (first, last) = company_range(2);
        assert_eq!(doc_rowid(2, 0), first);
        assert_eq!(doc_rowid(2, (1 << 36) - 1), last);
        assert_eq!(company_range(3).0, last + 1);
    }
}
