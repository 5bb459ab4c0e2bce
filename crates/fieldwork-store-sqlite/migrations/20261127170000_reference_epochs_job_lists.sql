-- Reference epochs: a per-company counter that moves whenever what rendering resolves against
-- changes (the company row, an employee, a job type), by any process; servers cache that data
-- and reload it when the counter moved (see fieldwork_store::reference).
create table reference_epochs (
    company_id text primary key,
    n integer not null
) without rowid;

create trigger companies_reference_update after update on companies begin
    insert or ignore into reference_epochs (company_id, n) values (new.id, 0);
    update reference_epochs set n = n + 1 where company_id = new.id;
end;
create trigger companies_reference_delete after delete on companies begin
    update reference_epochs set n = n + 1 where company_id = old.id;
end;
create trigger employees_reference_insert after insert on employees begin
    insert or ignore into reference_epochs (company_id, n) values (new.company_id, 0);
    update reference_epochs set n = n + 1 where company_id = new.company_id;
end;
create trigger employees_reference_update after update on employees begin
    insert or ignore into reference_epochs (company_id, n) values (new.company_id, 0);
    update reference_epochs set n = n + 1 where company_id in (old.company_id, new.company_id);
end;
create trigger employees_reference_delete after delete on employees begin
    update reference_epochs set n = n + 1 where company_id = old.company_id;
end;
create trigger job_types_reference_insert after insert on job_types begin
    insert or ignore into reference_epochs (company_id, n) values (new.company_id, 0);
    update reference_epochs set n = n + 1 where company_id = new.company_id;
end;
create trigger job_types_reference_update after update on job_types begin
    insert or ignore into reference_epochs (company_id, n) values (new.company_id, 0);
    update reference_epochs set n = n + 1 where company_id in (old.company_id, new.company_id);
end;
create trigger job_types_reference_delete after delete on job_types begin
    update reference_epochs set n = n + 1 where company_id = old.company_id;
end;

-- Job lists over a span of scheduled start, in creation order, read day by day already in
-- page order (see start_days.rs); the day is `starts_at / 86400000000` (UTC days).
create index jobs_start_day on jobs (company_id, starts_at / 86400000000, created_at, seq, starts_at);

-- Jobs per company and start day, for the totals of those lists.
create table job_start_days (
    company_id text not null,
    day integer not null,
    n integer not null,
    primary key (company_id, day)
) without rowid;
insert into job_start_days (company_id, day, n)
    select company_id, starts_at / 86400000000, count(*) from jobs
    where starts_at is not null group by 1, 2;

create trigger jobs_start_day_insert after insert on jobs when new.starts_at is not null begin
    insert or ignore into job_start_days (company_id, day, n)
        values (new.company_id, new.starts_at / 86400000000, 0);
    update job_start_days set n = n + 1
        where company_id = new.company_id and day = new.starts_at / 86400000000;
end;
create trigger jobs_start_day_delete after delete on jobs when old.starts_at is not null begin
    update job_start_days set n = n - 1
        where company_id = old.company_id and day = old.starts_at / 86400000000;
end;
create trigger jobs_start_day_update after update of company_id, starts_at on jobs
    when old.company_id is not new.company_id
        or old.starts_at / 86400000000 is not new.starts_at / 86400000000
begin
    update job_start_days set n = n - 1
        where company_id = old.company_id and day = old.starts_at / 86400000000;
    insert or ignore into job_start_days (company_id, day, n)
        select new.company_id, new.starts_at / 86400000000, 0 where new.starts_at is not null;
    update job_start_days set n = n + 1
        where company_id = new.company_id and day = new.starts_at / 86400000000;
end;
