-- Issue 6: per-company request limits (null: the server's setting applies) and API usage
-- figures per key and minute (added up from memory every few seconds, kept 30 days).

alter table companies add column rate_limit_per_minute integer;
alter table companies add column max_concurrent_requests integer;

create table key_usage_minutes (
    company_id text not null references companies (id),
    minute integer not null,
    key_id text not null references api_keys (id),
    requests integer not null,
    rate_limited integer not null,
    client_errors integer not null,
    server_errors integer not null,
    created_at integer not null,
    updated_at integer not null,
    primary key (company_id, minute, key_id)
) without rowid;
-- Pruning deletes by age across companies.
create index key_usage_minutes_minute on key_usage_minutes (minute);

-- Key lookups carry the company's limits, so a change must invalidate cached lookups as a plan
-- change does (see auth_epoch in 20261127100000_counts_search_auth).
create trigger companies_limits_auth_update
after update of rate_limit_per_minute, max_concurrent_requests on companies
begin
    update auth_epoch set n = n + 1 where id = 1;
end;
