//! Customers' positions in their company's creation order (why and how: the migration
//! `20261205090000_customer_docs_positions`): the statement that numbers a company's queued
//! customers, and the task that runs it after creates.

use std::sync::Arc;
use std::time::Duration;

use fieldwork_store::StoreResult;
use tokio::sync::watch;

use crate::db::{Db, execute, query, query_opt, transaction};

/// Numbers the company's queued customers after the last position before the queue's first
/// key; positions after that key (customers created after one that committed late) are
/// renumbered with them. All in one statement, so one snapshot: a customer that commits
/// meanwhile stays queued for the next run. The deletes finish before the insert begins (the
/// window function reads all their rows first), so the re-inserted positions never meet the
/// rows they replace.
const POSITION: &str = "with u as (
        select created_at, seq from customers_unpositioned
        where company_id = $1 order by created_at, seq limit 1
    ), base as (
        select coalesce((
            select p.position from customer_positions p
            where p.company_id = $1 and (p.created_at, p.seq) < (u.created_at, u.seq)
            order by p.position desc limit 1), 0) as n
        from u
    ), moved as (
        delete from customer_positions p using base
        where p.company_id = $1 and p.position > base.n
        returning p.created_at, p.seq, p.customer_id
    ), queued as (
        delete from customers_unpositioned q using base
        where q.company_id = $1
        returning q.created_at, q.seq, q.customer_id
    )
    insert into customer_positions (company_id, position, created_at, seq, customer_id)
    select $1, base.n + row_number() over (order by k.created_at, k.seq), k.created_at, k.seq,
        k.customer_id
    from (select * from moved union all select * from queued) k, base";

/// Whether a run of the positioner waits for one running elsewhere to finish, or leaves the
/// work to it (it will see what this one would have, or poke a new run).
#[derive(Clone, Copy)]
pub(crate) enum Busy {
    Wait,
    Skip,
}

/// Numbers the company's queued customers. Returns how many positions were written.
pub(crate) async fn position_company(db: &Db, company_id: &str, busy: Busy) -> StoreResult<u64> {
    let lock = match busy {
        Busy::Wait => {
            "select true from pg_advisory_xact_lock(
            hashtext('fieldwork.customer_positions'), hashtext($1))"
        }
        Busy::Skip => {
            "select pg_try_advisory_xact_lock(hashtext('fieldwork.customer_positions'),
            hashtext($1))"
        }
    };
    transaction!(db, |tx| async {
        let locked = query_opt(&tx, lock, &[&company_id])
            .await?
            .is_some_and(|r| r.get::<_, bool>(0));
        if !locked {
            return Ok(0);
        }
        execute(&tx, POSITION, &[&company_id]).await
    }
    .await)
}

/// Numbers the queues of every company that has one.
pub(crate) async fn position_all(db: &Db, busy: Busy) -> StoreResult<u64> {
    let rows = query(
        &db.client().await?,
        "select distinct company_id from customers_unpositioned",
        &[],
    )
    .await?;
    let mut written = 0;
    for row in rows {
        written += position_company(db, row.get(0), busy).await?;
    }
    Ok(written)
}

/// How long the task lets creates accumulate before numbering them: one statement numbers
/// them all.
const GATHER: Duration = Duration::from_millis(20);

/// How often the task looks for queues regardless (customers created by a process that
/// stopped before numbering them).
const SWEEP: Duration = Duration::from_secs(5);

/// Numbers queued customers at once, then after every change of `created` (gathered for
/// [`GATHER`]) and every [`SWEEP`], until the store, which holds the sender, is dropped. A failure waits for the
/// next round: until then lists read the queued customers from the key index.
pub(crate) fn spawn_positioner(db: Arc<Db>, mut created: watch::Receiver<u64>) {
    tokio::spawn(async move {
        // At start, whatever a stopped process left queued.
        let mut busy = Busy::Wait;
        loop {
            if let Err(e) = position_all(&db, busy).await {
                tracing::debug!(error = %e, "numbering customers failed; retrying later");
            }
            busy = Busy::Skip;
            match tokio::time::timeout(SWEEP, created.changed()).await {
                Ok(Err(_)) => return,
                Ok(Ok(())) => tokio::time::sleep(GATHER).await,
                Err(_) => {}
            }
            created.mark_unchanged();
        }
    });
}
