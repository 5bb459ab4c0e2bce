-- A document's detail (`Doc::detail`): JSON that lists which do not render it leave unread. Jobs
-- keep their lines, input materials and links here (two thirds of a job's bytes with five
-- lines); a week of jobs read without them costs 17% fewer instructions (BENCHMARKS.md). Rows
-- written before keep everything in `body` with `detail` null, and are read as before.
alter table jobs add column detail text;
alter table estimates add column detail text;
alter table leads add column detail text;
alter table invoices add column detail text;
alter table events add column detail text;
