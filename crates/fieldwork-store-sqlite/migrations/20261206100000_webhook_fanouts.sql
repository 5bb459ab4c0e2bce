-- Fan-out: an event of a company with a matching enabled endpoint queues its message here once,
-- instead of one `webhook_deliveries` row per endpoint. A worker leases the message and sends it
-- to every matching endpoint; only what did not succeed at that first try (or could not be sent
-- under the lease) becomes a delivery row. With many endpoints a delivery row's insert, lease
-- and completion were most of the writer's work per delivery (BENCHMARKS.md, issue 5).
create table webhook_fanouts (
    message_id text primary key references webhook_messages (id) on delete cascade,
    company_id text not null,
    -- The message's, so a claim can pass over messages whose endpoints are all busy without
    -- reading the message.
    event_type text not null,
    -- When it may be claimed: the message's time, then the end of each lease.
    due_at integer not null,
    lease_until integer,
    -- Deliveries of the current lease whose outcome is not recorded yet.
    remaining integer not null default 0,
    -- A resend came during a lease: its delivery rows wait for this fan-out to end.
    resent integer not null default 0
);
create index webhook_fanouts_due on webhook_fanouts (due_at, message_id);
