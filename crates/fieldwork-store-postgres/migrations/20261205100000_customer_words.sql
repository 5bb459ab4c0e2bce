-- The words of each customer's search text, for searches by letter-only terms
-- (src/customers/words.rs): a term of three or more letters matches a customer's text exactly
-- when it lies inside one of its words (maximal runs of ASCII letters and non-ASCII characters,
-- three or more long: `rules::search_words`). A term is looked up in the vocabulary below,
-- then its words' customers are read from this table's primary key alone (index-only: the
-- company, the word and the creation-order key), where the trigram index finds candidates
-- that each need their row read and rechecked (6–11 ms for a first or street name matching
-- 1,000–1,700 of 100,000 customers).
create table customer_words (
    company_id text not null,
    word text not null,
    created_at bigint not null,
    seq bigint not null,
    primary key (company_id, word, created_at, seq)
);
-- Index-only scans need the visibility map of new rows set soon (as for `customers`).
alter table customer_words set (autovacuum_vacuum_insert_scale_factor = 0.02);

-- Every word any customer's text has held, with a trigram index: the words containing a term.
-- Words are never removed (one nobody holds any more only costs a lookup that finds nothing).
create table search_words (
    word text primary key
);
create index search_words_trigrams on search_words using gin (word gin_trgm_ops);

insert into customer_words (company_id, word, created_at, seq)
select distinct c.company_id, w.word, c.created_at, c.seq
from customers c,
     regexp_split_to_table(c.search_doc, '[\u0001-\u0060\u007b-\u007f]+') as w (word)
where char_length(w.word) >= 3;

insert into search_words (word) select distinct word from customer_words;
