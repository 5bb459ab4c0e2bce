//! Companies: plan, application state, profile and schedule availability.

use fieldwork_store::ids::new_company_id;
use fieldwork_store::reference::Epochs;
use fieldwork_store::rules::{default_availability, default_profile};
use fieldwork_store::time::now_micros;
use fieldwork_store::{CompanyLimits, CompanyRecord, NewCompany, Plan, StoreResult};
use fieldwork_types::{Company, ScheduleAvailability};
use tokio_postgres::Row;
use tokio_postgres::types::{Json, ToSql};

use crate::db::Db;
use crate::error::found;
use crate::sql::JsonCol;

const COLS: &str =
    "id, name, plan, application_state, created_at, profile, availability, time_zone,
                    rate_limit_per_minute, max_concurrent_requests";

fn from_row(r: &Row) -> CompanyRecord {
    let id: String = r.get(0);
    let name: String = r.get(1);
    let time_zone: String = r.get(7);
    let mut profile = r
        .get::<_, JsonCol<Company>>(5)
        .0
        .unwrap_or_else(|| default_profile(&id, &name, &time_zone));
    // The profile's identity always follows the company row.
    profile.id.clone_from(&id);
    profile.name.clone_from(&name);
    CompanyRecord {
        plan: r.get::<_, &str>(2).parse().unwrap_or(Plan::Basic),
        application_state: r.get(3),
        created_at: r.get(4),
        availability: r
            .get::<_, JsonCol<ScheduleAvailability>>(6)
            .0
            .unwrap_or_else(default_availability),
        profile,
        id,
        name,
        limits: CompanyLimits {
            per_minute: limit_from_column(r.get(8)),
            concurrency: limit_from_column(r.get(9)),
        },
    }
}

/// A stored limit; anything that is not a positive `u32` reads as unset (the default applies).
pub(crate) fn limit_from_column(v: Option<i64>) -> Option<u32> {
    v.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0)
}

pub(crate) async fn create(db: &Db, new: NewCompany) -> StoreResult<CompanyRecord> {
    let id = new_company_id();
    let profile = default_profile(&id, &new.name, &new.time_zone);
    let row = db
        .query_opt(
            &format!(
                "insert into companies (id, name, plan, time_zone, application_state, profile,
                                        availability, created_at, updated_at)
                 values ($1, $2, $3, $4, 'enabled', $5, $6, $7, $7)
                 returning {COLS}"
            ),
            &[
                &id,
                &new.name,
                &new.plan.as_str(),
                &new.time_zone,
                &Json(&profile),
                &Json(&default_availability()),
                &now_micros(),
            ],
        )
        .await?;
    found(row.as_ref().map(from_row), "company")
}

pub(crate) async fn get(db: &Db, company_id: &str) -> StoreResult<CompanyRecord> {
    let row = db
        .query_opt(
            &format!("select {COLS} from companies where id = $1"),
            &[&company_id],
        )
        .await?;
    found(row.as_ref().map(from_row), "company")
}

/// The company's epochs as two columns, for `$1` the company (the customers' is the sum of
/// their stripes).
pub(crate) const EPOCHS: &str =
    "coalesce((select n from reference_epochs where company_id = $1), 0),
    coalesce((select sum(n) from customer_epochs where company_id = $1), 0)::bigint";

/// The company's epochs (`fieldwork_store::reference::Epochs`); 0 before any change.
pub(crate) async fn epochs(db: &Db, company_id: &str) -> StoreResult<Epochs> {
    let row = db
        .query_opt(&format!("select {EPOCHS}"), &[&company_id])
        .await?;
    Ok(row.map_or_else(Epochs::default, |r| Epochs {
        reference: r.get(0),
        customers: r.get(1),
    }))
}

pub(crate) async fn find_by_name(db: &Db, name: &str) -> StoreResult<Option<CompanyRecord>> {
    let row = db
        .query_opt(
            &format!(
                "select {COLS} from companies where name = $1 order by created_at, seq limit 1"
            ),
            &[&name],
        )
        .await?;
    Ok(row.as_ref().map(from_row))
}

pub(crate) async fn list(db: &Db) -> StoreResult<Vec<CompanyRecord>> {
    let rows = db
        .query(
            &format!("select {COLS} from companies order by created_at, seq"),
            &[],
        )
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

/// A column of `companies` that [`set_column`] may change, with its new value.
pub(crate) enum Column<'a> {
    Plan(Plan),
    ApplicationState(&'a str),
    Profile(&'a Company),
    Availability(&'a ScheduleAvailability),
}

/// Sets one column of a company and returns the company.
pub(crate) async fn set_column(
    db: &Db,
    company_id: &str,
    column: Column<'_>,
) -> StoreResult<CompanyRecord> {
    let (col, value): (&str, Box<dyn ToSql + Sync + Send + '_>) = match column {
        Column::Plan(plan) => ("plan", Box::new(plan.as_str())),
        Column::ApplicationState(state) => ("application_state", Box::new(state)),
        Column::Profile(profile) => ("profile", Box::new(Json(profile))),
        Column::Availability(a) => ("availability", Box::new(Json(a))),
    };
    let row = db
        .query_opt(
            &format!(
                "update companies set {col} = $1, updated_at = $2 where id = $3 returning {COLS}"
            ),
            &[&*value, &now_micros(), &company_id],
        )
        .await?;
    found(row.as_ref().map(from_row), "company")
}

/// Replaces both limits of a company.
pub(crate) async fn set_limits(
    db: &Db,
    company_id: &str,
    limits: CompanyLimits,
) -> StoreResult<CompanyRecord> {
    let row = db
        .query_opt(
            &format!(
                "update companies set rate_limit_per_minute = $1, max_concurrent_requests = $2,
                                      updated_at = $3
                 where id = $4 returning {COLS}"
            ),
            &[
                &limits.per_minute.map(i64::from),
                &limits.concurrency.map(i64::from),
                &now_micros(),
                &company_id,
            ],
        )
        .await?;
    found(row.as_ref().map(from_row), "company")
}
