//! Employees (pros).

use fieldwork_store::events::employee_events;
use fieldwork_store::ids::{new_id, prefix};
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{ListParams, Page, StoreResult};
use fieldwork_types::{Employee, EmployeeIn};
use rusqlite::{Connection, Row, params};

use crate::db::Db;
use crate::error::{map_err, not_found};
use crate::sql::{collect, count, from_json, limit_offset, order_by, to_json};

const COLS: &str = "e.id, e.first_name, e.last_name, e.email, e.mobile_number, e.color_hex,
    e.avatar_url, e.role, e.created_at, e.tags, e.permissions, co.name, e.company_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Employee> {
    let tags: String = r.get(9)?;
    let permissions: String = r.get(10)?;
    Ok(Employee {
        id: r.get(0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        email: r.get(3)?,
        mobile_number: r.get(4)?,
        color_hex: r.get(5)?,
        avatar_url: r.get(6)?,
        role: r.get(7)?,
        created_at: format_ts(r.get(8)?),
        tags: from_json(&tags),
        permissions: from_json(&permissions),
        company_name: r.get(11)?,
        company_id: r.get(12)?,
    })
}

/// Creates an employee and records the events `emit` names, carrying it.
pub(crate) async fn create(
    db: &Db,
    company_id: &str,
    new: EmployeeIn,
    emit: Vec<String>,
) -> StoreResult<Employee> {
    let company_id = company_id.to_owned();
    db.write(move |c| {
        let id = new_id(prefix::EMPLOYEE);
        let now = now_micros();
        c.execute(
            "insert into employees (id, company_id, first_name, last_name, email, mobile_number,
                color_hex, avatar_url, role, tags, permissions, created_at, updated_at)
             values (?1, ?2, ?3, ?4, ?5, ?6, ?7, null, ?8, ?9, ?10, ?11, ?11)",
            params![
                id,
                company_id,
                new.first_name,
                new.last_name,
                new.email,
                new.mobile_number,
                new.color_hex,
                new.role,
                to_json(&new.tags),
                to_json(&new.permissions),
                now
            ],
        )
        .map_err(map_err)?;
        let employee = c
            .query_row(
                &format!(
                    "select {COLS} from employees e join companies co on co.id = e.company_id
                     where e.id = ?1"
                ),
                [&id],
                from_row,
            )
            .map_err(not_found("employee"))?;
        let events = employee_events(&emit, &employee);
        crate::webhooks::outbox::emit_all(c, &company_id, &events)?;
        Ok(employee)
    })
    .await
}

pub(crate) fn list(
    c: &Connection,
    company_id: &str,
    list: &ListParams,
) -> StoreResult<Page<Employee>> {
    let total = count(
        c,
        "select count(*) from employees where company_id = ?1 and is_active = 1",
        [company_id],
    )?;
    let (limit, offset) = limit_offset(list);
    let items = collect(
        c,
        &format!(
            "select {COLS} from employees e join companies co on co.id = e.company_id
             where e.company_id = ?1 and e.is_active = 1
             order by {} limit ?2 offset ?3",
            order_by(list, "e")
        ),
        params![company_id, limit, offset],
        from_row,
    )?;
    Ok(Page { items, total })
}
