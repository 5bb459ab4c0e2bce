-- Webhooks: endpoints, the outbound message log (the transactional outbox), one delivery row
-- per message and endpoint, and every attempt. Times are unix microseconds.

create table webhook_endpoints (
    id text primary key,
    company_id text not null references companies (id),
    url text not null,
    description text not null default '',
    -- JSON array of event types; [] means every type.
    event_types text not null default '[]',
    enabled integer not null default 1,
    disabled_reason text,
    is_primary integer not null default 0,
    secret text not null,
    previous_secret text,
    previous_secret_expires_at integer,
    failing_since integer,
    created_at integer not null,
    updated_at integer not null
);
create index webhook_endpoints_company on webhook_endpoints (company_id, created_at);
create unique index webhook_endpoints_primary on webhook_endpoints (company_id) where is_primary = 1;

create table webhook_messages (
    seq integer primary key autoincrement,
    id text not null unique,
    company_id text not null references companies (id),
    event_type text not null,
    payload text not null,
    created_at integer not null
);
create index webhook_messages_company on webhook_messages (company_id, seq);
create index webhook_messages_type on webhook_messages (company_id, event_type, seq);

create table webhook_deliveries (
    id text primary key,
    company_id text not null,
    message_id text not null references webhook_messages (id),
    endpoint_id text not null references webhook_endpoints (id) on delete cascade,
    state text not null,
    attempts integer not null default 0,
    next_attempt_at integer not null,
    lease_until integer,
    created_at integer not null,
    updated_at integer not null,
    unique (message_id, endpoint_id)
);
-- The claim scans pending rows by due time; finished rows leave the index.
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where state = 'pending';
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at);

create table webhook_attempts (
    id text primary key,
    company_id text not null,
    endpoint_id text not null references webhook_endpoints (id) on delete cascade,
    message_id text not null,
    delivery_id text not null,
    response_status_code integer,
    duration_ms integer not null,
    response_body text,
    error text,
    next_retry_at integer,
    created_at integer not null
);
create index webhook_attempts_endpoint on webhook_attempts (endpoint_id, created_at);
