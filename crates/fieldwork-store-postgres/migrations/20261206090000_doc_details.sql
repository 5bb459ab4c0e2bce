-- A document's detail (`Doc::detail`): JSON that lists which do not render it leave unread. Jobs
-- keep their lines, input materials and links here (two thirds of a job's bytes with five
-- lines). Text, not jsonb: PostgreSQL never looks inside it, and text is read and written
-- without conversion. Rows written before keep everything in `body` with `detail` null.
alter table jobs add column detail text;
alter table estimates add column detail text;
alter table leads add column detail text;
alter table invoices add column detail text;
alter table events add column detail text;
