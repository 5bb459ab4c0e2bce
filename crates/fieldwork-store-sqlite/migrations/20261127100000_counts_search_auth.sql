-- Speed for large companies (BENCHMARKS.md, issue 2 §6): per-company customer counts, a search
-- index that a company can query without touching other companies' entries, and a counter of
-- changes that can invalidate cached API key lookups.

-- Customers per company, kept in the writing transaction by triggers, so that `total_items`
-- of an unfiltered list is one row read instead of a count over the company's index entries.
create table customer_counts (
    company_id text primary key,
    n integer not null
) without rowid;
insert into customer_counts (company_id, n)
    select company_id, count(*) from customers group by company_id;
create trigger customers_counted after insert on customers begin
    insert into customer_counts (company_id, n) values (new.company_id, 1)
        on conflict (company_id) do update set n = n + 1;
end;
create trigger customers_uncounted after delete on customers begin
    update customer_counts set n = n - 1 where company_id = old.company_id;
end;

-- A small integer per company: the high bits of its customers' rowids in `customer_search`.
-- Stored (not the implicit rowid, which VACUUM may renumber) and never reused.
alter table companies add column search_key integer;
update companies set search_key = rowid;
create unique index companies_search_key on companies (search_key);
create trigger companies_search_key after insert on companies when new.search_key is null begin
    update companies set search_key = (select coalesce(max(search_key), 0) + 1 from companies)
        where rowid = new.rowid;
end;

-- The search text of each customer (fieldwork_store::rules::customer_search_doc), with rowid
-- = companies.search_key * 2^36 + customers.seq: a company's documents are one rowid range, so
-- a `match` bounded to that range reads only that company's part of each trigram's doclist.
-- Replaces `customers_fts`, whose rowids mixed all companies.
create virtual table customer_search using fts5 (doc, tokenize = 'trigram');
insert into customer_search (rowid, doc)
    select co.search_key * 68719476736 + f.rowid, f.doc
    from customers_fts f
    join customers c on c.seq = f.rowid
    join companies co on co.id = c.company_id;
insert into customer_search (customer_search) values ('optimize');
drop table customers_fts;

-- Changed whenever something an API key lookup depends on changes (a key revoked or deleted,
-- a company's plan changed or a company deleted), by any process: a cached lookup made under
-- an older value is not used again.
create table auth_epoch (
    id integer primary key check (id = 1),
    n integer not null
);
insert into auth_epoch (id, n) values (1, 0);
create trigger api_keys_auth_update after update of key_hash, company_id, revoked_at on api_keys
begin
    update auth_epoch set n = n + 1 where id = 1;
end;
create trigger api_keys_auth_delete after delete on api_keys begin
    update auth_epoch set n = n + 1 where id = 1;
end;
create trigger companies_auth_update after update of id, plan on companies begin
    update auth_epoch set n = n + 1 where id = 1;
end;
create trigger companies_auth_delete after delete on companies begin
    update auth_epoch set n = n + 1 where id = 1;
end;
