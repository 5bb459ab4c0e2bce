-- Companies, users, API keys, employees, customers, addresses, reference data, vendors.
-- Times are unix microseconds; JSON columns (tags, profile) are jsonb. Every company table is
-- keyed by (company_id, id): company_id is the shard key of a distributed Postgres. `seq` is
-- insertion order, the tie-break of every list.

create extension if not exists pg_trgm;

create table companies (
    id text primary key,
    seq bigint generated always as identity,
    name text not null,
    plan text not null,
    time_zone text not null,
    application_state text not null default 'enabled',
    profile jsonb not null,
    availability jsonb not null,
    created_at bigint not null,
    updated_at bigint not null
);
create index companies_created on companies (created_at, seq);
create index companies_name on companies (name, created_at, seq);

create table users (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    email text not null,
    name text not null,
    is_admin boolean not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, id)
);
create unique index users_company_email on users (company_id, email);
create index users_company_created on users (company_id, created_at, seq);

create table api_keys (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    name text not null,
    key_hash text not null,
    prefix text not null,
    created_at bigint not null,
    updated_at bigint not null,
    last_used_at bigint,
    revoked_at bigint,
    primary key (company_id, id)
);
-- Keys are found without a company: by hash (authentication) and by id (revocation).
create unique index api_keys_hash on api_keys (key_hash);
create unique index api_keys_id on api_keys (id);
create index api_keys_company_created on api_keys (company_id, created_at, seq);

create table employees (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    first_name text,
    last_name text,
    email text,
    mobile_number text,
    color_hex text,
    avatar_url text,
    role text,
    tags jsonb not null,
    permissions jsonb not null,
    is_active boolean not null default true,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, id)
);
create index employees_company_created on employees (company_id, created_at, seq);

-- search_doc: names, email, company, phones (also as bare digits) and address lines, lowercased
-- (fieldwork_store::rules::customer_search_doc); matched with one `like '%term%'` per search
-- term through the trigram index.
create table customers (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    first_name text,
    last_name text,
    email text,
    mobile_number text,
    home_number text,
    work_number text,
    company text,
    notifications_enabled boolean not null,
    lead_source text,
    notes text,
    tags jsonb not null,
    do_not_service boolean not null default false,
    search_doc text not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, id)
);
-- `include (id)`: a page is found with an index-only scan, then only its rows are read.
create index customers_company_created on customers (company_id, created_at, seq) include (id);
create index customers_company_updated on customers (company_id, updated_at, seq) include (id);
create index customers_search on customers using gin (search_doc gin_trgm_ops);
-- Vacuum after 2% new rows rather than 20%: index-only scans (paging) need the visibility map
-- of recently inserted rows to be set, or they read the table after all.
alter table customers set (autovacuum_vacuum_insert_scale_factor = 0.02);

create table addresses (
    company_id text not null,
    id text not null,
    seq bigint generated always as identity,
    customer_id text not null,
    kind text not null,
    street text,
    street_line_2 text,
    city text,
    state text,
    zip text,
    country text,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, id),
    foreign key (company_id, customer_id) references customers (company_id, id)
);
create index addresses_customer on addresses (company_id, customer_id, created_at, seq);

-- Rows per company and kind, kept by the writing transaction so that `total_items` of an
-- unfiltered list is a sum of a few rows, not a count over a large table. Spread over shards
-- (by server process) so concurrent inserts into one company do not queue on one row.
create table row_counts (
    company_id text not null references companies (id),
    kind text not null,
    shard integer not null,
    n bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, kind, shard)
);

create table tags (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    name text not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, id)
);
create unique index tags_company_name on tags (company_id, name);
create index tags_company_created on tags (company_id, created_at, seq);

create table lead_sources (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    name text not null,
    editable boolean not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, id)
);
create unique index lead_sources_company_name on lead_sources (company_id, name);
create index lead_sources_company_created on lead_sources (company_id, created_at, seq);

create table job_types (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    name text not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, id)
);
create unique index job_types_company_name on job_types (company_id, name);
create index job_types_company_created on job_types (company_id, created_at, seq);

create table vendors (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    name text not null,
    contact_name text,
    email text,
    phone text,
    address jsonb,
    notes text,
    tags jsonb not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (company_id, id)
);
create index vendors_company_created on vendors (company_id, created_at, seq);
