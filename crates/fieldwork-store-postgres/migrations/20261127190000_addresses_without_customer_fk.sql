-- An address's customer is checked by the store, not by a foreign key. Customers are never
-- deleted; an address is inserted in the customer's own statement or after the customer was
-- loaded `for update` in the same transaction. The key's check ran once per address and, on a
-- table not yet analyzed (autovacuum off, or a fresh database), PostgreSQL could plan it on
-- `customers_company_updated`, walking every customer of the company per insert and cutting
-- POST /customers from thousands per second to a few hundred as the company grew.
alter table addresses drop constraint addresses_company_id_customer_id_fkey;
