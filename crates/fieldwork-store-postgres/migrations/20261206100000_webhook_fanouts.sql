-- Fan-out: an event of a company with a matching enabled endpoint queues its message here once,
-- instead of one `webhook_deliveries` row per endpoint. A worker leases the message and sends it
-- to every matching endpoint; only what did not succeed at that first try (or could not be sent
-- under the lease) becomes a delivery row. With many endpoints a delivery row's insert, lease
-- and completion were most of PostgreSQL's work per delivery (BENCHMARKS.md, issue 5).
create table webhook_fanouts (
    message_id text primary key references webhook_messages (id) on delete cascade,
    company_id text not null,
    -- The message's, so a claim can pass over messages whose endpoints are all busy without
    -- reading the message.
    event_type text not null,
    -- When it may be claimed: the message's time, then the end of each lease.
    due_at bigint not null,
    lease_until bigint,
    -- Deliveries of the current lease whose outcome is not recorded yet.
    remaining integer not null default 0,
    -- A resend came during a lease: its delivery rows wait for this fan-out to end.
    resent boolean not null default false
) with (fillfactor = 70);
create index webhook_fanouts_due on webhook_fanouts (due_at, message_id);

-- Attempts no longer check their endpoint with a foreign key (a row lock on the endpoint for
-- every attempt, ~20,000 a second with a hundred endpoints): the recording inserts only those
-- of endpoints that still exist (an endpoint deleted during a send made the key fail the whole
-- batch, again at every retry), and deleting an endpoint deletes its attempts itself.
alter table webhook_attempts drop constraint webhook_attempts_endpoint_id_fkey;
