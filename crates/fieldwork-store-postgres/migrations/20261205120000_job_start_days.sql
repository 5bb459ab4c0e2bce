-- Jobs per company and start day (`starts_at / 86400000000`, UTC days), for the totals of job
-- lists over a span of scheduled start (src/start_days.rs): whole days are summed here instead
-- of counting their entries on `jobs_starts` (9,600 for a week at 1,000,000 jobs, most of
-- such a list's work). Each day's count is split over 16 stripes (`seq % 16`, fixed per job)
-- so that concurrent writers of jobs on the same day rarely wait for one another's row.
create table job_start_days (
    company_id text not null,
    day bigint not null,
    stripe smallint not null,
    n bigint not null,
    primary key (company_id, day, stripe)
);
insert into job_start_days (company_id, day, stripe, n)
    select company_id, starts_at / 86400000000, seq % 16, count(*) from jobs
    where starts_at is not null group by 1, 2, 3;

-- A job moved to another day takes one from its old day's row and adds one to its new day's,
-- the earlier day's row first: two jobs moved between the same two days in opposite directions
-- then lock the rows in the same order instead of deadlocking.
create function count_job_start_days() returns trigger language plpgsql as $$
declare
    old_first boolean := tg_op = 'DELETE'
        or (tg_op = 'UPDATE' and (new.starts_at is null
            or (old.starts_at is not null
                and (old.company_id, old.starts_at / 86400000000)
                    < (new.company_id, new.starts_at / 86400000000))));
begin
    if old_first and old.starts_at is not null then
        update job_start_days set n = n - 1
            where company_id = old.company_id and day = old.starts_at / 86400000000
              and stripe = old.seq % 16;
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.starts_at is not null then
        insert into job_start_days (company_id, day, stripe, n)
            values (new.company_id, new.starts_at / 86400000000, new.seq % 16, 1)
            on conflict (company_id, day, stripe) do update set n = job_start_days.n + 1;
    end if;
    if not old_first and tg_op = 'UPDATE' and old.starts_at is not null then
        update job_start_days set n = n - 1
            where company_id = old.company_id and day = old.starts_at / 86400000000
              and stripe = old.seq % 16;
    end if;
    return null;
end
$$;
create trigger jobs_start_days_insert after insert on jobs
    for each row when (new.starts_at is not null) execute function count_job_start_days();
create trigger jobs_start_days_delete after delete on jobs
    for each row when (old.starts_at is not null) execute function count_job_start_days();
create trigger jobs_start_days_update after update of company_id, starts_at on jobs
    for each row when (old.company_id is distinct from new.company_id
        or old.starts_at / 86400000000 is distinct from new.starts_at / 86400000000)
    execute function count_job_start_days();
