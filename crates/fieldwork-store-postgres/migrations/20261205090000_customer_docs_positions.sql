-- Each customer's JSON as `GET /customers/{id}` answers it without `expand[]`, written by every
-- change of the customer or its addresses, so reads return it as it is instead of joining the
-- addresses and rendering. Null for customers written before this migration: those are
-- rendered from their columns when read.
alter table customers add column doc text;

-- A customer's place in its company's creation order `(created_at, seq)`: 1, 2, 3, … so that
-- page N of the default list order is a seek on `(company_id, position)` instead of skipping
-- (N-1)·size entries of `customers_company_created` (3 ms of a middle page at 100,000).
--
-- Positions are not given by the insert: concurrent inserts into one company would wait on
-- one counter through each other's commit (one commit per WAL flush, ~1,800/s here). An insert
-- queues its customer in `customers_unpositioned` instead, and a positioner (one at a time per
-- company, `customers::positions`) numbers the queue in key order after the last position
-- before the queue's first key; a customer that committed late, behind already numbered ones,
-- renumbers those after it. A list uses positions only up to that first queued key and reads
-- the rest (normally the few customers created in the last moments) from the key index.
create table customer_positions (
    company_id text not null,
    position bigint not null,
    created_at bigint not null,
    seq bigint not null,
    customer_id text not null,
    primary key (company_id, position)
);

create table customers_unpositioned (
    company_id text not null,
    created_at bigint not null,
    seq bigint not null,
    customer_id text not null,
    primary key (company_id, created_at, seq)
);

insert into customer_positions (company_id, position, created_at, seq, customer_id)
select company_id, row_number() over (partition by company_id order by created_at, seq),
    created_at, seq, id
from customers;
