-- Companies, users, API keys, employees, customers, addresses, reference data, vendors.
-- Times are unix microseconds; JSON columns hold small nested values (tags, profile).

create table companies (
    id text primary key,
    name text not null,
    plan text not null,
    time_zone text not null,
    application_state text not null default 'enabled',
    profile text not null,
    availability text not null,
    created_at integer not null,
    updated_at integer not null
);
create index companies_name on companies (name);

create table users (
    id text primary key,
    company_id text not null references companies (id),
    email text not null,
    name text not null,
    is_admin integer not null,
    created_at integer not null,
    updated_at integer not null
);
create unique index users_company_email on users (company_id, email);

create table api_keys (
    id text primary key,
    company_id text not null references companies (id),
    name text not null,
    key_hash text not null unique,
    prefix text not null,
    created_at integer not null,
    updated_at integer not null,
    last_used_at integer,
    revoked_at integer
);
create index api_keys_company on api_keys (company_id, created_at);

create table employees (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    first_name text,
    last_name text,
    email text,
    mobile_number text,
    color_hex text,
    avatar_url text,
    role text,
    tags text not null,
    permissions text not null,
    is_active integer not null default 1,
    created_at integer not null,
    updated_at integer not null
);
create index employees_company_created on employees (company_id, created_at);

create table customers (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    first_name text,
    last_name text,
    email text,
    mobile_number text,
    home_number text,
    work_number text,
    company text,
    notifications_enabled integer not null,
    lead_source text,
    notes text,
    tags text not null,
    do_not_service integer not null default 0,
    created_at integer not null,
    updated_at integer not null
);
create index customers_company_created on customers (company_id, created_at);
create index customers_company_updated on customers (company_id, updated_at);

create table addresses (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    customer_id text not null references customers (id),
    kind text not null,
    street text,
    street_line_2 text,
    city text,
    state text,
    zip text,
    country text,
    created_at integer not null,
    updated_at integer not null
);
create index addresses_customer on addresses (customer_id, created_at);

-- Search text of each customer (names, email, phones with and without punctuation, addresses);
-- rowid = customers.seq. Trigram tokens make LIKE '%term%' an index lookup.
create virtual table customers_fts using fts5 (doc, tokenize = 'trigram');

create table tags (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    name text not null,
    created_at integer not null,
    updated_at integer not null
);
create unique index tags_company_name on tags (company_id, name);

create table lead_sources (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    name text not null,
    editable integer not null,
    created_at integer not null,
    updated_at integer not null
);
create unique index lead_sources_company_name on lead_sources (company_id, name);

create table job_types (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    name text not null,
    created_at integer not null,
    updated_at integer not null
);
create unique index job_types_company_name on job_types (company_id, name);

create table vendors (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    name text not null,
    contact_name text,
    email text,
    phone text,
    address text,
    notes text,
    tags text not null,
    created_at integer not null,
    updated_at integer not null
);
create index vendors_company_created on vendors (company_id, created_at);
