-- Each customer's JSON as `GET /customers/{id}` answers it without `expand[]`, rendered by
-- every write that changes the customer or its addresses, so a read returns it as it is
-- (mapping and serializing the row was about 40 % of that request's instructions).
-- Keyed by the customer's `seq`, which the unique index on `customers.id` holds, so a read
-- descends that index and this table, as it did the customers table; kept apart from
-- `customers` so that lists, which read customer rows, read no more pages than before.
-- (Keyed by id `without rowid` it was slower: interior pages of such a table hold whole
-- rows, five to a page, so the tree was seven levels deep.) Customers written before this
-- migration have no row here: they are rendered from their columns when read.
create table customer_docs (
    seq integer primary key,
    company_id text not null,
    doc text not null
);

-- No API deletes customers; a repair by hand that does takes the JSON with it.
create trigger customer_docs_follow_deletes after delete on customers
begin
    delete from customer_docs where seq = old.seq;
end;
