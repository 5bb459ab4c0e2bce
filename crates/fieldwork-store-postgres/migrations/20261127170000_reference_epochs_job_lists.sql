-- Reference epochs: a per-company counter that moves whenever what rendering resolves against
-- changes (the company row, an employee, a job type), by any process; servers cache that data
-- and reload it when the counter moved (see fieldwork_store::reference).
create table reference_epochs (
    company_id text primary key,
    n bigint not null
);

create function bump_reference_epoch() returns trigger language plpgsql as $$
declare
    company text;
begin
    if tg_table_name = 'companies' then
        company := case when tg_op = 'DELETE' then old.id else new.id end;
    elsif tg_op = 'DELETE' then
        company := old.company_id;
    else
        company := new.company_id;
    end if;
    insert into reference_epochs (company_id, n) values (company, 1)
        on conflict (company_id) do update set n = reference_epochs.n + 1;
    return null;
end;
$$;

create trigger companies_reference after update or delete on companies
    for each row execute function bump_reference_epoch();
create trigger employees_reference after insert or update or delete on employees
    for each row execute function bump_reference_epoch();
create trigger job_types_reference after insert or update or delete on job_types
    for each row execute function bump_reference_epoch();

-- Job lists over a span of scheduled start, in creation order, read day by day already in
-- page order (see start_days.rs); the day is `starts_at / 86400000000` (UTC days).
create index jobs_start_day on jobs (company_id, (starts_at / 86400000000), created_at, seq)
    include (starts_at, id);
