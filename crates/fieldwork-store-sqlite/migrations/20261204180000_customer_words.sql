-- The words of each customer's search text, for searches by letter-only terms
-- (src/customers/words.rs): the same documents and rowids as `customer_search`, tokenized into
-- maximal runs of letters (ASCII letters and any non-ASCII character; digits and ASCII
-- punctuation separate), without positions. A word's doclist is a few bytes per customer, so
-- walking the ~1,000 customers named "emma" costs a fifth of walking a trigram phrase.
create virtual table customer_words using fts5 (
    doc,
    tokenize = "ascii separators '0123456789'",
    detail = none
);
insert into customer_words (rowid, doc) select rowid, doc from customer_search;

-- Every word of three or more characters that any document has held (the vocabulary), and a
-- trigram index over it: a term is found inside words through this small index, then the
-- documents of those words through `customer_words`.
create table search_words (
    id integer primary key,
    word text not null unique
);
create virtual table search_word_grams using fts5 (
    word,
    content = 'search_words',
    content_rowid = 'id',
    tokenize = 'trigram'
);
create virtual table temp.customer_words_vocab using fts5vocab (main, customer_words, row);
insert into search_words (word)
    select term from temp.customer_words_vocab where length(term) >= 3;
drop table temp.customer_words_vocab;
insert into search_word_grams (rowid, word) select id, word from search_words;
