-- A customer's JSON as `GET /customers/{id}` answers it without `expand[]`, rendered by every
-- write that changes the customer or its addresses, so a read returns it as it is (mapping
-- and serializing the row was about 40 % of that request's instructions). Null for rows
-- written before this migration: those are rendered from their columns when read.
alter table customers add column doc text;
