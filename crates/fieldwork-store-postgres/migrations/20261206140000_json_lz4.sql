-- The other JSON written at every change is compressed with LZ4 too, where this PostgreSQL has
-- it: an event's message (a 50-line job's `job.updated` is ~3 kB, compressed with pglz at every
-- bulk update: 5 % of PostgreSQL's CPU in that benchmark, and the update with its read ran at
-- 1.08-1.14x the rate with LZ4; BENCHMARKS.md, issue 4), documents' bodies, customers' stored
-- JSON and receivers' answers. Values written before keep their pglz form and are read as before.
do $$
begin
    if exists (select 1 from pg_settings
               where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
        alter table webhook_messages alter column payload set compression lz4;
        alter table webhook_attempts alter column response_body set compression lz4;
        alter table customers alter column doc set compression lz4;
        alter table jobs alter column body set compression lz4;
        alter table estimates alter column body set compression lz4;
        alter table leads alter column body set compression lz4;
        alter table invoices alter column body set compression lz4;
        alter table events alter column body set compression lz4;
    end if;
end
$$;
