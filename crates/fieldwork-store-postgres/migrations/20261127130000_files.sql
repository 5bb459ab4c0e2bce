-- Uploaded files (attachments), kept whole: they are small (bodies are capped by
-- max_body_bytes) and this keeps a backup of the database a backup of everything.
create table files (
    company_id text not null references companies (id),
    id text not null,
    file_name text not null,
    content_type text not null,
    bytes bytea not null,
    created_at bigint not null,
    primary key (company_id, id)
);
