-- `starts_at` becomes the last key column of `jobs_start_day` (it was an included column): an
-- edge day of a span that is part of a UTC day (a week in the company's own zone) bounds its
-- arm by it as an index condition, checked on the index entry, so the entries the bound drops
-- cost no row read and a first page is read straight from the table for any span
-- (src/start_days.rs). The order within a day is unchanged: `seq` before it is unique.
-- Building it holds writes to jobs for its duration (seconds at a million jobs). The table is
-- analyzed again for the statistics of the index's expression (the day), which the planner
-- needs to prefer it and which a new index lacks until then.
drop index jobs_start_day;
create index jobs_start_day on jobs
    (company_id, (starts_at / 86400000000), created_at, seq, starts_at) include (id);
analyze jobs;
