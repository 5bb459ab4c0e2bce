//! The per-key request windows every server on the database shares (`rate_windows`, see its
//! migration): one upsert per request, folded into the key lookup so it costs no round trip.

use std::sync::LazyLock;

use fieldwork_store::{KeyAuth, StoreResult, WindowCount, WindowRule};

use crate::db::Db;
use crate::keys::{AUTH_QUERY, auth_from_row};

/// The key lookup, then (for a `max` company) the decision on the key's row: inserted admitted
/// for a key's first request (the limit is at least 1), otherwise decided by
/// `rate_window_admit` on the row as locked, i.e. after every concurrent decision on the key.
/// The database clock is the one clock of all servers; `greatest` keeps a statement that waited
/// for the lock from deciding before the second the previous decision was made in.
///
/// The limit is the company's own when it is a positive `u32` (as `limit_from_column` reads
/// it), else `$2`; `$3` is the window in seconds.
static AUTHENTICATE_AND_COUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "with k as ({AUTH_QUERY}),
         l as (
             select k.*, case when k.rate_limit_per_minute between 1 and 4294967295
                              then k.rate_limit_per_minute else $2::bigint end as lim
             from k
         ),
         hit as (
             insert into rate_windows as w (key_id, last_sec, secs, counts, admitted)
             select l.id, s.sec, array[s.sec], array[1], true
             from l, (select floor(extract(epoch from statement_timestamp()))::bigint as sec) s
             where l.plan = 'max'
             on conflict (key_id) do update set (last_sec, secs, counts, admitted) = (
                 select * from rate_window_admit(
                     w.secs, w.counts, greatest(excluded.last_sec, w.last_sec), $3::bigint,
                     (select lim from l))
             )
             returning w.admitted, w.last_sec, w.secs[1] as oldest,
                       (select coalesce(sum(c), 0) from unnest(w.counts) as c)::bigint as counted
         )
         select l.*, hit.* from l left join hit on true"
    )
});

pub(crate) async fn authenticate_and_count(
    db: &Db,
    key_hash: &str,
    rule: WindowRule,
) -> StoreResult<Option<(KeyAuth, Option<WindowCount>)>> {
    let (limit, window) = (i64::from(rule.default_limit), i64::from(rule.window_secs));
    let Some(r) = db
        .query_opt(&AUTHENTICATE_AND_COUNT, &[&key_hash, &limit, &window])
        .await?
    else {
        return Ok(None);
    };
    let auth = auth_from_row(&r);
    let count = r.get::<_, Option<bool>>(7).map(|admitted| {
        let (last_sec, oldest, counted): (i64, Option<i64>, i64) = (r.get(8), r.get(9), r.get(10));
        WindowCount {
            limit: to_u32(r.get(6)),
            admitted,
            counted: to_u32(counted),
            reset_secs: match oldest {
                // The oldest second counts until `window` seconds after it have passed.
                Some(oldest) if counted > 0 => {
                    u64::try_from(oldest + window + 1 - last_sec).unwrap_or(0)
                }
                _ => 0,
            },
            sec: last_sec,
        }
    });
    Ok(Some((auth, count)))
}

pub(crate) async fn uncount(db: &Db, key_id: &str, sec: i64) -> StoreResult<()> {
    db.execute(
        "update rate_windows
         set counts[array_position(secs, $2)] = counts[array_position(secs, $2)] - 1
         where key_id = $1 and counts[array_position(secs, $2)] > 0",
        &[&key_id, &sec],
    )
    .await?;
    Ok(())
}

/// Deletes rows whose latest decision is older than `idle_secs`: a sequential scan of a table
/// with one row per recently active key (no index on `last_sec`, so that every count stays a
/// heap-only update).
pub(crate) async fn prune(db: &Db, idle_secs: u64) -> StoreResult<u64> {
    let idle = i64::try_from(idle_secs).unwrap_or(i64::MAX);
    db.execute(
        "delete from rate_windows
         where last_sec < floor(extract(epoch from statement_timestamp()))::bigint - $1",
        &[&idle],
    )
    .await
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}
