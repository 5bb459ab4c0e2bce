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

-- One decision on a key's window at second `now_sec`: drops the seconds that left the window,
-- admits when fewer than `lim` requests remain counted, and then counts the request in
-- `now_sec`. Returns the row's new values.
create function rate_window_admit(
    secs bigint[], counts integer[], now_sec bigint, window_secs bigint, lim bigint,
    out last_sec bigint, out secs_after bigint[], out counts_after integer[],
    out admitted boolean
)
language sql immutable parallel safe
as $$
    with kept as (
        select u.s, u.c from unnest(secs, counts) as u (s, c)
        where u.s > now_sec - window_secs and u.c > 0
    ), decision as (
        select coalesce(sum(c), 0) < lim as ok from kept
    ), counted as (
        select s, c + case when d.ok and s = now_sec then 1 else 0 end as c
        from kept, decision d
        union all
        select now_sec, 1 from decision d
        where d.ok and not exists (select from kept where s = now_sec)
    )
    select now_sec,
           coalesce(array_agg(s order by s), '{}'),
           coalesce(array_agg(c order by s), '{}'),
           (select ok from decision)
    from counted
$$;
