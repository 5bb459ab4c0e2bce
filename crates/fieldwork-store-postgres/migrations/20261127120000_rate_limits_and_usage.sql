-- Issue 6: per-company request limits (null: the server's setting applies) and API usage
-- figures per key and minute (added up from memory every few seconds, kept 30 days).

alter table companies add column rate_limit_per_minute bigint;
alter table companies add column max_concurrent_requests bigint;

create table key_usage_minutes (
    company_id text not null references companies (id),
    minute bigint not null,
    key_id text not null references api_keys (id),
    requests bigint not null,
    rate_limited bigint not null,
    client_errors bigint not null,
    server_errors bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, minute, key_id)
);
-- Pruning deletes by age across companies.
create index key_usage_minutes_minute on key_usage_minutes (minute);
