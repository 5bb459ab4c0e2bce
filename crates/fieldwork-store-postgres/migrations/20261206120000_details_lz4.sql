-- Details are compressed with LZ4 where this PostgreSQL has it (built `--with-lz4`, as the
-- common packages are), not pglz: a 50-line job detail (~16 kB of JSON) is compressed at every
-- change of its lines and decompressed at every read of them, and with LZ4 a 50-line bulk update
-- ran at 1.15-1.25x the rate (BENCHMARKS.md, issue 4). Values written before keep their pglz
-- form and are read as before. Without LZ4 nothing changes.
do $$
begin
    if exists (select 1 from pg_settings
               where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
        alter table jobs alter column detail set compression lz4;
        alter table estimates alter column detail set compression lz4;
        alter table leads alter column detail set compression lz4;
        alter table invoices alter column detail set compression lz4;
        alter table events alter column detail set compression lz4;
    end if;
end
$$;
