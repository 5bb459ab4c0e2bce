//! Employees (pros).

use deadpool_postgres::GenericClient;
use fieldwork_store::events::employee_events;
use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{ListParams, Page, StoreResult};
use fieldwork_types::{Employee, EmployeeIn};
use tokio_postgres::Row;
use tokio_postgres::types::Json;

use crate::db::{Db, Params, query, query_opt, transaction};
use crate::error::found;
use crate::sql::{JsonCol, limit_offset, order_by, to_total};
use crate::webhooks::outbox::emit_in;

const COLS: &str = "e.id, e.first_name, e.last_name, e.email, e.mobile_number, e.color_hex,
    e.avatar_url, e.role, e.created_at, e.tags, e.permissions, co.name, e.company_id";

fn from_row(r: &Row) -> Employee {
    Employee {
        id: r.get(0),
        first_name: r.get(1),
        last_name: r.get(2),
        email: r.get(3),
        mobile_number: r.get(4),
        color_hex: r.get(5),
        avatar_url: r.get(6),
        role: r.get(7),
        created_at: format_ts(r.get(8)),
        tags: r.get::<_, JsonCol<_>>(9).or_default(),
        permissions: r.get::<_, JsonCol<_>>(10).or_default(),
        company_name: r.get(11),
        company_id: r.get(12),
    }
}

/// Creates an employee and records the events `emit` names, carrying it (in one transaction;
/// without events, one statement).
pub(crate) async fn create(
    db: &Db,
    company_id: &str,
    new: EmployeeIn,
    emit: &[&str],
) -> StoreResult<Employee> {
    if emit.is_empty() {
        return insert(&db.client().await?, company_id, &new).await;
    }
    transaction!(db, |tx| async {
        let employee = insert(&tx, company_id, &new).await?;
        emit_in(&tx, company_id, &employee_events(emit, &employee)).await?;
        Ok(employee)
    }
    .await)
}

async fn insert(
    c: &impl GenericClient,
    company_id: &str,
    new: &EmployeeIn,
) -> StoreResult<Employee> {
    let row = query_opt(
        c,
        &format!(
            "with e as (
                    insert into employees (id, company_id, first_name, last_name, email,
                        mobile_number, color_hex, avatar_url, role, tags, permissions,
                        created_at, updated_at)
                    values ($1, $2, $3, $4, $5, $6, $7, null, $8, $9, $10, $11, $11)
                    returning *
                 )
                 select {COLS} from e join companies co on co.id = e.company_id"
        ),
        &[
            &new_id(prefix::EMPLOYEE),
            &company_id,
            &new.first_name,
            &new.last_name,
            &new.email,
            &new.mobile_number,
            &new.color_hex,
            &new.role,
            &Json(&new.tags),
            &Json(&new.permissions),
            &now_micros(),
        ],
    )
    .await?;
    found(row.as_ref().map(from_row), "employee")
}

pub(crate) async fn list(
    db: &Db,
    company_id: &str,
    list: &ListParams,
) -> StoreResult<Page<Employee>> {
    let (limit, offset) = limit_offset(list);
    let params: &Params = &[&company_id, &limit, &offset];
    let client = db.client().await?;
    let count = query_opt(
        &client,
        "select count(*) from employees where company_id = $1 and is_active",
        &params[..1],
    );
    let sql = format!(
        "select {COLS} from employees e join companies co on co.id = e.company_id
         where e.company_id = $1 and e.is_active
         order by {} limit $2 offset $3",
        order_by(list, "e")
    );
    let rows = query(&client, &sql, params);
    let (count, rows) = tokio::try_join!(count, rows)?;
    Ok(Page {
        items: rows.iter().map(from_row).collect(),
        total: count.map_or(0, |r| to_total(r.get(0))),
    })
}
