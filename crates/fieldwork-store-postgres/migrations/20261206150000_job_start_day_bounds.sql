-- `starts_at` becomes the last key column of `jobs_start_day` (it was an included column): an
-- edge day of a span that is part of a UTC day (a week in the company's own zone) bounds its
-- arm by it as an index condition, checked on the index entry, so the entries the bound drops
-- cost no row read and a first page is read straight from the table for any span
-- (src/start_days.rs). The order within a day is unchanged: `seq` before it is unique.
-- Building it holds writes to jobs for its duration (seconds at a million jobs), reads go on
-- with the old index meanwhile; only the drop at the end takes the table exclusively, for the
-- moment until the commit. The table is analyzed for the statistics of the new index's
-- expression (the day), which the planner needs to prefer it and which a new index lacks.
create index jobs_start_day_bounded on jobs
    (company_id, (starts_at / 86400000000), created_at, seq, starts_at) include (id);
analyze jobs;
drop index jobs_start_day;
alter index jobs_start_day_bounded rename to jobs_start_day;
