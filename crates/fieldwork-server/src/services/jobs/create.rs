//! `POST /jobs`, and the jobs that estimates and leads turn into.

use fieldwork_store::docs::{DocKind, DocWrite};
use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_store::{ListParams, Store, StoreError};
use fieldwork_types::{JobIn, JobScheduleIn, LineItem, Note, Tag};

use super::render::Job;

use super::doc::{JobDoc, StoredAppointment, StoredJob, status};
use super::render::{self, Context};
use crate::error::{ApiError, ApiResult};
use crate::services::validate::{self, MAX_NOTES, MAX_TEXT};
use crate::services::{line_items, times};
use crate::webhooks::events;

/// Prefix of note ids (HCP's `nte_`).
pub const NOTE_PREFIX: &str = "nte";
/// Prefix of appointment ids.
pub const APPOINTMENT_PREFIX: &str = "apt";
/// Longest appointment accepted (a multi-day job uses several appointments).
const MAX_APPOINTMENT_MICROS: i64 = 31 * 24 * 3_600_000_000;

/// A job ready to be stored: every reference checked.
#[derive(Debug, Clone, Default)]
pub struct NewJob {
    pub invoice_number: Option<i64>,
    pub doc: JobDoc,
}

impl NewJob {
    /// The stored job and the write that inserts it (to batch with other writes).
    pub fn into_write(self) -> (StoredJob, DocWrite) {
        let now = now_micros();
        let job = StoredJob {
            id: new_id(super::PREFIX),
            version: 1,
            number: self.invoice_number.unwrap_or_default(),
            created_at: now,
            updated_at: now,
            doc: self.doc,
        };
        let index = job.doc.index(self.invoice_number, now, now);
        let write = DocWrite::Insert(job.doc.to_doc(&job.id, 1, index));
        (job, write)
    }

    /// Takes the job's invoice number now if it has none (gaps are allowed), so that the
    /// `job.created` written with the job carries it.
    pub async fn numbered(mut self, store: &dyn Store, company_id: &str) -> ApiResult<Self> {
        if self.invoice_number.is_none() {
            let counter = DocKind::Job.counter();
            self.invoice_number = Some(store.next_number(company_id, counter).await?);
        }
        Ok(self)
    }
}

/// The writes that insert a [numbered](NewJob::numbered) job and record its `job.created`,
/// rendered in `ctx` (which holds the job's customer); also the job as the event renders it.
pub fn insert_writes(ctx: &Context, new: NewJob) -> (StoredJob, Job, Vec<DocWrite>) {
    let (job, write) = new.into_write();
    let rendered = render::job(ctx, &job, events::JOB_EXPAND);
    let created = events::job_created(&ctx.company_id, &rendered);
    (job, rendered, vec![write, DocWrite::Emit(created)])
}

/// Validates `POST /jobs` and stores the job; returns it as `POST /jobs` answers (no
/// appointments).
pub async fn create(store: &dyn Store, company_id: &str, input: JobIn) -> ApiResult<Job> {
    let customer_id = validate::required("customer_id", input.customer_id.clone(), MAX_TEXT)?;
    let ctx = Context::load(store, company_id, &[customer_id.as_str()]).await?;
    let new = validate_input(store, &ctx, input).await?;
    let (_, mut rendered) = insert_in(store, &ctx, new).await?;
    // Rendered once for `job.created` (with appointments); the answer leaves them out.
    rendered.schedule.appointments = None;
    Ok(rendered)
}

/// Stores a validated job; a taken invoice number is a 422.
pub async fn insert(store: &dyn Store, company_id: &str, new: NewJob) -> ApiResult<StoredJob> {
    let ctx = Context::load(store, company_id, &[new.doc.customer_id.as_str()]).await?;
    Ok(insert_in(store, &ctx, new).await?.0)
}

/// [`insert`] with the context the job renders in; returns the job stored and rendered as its
/// `job.created` event carries it ([`events::JOB_EXPAND`]).
async fn insert_in(store: &dyn Store, ctx: &Context, new: NewJob) -> ApiResult<(StoredJob, Job)> {
    let company_id = ctx.company_id.as_str();
    let new = new.numbered(store, company_id).await?;
    let (mut job, rendered, writes) = insert_writes(ctx, new);
    let stored = store
        .write_docs(company_id, writes)
        .await
        .map_err(number_taken)?;
    job.number = stored[0].index.number.unwrap_or_default();
    Ok((job, rendered))
}

/// Maps the unique-number conflict of an insert to a 422 on `invoice_number`.
pub fn number_taken(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict { .. } => {
            ApiError::invalid("invoice_number", "has already been taken")
        }
        other => other.into(),
    }
}

async fn validate_input(store: &dyn Store, ctx: &Context, input: JobIn) -> ApiResult<NewJob> {
    let company_id = ctx.company_id.as_str();
    let customer_id = validate::required("customer_id", input.customer_id, MAX_TEXT)?;
    let address_id = validate::required("address_id", input.address_id, MAX_TEXT)?;
    let has_address = ctx
        .has_address(&customer_id, &address_id)
        .ok_or_else(|| ApiError::invalid("customer_id", "does not exist"))?;
    if !has_address {
        return Err(ApiError::invalid(
            "address_id",
            "is not an address of this customer",
        ));
    }
    let tz = times::zone(ctx.time_zone());
    let employees = input.assigned_employee_ids.unwrap_or_default();
    check_known_employees(ctx, "assigned_employee_ids", &employees)?;
    let appointments = match input.schedule {
        Some(s) => schedule(s, tz, &employees)?,
        None => Vec::new(),
    };
    let arrival_window = appointments.first().map_or(0, |a| a.arrival_window_minutes);
    let tags = match validate::tags("tags", input.tags)? {
        Some(names) => tags_by_name(store, company_id, names).await?,
        None => Vec::new(),
    };
    let job_type_id = match input.job_fields {
        Some(f) => {
            if f.business_unit_id.is_some_and(|b| !b.trim().is_empty()) {
                return Err(ApiError::invalid(
                    "job_fields.business_unit_id",
                    "does not exist (Fieldwork has no business units)",
                ));
            }
            match validate::text("job_fields.job_type_id", f.job_type_id, MAX_TEXT)? {
                Some(id) if ctx.job_type(&id).is_some() => Some(id),
                Some(_) => {
                    return Err(ApiError::invalid(
                        "job_fields.job_type_id",
                        "does not exist",
                    ));
                }
                None => None,
            }
        }
        None => None,
    };
    let invoice_number = input
        .invoice_number
        .map(|n| {
            if n.fract() != 0.0 || !(1.0..=1e15).contains(&n) {
                Err(ApiError::invalid(
                    "invoice_number",
                    "must be a positive whole number",
                ))
            } else {
                Ok(n as i64)
            }
        })
        .transpose()?;
    let notes = validate::text("notes", input.notes, MAX_NOTES)?
        .map(note)
        .into_iter()
        .collect();
    Ok(NewJob {
        invoice_number,
        doc: JobDoc {
            description: validate::text("description", input.description, MAX_NOTES)?,
            customer_id,
            address_id: Some(address_id),
            notes,
            work_status: if appointments.is_empty() {
                status::NEEDS_SCHEDULING.into()
            } else {
                status::SCHEDULED.into()
            },
            arrival_window,
            appointments,
            line_items: line_items::build_all("line_items", input.line_items.unwrap_or_default())?,
            assigned_employee_ids: employees,
            tags,
            lead_source: validate::text("lead_source", input.lead_source, MAX_TEXT)?,
            job_type_id,
            ..JobDoc::default()
        },
    })
}

/// A new note.
pub fn note(content: String) -> Note {
    Note {
        id: new_id(NOTE_PREFIX),
        content,
    }
}

/// The appointment a create request's `schedule` describes (none when it names no time).
fn schedule(
    s: JobScheduleIn,
    tz: chrono_tz::Tz,
    employees: &[String],
) -> ApiResult<Vec<StoredAppointment>> {
    let arrival = arrival_window("schedule.arrival_window", s.arrival_window)?;
    if s.anytime == Some(true) {
        let day = s.anytime_start_date.as_deref().ok_or_else(|| {
            ApiError::invalid(
                "schedule.anytime_start_date",
                "is required when anytime is true",
            )
        })?;
        let start = times::parse("schedule.anytime_start_date", day, tz)?;
        return Ok(vec![StoredAppointment {
            id: new_id(APPOINTMENT_PREFIX),
            start,
            end: start + 24 * 3_600_000_000 - 1_000_000,
            anytime: true,
            arrival_window_minutes: arrival,
            employee_ids: employees.to_vec(),
        }]);
    }
    let start = s
        .scheduled_start
        .as_deref()
        .map(|v| times::parse("schedule.scheduled_start", v, tz))
        .transpose()?;
    let end = s
        .scheduled_end
        .as_deref()
        .map(|v| times::parse("schedule.scheduled_end", v, tz))
        .transpose()?;
    match (start, end) {
        (None, None) => Ok(Vec::new()),
        (Some(start), end) => {
            // Without an end, HCP books an hour.
            let end = end.unwrap_or(start + 3_600_000_000);
            check_span("schedule.scheduled_end", start, end)?;
            Ok(vec![StoredAppointment {
                id: new_id(APPOINTMENT_PREFIX),
                start,
                end,
                anytime: false,
                arrival_window_minutes: arrival,
                employee_ids: employees.to_vec(),
            }])
        }
        (None, Some(_)) => Err(ApiError::invalid(
            "schedule.scheduled_start",
            "is required when scheduled_end is given",
        )),
    }
}

/// An arrival window in minutes: 0 to one day.
pub fn arrival_window(field: &str, v: Option<i64>) -> ApiResult<i64> {
    let v = v.unwrap_or(0);
    if !(0..=1440).contains(&v) {
        return Err(ApiError::invalid(
            field,
            "must be between 0 and 1440 minutes",
        ));
    }
    Ok(v)
}

/// An end must come after its start, within a month.
pub fn check_span(field: &str, start: i64, end: i64) -> ApiResult<()> {
    if end <= start {
        return Err(ApiError::invalid(field, "must be after the start"));
    }
    if end - start > MAX_APPOINTMENT_MICROS {
        return Err(ApiError::invalid(
            field,
            "is more than 31 days after the start; use several appointments",
        ));
    }
    Ok(())
}

/// A 422 unless the customer exists and (when given) the address is one of theirs.
pub async fn check_customer_address(
    store: &dyn Store,
    company_id: &str,
    customer_id: &str,
    address_id: Option<&str>,
) -> ApiResult<()> {
    let customer = match store.get_customer(company_id, customer_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound(_)) => {
            return Err(ApiError::invalid("customer_id", "does not exist"));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(address_id) = address_id
        && !customer.addresses.iter().any(|a| a.id == address_id)
    {
        return Err(ApiError::invalid(
            "address_id",
            "is not an address of this customer",
        ));
    }
    Ok(())
}

/// A 422 naming `field` unless every id is an employee in `ctx`.
pub fn check_known_employees(ctx: &Context, field: &str, ids: &[String]) -> ApiResult<()> {
    if ids.len() > 100 {
        return Err(ApiError::invalid(field, "has more than 100 entries"));
    }
    match ids.iter().find(|id| !ctx.has_employee(id)) {
        Some(id) => Err(ApiError::invalid(field, format!("{id} is not an employee"))),
        None => Ok(()),
    }
}

/// A 422 naming `field` unless every id is an employee of the company.
pub async fn check_employees(
    store: &dyn Store,
    company_id: &str,
    field: &str,
    ids: &[String],
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    if ids.len() > 100 {
        return Err(ApiError::invalid(field, "has more than 100 entries"));
    }
    let all = ListParams::all();
    let known = store.list_employees(company_id, &all).await?.items;
    for id in ids {
        if !known.iter().any(|e| &e.id == id) {
            return Err(ApiError::invalid(field, format!("{id} is not an employee")));
        }
    }
    Ok(())
}

/// The company's tags with these names, creating those that do not exist yet.
pub async fn tags_by_name(
    store: &dyn Store,
    company_id: &str,
    names: Vec<String>,
) -> ApiResult<Vec<Tag>> {
    let all = ListParams::all();
    let mut known = store.list_tags(company_id, &all).await?.items;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let tag = match known.iter().find(|t| t.name.eq_ignore_ascii_case(&name)) {
            Some(t) => t.clone(),
            None => {
                let t = match store.create_tag(company_id, &name).await {
                    Ok(t) => t,
                    // Created by a concurrent request: read it again.
                    Err(StoreError::Conflict { .. }) => store
                        .list_tags(company_id, &all)
                        .await?
                        .items
                        .into_iter()
                        .find(|t| t.name.eq_ignore_ascii_case(&name))
                        .ok_or(ApiError::Unavailable)?,
                    Err(e) => return Err(e.into()),
                };
                known.push(t.clone());
                t
            }
        };
        out.push(tag);
    }
    Ok(out)
}

/// Copies lines for a new record: new ids, same content.
pub fn copy_lines(lines: &[LineItem]) -> Vec<LineItem> {
    lines
        .iter()
        .map(|l| LineItem {
            id: new_id(line_items::PREFIX),
            ..l.clone()
        })
        .collect()
}
