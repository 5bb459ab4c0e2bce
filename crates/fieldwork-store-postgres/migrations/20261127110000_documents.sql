-- Work documents: jobs, estimates, leads, invoices and calendar events.
-- Each table has the same shape: a JSON body plus the columns lists filter and sort on
-- (see fieldwork_store::docs). Times are unix microseconds, amounts cents.

create table jobs (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    version bigint not null,
    customer_id text,
    status text,
    starts_at bigint,
    ends_at bigint,
    due_at bigint,
    paid_at bigint,
    amount bigint,
    parent_id text,
    number bigint,
    sort_text text,
    created_at bigint not null,
    updated_at bigint not null,
    body json not null,
    primary key (company_id, id)
);
create unique index jobs_number on jobs (company_id, number);
-- Lists read a page of ids from an index alone, then fetch only those rows.
create index jobs_created on jobs (company_id, created_at, seq) include (id);
create index jobs_updated on jobs (company_id, updated_at, seq) include (id);
create index jobs_starts on jobs (company_id, starts_at) include (created_at, updated_at, seq, id);
create index jobs_customer on jobs (company_id, customer_id, created_at);
create index jobs_parent on jobs (company_id, parent_id);

create table estimates (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    version bigint not null,
    customer_id text,
    status text,
    starts_at bigint,
    ends_at bigint,
    due_at bigint,
    paid_at bigint,
    amount bigint,
    parent_id text,
    number bigint,
    sort_text text,
    created_at bigint not null,
    updated_at bigint not null,
    body json not null,
    primary key (company_id, id)
);
create unique index estimates_number on estimates (company_id, number);
-- Lists read a page of ids from an index alone, then fetch only those rows.
create index estimates_created on estimates (company_id, created_at, seq) include (id);
create index estimates_updated on estimates (company_id, updated_at, seq) include (id);
create index estimates_starts on estimates (company_id, starts_at) include (created_at, updated_at, seq, id);
create index estimates_customer on estimates (company_id, customer_id, created_at);
create index estimates_parent on estimates (company_id, parent_id);

create table leads (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    version bigint not null,
    customer_id text,
    status text,
    starts_at bigint,
    ends_at bigint,
    due_at bigint,
    paid_at bigint,
    amount bigint,
    parent_id text,
    number bigint,
    sort_text text,
    created_at bigint not null,
    updated_at bigint not null,
    body json not null,
    primary key (company_id, id)
);
create unique index leads_number on leads (company_id, number);
-- Lists read a page of ids from an index alone, then fetch only those rows.
create index leads_created on leads (company_id, created_at, seq) include (id);
create index leads_updated on leads (company_id, updated_at, seq) include (id);
create index leads_starts on leads (company_id, starts_at) include (created_at, updated_at, seq, id);
create index leads_customer on leads (company_id, customer_id, created_at);
create index leads_parent on leads (company_id, parent_id);

create table invoices (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    version bigint not null,
    customer_id text,
    status text,
    starts_at bigint,
    ends_at bigint,
    due_at bigint,
    paid_at bigint,
    amount bigint,
    parent_id text,
    number bigint,
    sort_text text,
    created_at bigint not null,
    updated_at bigint not null,
    body json not null,
    primary key (company_id, id)
);
create unique index invoices_number on invoices (company_id, number);
-- Lists read a page of ids from an index alone, then fetch only those rows.
create index invoices_created on invoices (company_id, created_at, seq) include (id);
create index invoices_updated on invoices (company_id, updated_at, seq) include (id);
create index invoices_starts on invoices (company_id, starts_at) include (created_at, updated_at, seq, id);
create index invoices_customer on invoices (company_id, customer_id, created_at);
create index invoices_parent on invoices (company_id, parent_id);

create table events (
    company_id text not null references companies (id),
    id text not null,
    seq bigint generated always as identity,
    version bigint not null,
    customer_id text,
    status text,
    starts_at bigint,
    ends_at bigint,
    due_at bigint,
    paid_at bigint,
    amount bigint,
    parent_id text,
    number bigint,
    sort_text text,
    created_at bigint not null,
    updated_at bigint not null,
    body json not null,
    primary key (company_id, id)
);
create unique index events_number on events (company_id, number);
-- Lists read a page of ids from an index alone, then fetch only those rows.
create index events_created on events (company_id, created_at, seq) include (id);
create index events_updated on events (company_id, updated_at, seq) include (id);
create index events_starts on events (company_id, starts_at) include (created_at, updated_at, seq, id);
create index events_customer on events (company_id, customer_id, created_at);
create index events_parent on events (company_id, parent_id);

-- Multi-valued filter keys of documents (assigned employees, tags, sources, …).
create table doc_keys (
    company_id text not null,
    kind text not null,
    key text not null,
    doc_id text not null,
    primary key (company_id, kind, key, doc_id)
);
create index doc_keys_doc on doc_keys (company_id, doc_id);

-- The last number of each kind's company-wide sequence.
create table doc_counters (
    company_id text not null,
    kind text not null,
    value bigint not null,
    primary key (company_id, kind)
);
