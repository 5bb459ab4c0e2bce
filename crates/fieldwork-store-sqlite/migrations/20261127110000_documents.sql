-- Work documents: jobs, estimates, leads, invoices and calendar events.
-- Each table has the same shape: a JSON body plus the columns lists filter and sort on
-- (see fieldwork_store::docs). Times are unix microseconds, amounts cents.

create table jobs (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    version integer not null,
    customer_id text,
    status text,
    starts_at integer,
    ends_at integer,
    due_at integer,
    paid_at integer,
    amount integer,
    parent_id text,
    number integer,
    sort_text text,
    created_at integer not null,
    updated_at integer not null,
    body text not null
);
create unique index jobs_number on jobs (company_id, number);
-- Lists read a page of `seq`s from an index alone, then fetch only those rows.
create index jobs_created on jobs (company_id, created_at);
create index jobs_updated on jobs (company_id, updated_at);
create index jobs_starts on jobs (company_id, starts_at, created_at);
create index jobs_customer on jobs (company_id, customer_id, created_at);
create index jobs_parent on jobs (company_id, parent_id);

create table estimates (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    version integer not null,
    customer_id text,
    status text,
    starts_at integer,
    ends_at integer,
    due_at integer,
    paid_at integer,
    amount integer,
    parent_id text,
    number integer,
    sort_text text,
    created_at integer not null,
    updated_at integer not null,
    body text not null
);
create unique index estimates_number on estimates (company_id, number);
-- Lists read a page of `seq`s from an index alone, then fetch only those rows.
create index estimates_created on estimates (company_id, created_at);
create index estimates_updated on estimates (company_id, updated_at);
create index estimates_starts on estimates (company_id, starts_at, created_at);
create index estimates_customer on estimates (company_id, customer_id, created_at);
create index estimates_parent on estimates (company_id, parent_id);

create table leads (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    version integer not null,
    customer_id text,
    status text,
    starts_at integer,
    ends_at integer,
    due_at integer,
    paid_at integer,
    amount integer,
    parent_id text,
    number integer,
    sort_text text,
    created_at integer not null,
    updated_at integer not null,
    body text not null
);
create unique index leads_number on leads (company_id, number);
-- Lists read a page of `seq`s from an index alone, then fetch only those rows.
create index leads_created on leads (company_id, created_at);
create index leads_updated on leads (company_id, updated_at);
create index leads_starts on leads (company_id, starts_at, created_at);
create index leads_customer on leads (company_id, customer_id, created_at);
create index leads_parent on leads (company_id, parent_id);

create table invoices (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    version integer not null,
    customer_id text,
    status text,
    starts_at integer,
    ends_at integer,
    due_at integer,
    paid_at integer,
    amount integer,
    parent_id text,
    number integer,
    sort_text text,
    created_at integer not null,
    updated_at integer not null,
    body text not null
);
create unique index invoices_number on invoices (company_id, number);
-- Lists read a page of `seq`s from an index alone, then fetch only those rows.
create index invoices_created on invoices (company_id, created_at);
create index invoices_updated on invoices (company_id, updated_at);
create index invoices_starts on invoices (company_id, starts_at, created_at);
create index invoices_customer on invoices (company_id, customer_id, created_at);
create index invoices_parent on invoices (company_id, parent_id);

create table events (
    seq integer primary key,
    id text not null unique,
    company_id text not null references companies (id),
    version integer not null,
    customer_id text,
    status text,
    starts_at integer,
    ends_at integer,
    due_at integer,
    paid_at integer,
    amount integer,
    parent_id text,
    number integer,
    sort_text text,
    created_at integer not null,
    updated_at integer not null,
    body text not null
);
create unique index events_number on events (company_id, number);
-- Lists read a page of `seq`s from an index alone, then fetch only those rows.
create index events_created on events (company_id, created_at);
create index events_updated on events (company_id, updated_at);
create index events_starts on events (company_id, starts_at, created_at);
create index events_customer on events (company_id, customer_id, created_at);
create index events_parent on events (company_id, parent_id);

-- Multi-valued filter keys of documents (assigned employees, tags, sources, …).
create table doc_keys (
    company_id text not null,
    kind text not null,
    key text not null,
    doc_id text not null,
    primary key (company_id, kind, key, doc_id)
) without rowid;
create index doc_keys_doc on doc_keys (doc_id);

-- The next number of each kind's company-wide sequence.
create table doc_counters (
    company_id text not null,
    kind text not null,
    value integer not null,
    primary key (company_id, kind)
) without rowid;
