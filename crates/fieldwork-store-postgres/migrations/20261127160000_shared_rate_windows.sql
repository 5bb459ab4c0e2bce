-- Issue 6 (multi-instance): the per-key request window, shared by every server on this database.
--
-- One row per API key that made a request lately: the seconds (unix, database clock) of the
-- window that counted requests, ascending, with their counts. Every request of a key updates
-- its one row, so the decisions of all servers on that key are serialized by the row lock and
-- each sees every earlier count: the window is exact, to the second.
--
-- UNLOGGED: a count writes no WAL and its commit waits for no disk flush. After a crash, or on
-- a promoted replica, the table is empty: keys start a fresh window, nothing else is lost.
-- No created_at/updated_at: `last_sec` is the row's clock, and a row lives a window or two.
create unlogged table rate_windows (
    key_id text primary key,
    -- The second of the latest decision; later decisions never go back before it.
    last_sec bigint not null,
    secs bigint[] not null,
    counts integer[] not null,
    -- The latest decision (RETURNING of an upsert sees only the new row).
    admitted boolean not null
);

-- One decision on a key's window at second `now_sec`: drops the seconds that left the window
-- (and leading ones whose count was taken back). The window keeps second `now_sec - window_secs`
-- too: with it, the counted seconds cover at least the whole window ending now, so no span of
-- `window_secs` ever holds more than `lim` admits (a burst at the end of one second is not
-- repeated at the start of the same second a window later). Then admits when fewer than `lim`
-- requests remain counted, and counts the request in `now_sec`. Returns the row's new values.
-- PL/pgSQL rather than SQL: a SQL function called in FROM is planned on every call (~1 ms
-- here), a PL/pgSQL one once per connection (~0.05 ms a call after that).
create function rate_window_admit(
    secs bigint[], counts integer[], now_sec bigint, window_secs bigint, lim bigint,
    out last_sec bigint, out secs_after bigint[], out counts_after integer[],
    out admitted boolean
)
language plpgsql immutable parallel safe
as $$
declare
    len int := coalesce(cardinality(secs), 0);
    first int := 1;
    counted bigint := 0;
begin
    while first <= len and (secs[first] < now_sec - window_secs or counts[first] <= 0) loop
        first := first + 1;
    end loop;
    for i in first .. len loop
        counted := counted + counts[i];
    end loop;
    admitted := counted < lim;
    secs_after := coalesce(secs[first:len], '{}');
    counts_after := coalesce(counts[first:len], '{}');
    if admitted then
        if first <= len and secs[len] = now_sec then
            counts_after[len - first + 1] := counts_after[len - first + 1] + 1;
        else
            secs_after := secs_after || now_sec;
            counts_after := counts_after || 1;
        end if;
    end if;
    last_sec := now_sec;
end
$$;
