-- A document's detail (`Doc::detail`): JSON that lists which do not render it leave unread,
-- stored LZ4-packed (src/packed.rs). Jobs keep their lines, input materials and links here (two
-- thirds of a job's bytes with five lines; ~16 kB of JSON with 50, ~4 kB packed). Rows written
-- before keep everything in `body` with `detail` null, and are read as before.
alter table jobs add column detail blob;
alter table estimates add column detail blob;
alter table leads add column detail blob;
alter table invoices add column detail blob;
alter table events add column detail blob;
