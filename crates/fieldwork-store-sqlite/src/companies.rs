//! Companies: plan, application state, profile and schedule availability.

use fieldwork_store::ids::new_company_id;
use fieldwork_store::reference::Epochs;
use fieldwork_store::rules::{default_availability, default_profile};
use fieldwork_store::time::now_micros;
use fieldwork_store::{CompanyLimits, CompanyRecord, NewCompany, Plan, StoreError, StoreResult};
use fieldwork_types::Company;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::db::Db;
use crate::error::{map_err, not_found};
use crate::sql::{collect, to_json};

const COLS: &str =
    "id, name, plan, application_state, created_at, profile, availability, time_zone,
                    rate_limit_per_minute, max_concurrent_requests";

fn from_row(r: &Row<'_>) -> rusqlite::Result<CompanyRecord> {
    let plan: String = r.get(2)?;
    let profile: String = r.get(5)?;
    let availability: String = r.get(6)?;
    let id: String = r.get(0)?;
    let name: String = r.get(1)?;
    let time_zone: String = r.get(7)?;
    let mut profile: Company =
        serde_json::from_str(&profile).unwrap_or_else(|_| default_profile(&id, &name, &time_zone));
    // The profile's identity always follows the company row.
    profile.id.clone_from(&id);
    profile.name.clone_from(&name);
    Ok(CompanyRecord {
        plan: plan.parse().unwrap_or(Plan::Basic),
        application_state: r.get(3)?,
        created_at: r.get(4)?,
        availability: serde_json::from_str(&availability)
            .unwrap_or_else(|_| default_availability()),
        profile,
        id,
        name,
        limits: CompanyLimits {
            per_minute: limit_from_column(r.get(8)?),
            concurrency: limit_from_column(r.get(9)?),
        },
    })
}

/// A stored limit; anything that is not a positive `u32` reads as unset (the default applies).
pub(crate) fn limit_from_column(v: Option<i64>) -> Option<u32> {
    v.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0)
}

pub(crate) async fn create(db: &Db, new: NewCompany) -> StoreResult<CompanyRecord> {
    db.write(move |c| {
        let id = new_company_id();
        let now = now_micros();
        let profile = default_profile(&id, &new.name, &new.time_zone);
        c.prepare_cached(
            "insert into companies (id, name, plan, time_zone, application_state, profile,
                                    availability, created_at, updated_at)
             values (?1, ?2, ?3, ?4, 'enabled', ?5, ?6, ?7, ?7)",
        )
        .and_then(|mut s| {
            s.execute(params![
                id,
                new.name,
                new.plan.as_str(),
                new.time_zone,
                to_json(&profile),
                to_json(&default_availability()),
                now
            ])
        })
        .map_err(map_err)?;
        get(c, &id)
    })
    .await
}

pub(crate) fn get(c: &Connection, company_id: &str) -> StoreResult<CompanyRecord> {
    c.prepare_cached(&format!("select {COLS} from companies where id = ?1"))
        .and_then(|mut s| s.query_row([company_id], from_row))
        .map_err(not_found("company"))
}

/// The company's epochs (`fieldwork_store::reference::Epochs`); 0 before any change.
pub(crate) fn epochs(c: &Connection, company_id: &str) -> StoreResult<Epochs> {
    c.prepare_cached("select n, customers from reference_epochs where company_id = ?1")
        .and_then(|mut s| {
            s.query_row([company_id], |r| {
                Ok(Epochs {
                    reference: r.get(0)?,
                    customers: r.get(1)?,
                })
            })
            .optional()
        })
        .map(Option::unwrap_or_default)
        .map_err(map_err)
}

pub(crate) fn find_by_name(c: &Connection, name: &str) -> StoreResult<Option<CompanyRecord>> {
    c.prepare_cached(&format!(
        "select {COLS} from companies where name = ?1 order by created_at limit 1"
    ))
    .and_then(|mut s| s.query_row([name], from_row).optional())
    .map_err(map_err)
}

pub(crate) fn list(c: &Connection) -> StoreResult<Vec<CompanyRecord>> {
    collect(
        c,
        &format!("select {COLS} from companies order by created_at"),
        [],
        from_row,
    )
}

/// Sets one column of a company (`col` is a constant from this crate, never user input).
pub(crate) async fn set_column(
    db: &Db,
    company_id: &str,
    col: &'static str,
    value: String,
) -> StoreResult<CompanyRecord> {
    let company_id = company_id.to_owned();
    db.write(move |c| {
        let n = c
            .execute(
                &format!("update companies set {col} = ?1, updated_at = ?2 where id = ?3"),
                params![value, now_micros(), company_id],
            )
            .map_err(map_err)?;
        if n == 0 {
            return Err(StoreError::NotFound("company"));
        }
        get(c, &company_id)
    })
    .await
}

/// Replaces both limits of a company.
pub(crate) async fn set_limits(
    db: &Db,
    company_id: &str,
    limits: CompanyLimits,
) -> StoreResult<CompanyRecord> {
    let company_id = company_id.to_owned();
    db.write(move |c| {
        let n = c
            .execute(
                "update companies set rate_limit_per_minute = ?1, max_concurrent_requests = ?2,
                                      updated_at = ?3
                 where id = ?4",
                params![
                    limits.per_minute,
                    limits.concurrency,
                    now_micros(),
                    company_id
                ],
            )
            .map_err(map_err)?;
        if n == 0 {
            return Err(StoreError::NotFound("company"));
        }
        get(c, &company_id)
    })
    .await
}

#[cfg(test)]
mod tests {
    use crate::sql::from_json;

    #[test]
    fn corrupt_json_reads_as_default() {
        let v: Vec<String> = from_json("not json");
        assert!(v.is_empty());
    }
}
