//! `POST /estimates`: validation of the estimate and its options, and the insert.

use fieldwork_store::docs::{Doc, DocKind, DocWrite};
use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_store::{ListParams, Store, StoreError};
use fieldwork_types::{AddressIn, EstimateIn, EstimateOptionIn, EstimateScheduleIn, TaxIn};

use super::doc::{EstimateDoc, OptionDoc, StoredEstimate};
use super::render::{self, Estimate};
use crate::error::{ApiError, ApiResult};
use crate::services::jobs::create::{
    APPOINTMENT_PREFIX, arrival_window, check_customer_address, check_employees, check_span,
    tags_by_name,
};
use crate::services::jobs::{Context, StoredAppointment, status};
use crate::services::validate::{self, MAX_NOTES, MAX_TEXT};
use crate::services::{customers, line_items, times};
use crate::webhooks::events;

/// Most options on one estimate.
pub const MAX_OPTIONS: usize = 20;

/// The tax of an option: a fraction (0.0825 is 8.25 %) and a name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tax {
    pub rate: f64,
    pub name: Option<String>,
}

/// An estimate ready to be stored: every reference checked.
#[derive(Debug, Clone, Default)]
pub struct NewEstimate {
    pub estimate_number: Option<i64>,
    pub doc: EstimateDoc,
}

impl NewEstimate {
    /// The stored estimate and the write that inserts it (to batch with other writes).
    pub fn into_write(self) -> (StoredEstimate, DocWrite) {
        let now = now_micros();
        let estimate = StoredEstimate {
            id: new_id(super::PREFIX),
            version: 1,
            number: self.estimate_number.unwrap_or_default(),
            created_at: now,
            updated_at: now,
            doc: self.doc,
        };
        let write = DocWrite::Insert(Doc {
            kind: DocKind::Estimate,
            id: estimate.id.clone(),
            version: 1,
            index: estimate.doc.index(self.estimate_number, now, now),
            body: serde_json::to_string(&estimate.doc).expect("plain data serializes"),
            detail: None,
        });
        (estimate, write)
    }

    /// Takes the estimate's number now if it has none (gaps are allowed), so that the
    /// `estimate.created` written with it carries it.
    pub async fn numbered(mut self, store: &dyn Store, company_id: &str) -> ApiResult<Self> {
        if self.estimate_number.is_none() {
            let counter = DocKind::Estimate.counter();
            self.estimate_number = Some(store.next_number(company_id, counter).await?);
        }
        Ok(self)
    }
}

/// The writes that insert a [numbered](NewEstimate::numbered) estimate and record its
/// `estimate.created`; also the estimate as stored and as rendered in `ctx` (which holds its
/// customer), the object the event carries.
pub fn insert_writes(ctx: &Context, new: NewEstimate) -> (StoredEstimate, Estimate, Vec<DocWrite>) {
    let (estimate, write) = new.into_write();
    let rendered = render::estimate(ctx, &estimate, false);
    let created = events::estimate_created(&ctx.company_id, &rendered);
    (estimate, rendered, vec![write, DocWrite::Emit(created)])
}

/// Validates `POST /estimates` and stores the estimate; returns it stored and rendered.
pub async fn create(
    store: &dyn Store,
    company_id: &str,
    input: EstimateIn,
) -> ApiResult<(StoredEstimate, Estimate)> {
    let new = validate_input(store, company_id, input)
        .await?
        .numbered(store, company_id)
        .await?;
    // Loaded after any inline address was added, so the rendered estimate shows it.
    let ctx = Context::load(store, company_id, &[new.doc.customer_id.as_str()]).await?;
    let (estimate, rendered, writes) = insert_writes(&ctx, new);
    store
        .write_docs(company_id, writes)
        .await
        .map_err(number_taken)?;
    Ok((estimate, rendered))
}

/// Maps the unique-number conflict of an insert to a 422 on `estimate_number`.
pub fn number_taken(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict { .. } => {
            ApiError::invalid("estimate_number", "has already been taken")
        }
        other => other.into(),
    }
}

async fn validate_input(
    store: &dyn Store,
    company_id: &str,
    input: EstimateIn,
) -> ApiResult<NewEstimate> {
    let customer_id = validate::required("customer_id", input.customer_id, MAX_TEXT)?;
    let address_id = validate::text("address_id", input.address_id, MAX_TEXT)?;
    check_customer_address(store, company_id, &customer_id, address_id.as_deref()).await?;
    let new_address = match (&address_id, input.address) {
        (None, Some(a)) => Some(inline_address("address.", a)?),
        _ => None,
    };
    let company = store.get_company(company_id).await?;
    let tz = times::zone(&company.profile.time_zone);
    let employees = input.assigned_employee_ids.unwrap_or_default();
    check_employees(store, company_id, "assigned_employee_ids", &employees).await?;
    let appointments = match input.schedule {
        Some(s) => schedule(s, tz, &employees)?,
        None => Vec::new(),
    };
    let job_type_id = match input.estimate_fields {
        Some(f) => {
            if f.business_unit_id.is_some_and(|b| !b.trim().is_empty()) {
                return Err(ApiError::invalid(
                    "estimate_fields.business_unit_id",
                    "does not exist (Fieldwork has no business units)",
                ));
            }
            match validate::text("estimate_fields.job_type_id", f.job_type_id, MAX_TEXT)? {
                Some(id) => Some(check_job_type(store, company_id, id).await?),
                None => None,
            }
        }
        None => None,
    };
    let estimate_number = input
        .estimate_number
        .map(|n| {
            if n.fract() != 0.0 || !(1.0..=1e15).contains(&n) {
                Err(ApiError::invalid(
                    "estimate_number",
                    "must be a positive whole number",
                ))
            } else {
                Ok(n as i64)
            }
        })
        .transpose()?;
    let default_tax = tax("tax", input.tax)?.unwrap_or_default();
    let inputs = input.options.unwrap_or_default();
    if inputs.len() > MAX_OPTIONS {
        return Err(ApiError::invalid(
            "options",
            format!("has more than {MAX_OPTIONS} entries"),
        ));
    }
    let mut options = Vec::with_capacity(inputs.len().max(1));
    for (i, o) in inputs.into_iter().enumerate() {
        let field = format!("options[{i}]");
        let o = EstimateOptionIn {
            name: o.name.or_else(|| Some(format!("Option #{}", i + 1))),
            ..o
        };
        options.push(build_option(store, company_id, &field, o, &default_tax, i as i64 + 1).await?);
    }
    if options.is_empty() {
        // An HCP estimate always has at least one option to price.
        let empty = EstimateOptionIn {
            name: Some("Option #1".into()),
            ..EstimateOptionIn::default()
        };
        options.push(build_option(store, company_id, "options[0]", empty, &default_tax, 1).await?);
    }
    let lead_source = validate::text("lead_source", input.lead_source, MAX_TEXT)?;
    let note = validate::text("note", input.note, MAX_NOTES)?;
    let message = validate::text("message", input.message, MAX_NOTES)?;
    let doc = EstimateDoc {
        customer_id: customer_id.clone(),
        address_id: match new_address {
            // Validated above; created last so a refused estimate leaves no address behind.
            Some(a) => Some(
                customers::add_address(store, company_id, &customer_id, a)
                    .await?
                    .id,
            ),
            None => address_id,
        },
        work_status: if appointments.is_empty() {
            status::NEEDS_SCHEDULING.into()
        } else {
            status::SCHEDULED.into()
        },
        arrival_window: appointments.first().map_or(0, |a| a.arrival_window_minutes),
        appointments,
        assigned_employee_ids: employees,
        lead_source,
        job_type_id,
        note,
        message,
        options,
        ..EstimateDoc::default()
    };
    Ok(NewEstimate {
        estimate_number,
        doc,
    })
}

/// Validates an inline address (HCP's estimate and lead bodies carry no country: the US).
pub fn inline_address(prefix: &str, a: AddressIn) -> ApiResult<AddressIn> {
    customers::address(
        prefix,
        AddressIn {
            country: a.country.or_else(|| Some("USA".into())),
            ..a
        },
    )
}

/// Builds a validated option numbered `number`; `default_tax` applies unless it has its own.
pub async fn build_option(
    store: &dyn Store,
    company_id: &str,
    field: &str,
    input: EstimateOptionIn,
    default_tax: &Tax,
    number: i64,
) -> ApiResult<OptionDoc> {
    let f = |name: &str| format!("{field}.{name}");
    let name = validate::required(&f("name"), input.name, MAX_TEXT)?;
    let tax = tax(&f("tax"), input.tax)?.unwrap_or_else(|| default_tax.clone());
    let tags = match validate::tags(&f("tags"), input.tags)? {
        Some(names) => tags_by_name(store, company_id, names).await?,
        None => Vec::new(),
    };
    let now = now_micros();
    Ok(OptionDoc {
        id: new_id(super::OPTION_PREFIX),
        name,
        option_number: number,
        line_items: line_items::build_all(&f("line_items"), input.line_items.unwrap_or_default())?,
        tax_rate: tax.rate,
        tax_name: tax.name,
        message_from_pro: validate::text(
            &f("message_from_pro"),
            input.message_from_pro,
            MAX_NOTES,
        )?,
        tags,
        created_at: now,
        updated_at: now,
        ..OptionDoc::default()
    })
}

/// Reads `tax`: `taxable: false` means none; `taxable: true` needs `tax_rate` and `tax_name`;
/// the rate is a fraction between 0 and 1, as the spec documents.
pub fn tax(field: &str, input: Option<TaxIn>) -> ApiResult<Option<Tax>> {
    let Some(t) = input else {
        return Ok(None);
    };
    let f = |name: &str| format!("{field}.{name}");
    let name = validate::text(&f("tax_name"), t.tax_name, MAX_TEXT)?;
    match t.taxable {
        Some(false) => return Ok(Some(Tax::default())),
        Some(true) if t.tax_rate.is_none() => {
            return Err(ApiError::invalid(
                f("tax_rate"),
                "is required when taxable is true",
            ));
        }
        Some(true) if name.is_none() => {
            return Err(ApiError::invalid(
                f("tax_name"),
                "is required when taxable is true",
            ));
        }
        _ => {}
    }
    let rate = t.tax_rate.unwrap_or(0.0);
    if !rate.is_finite() || !(0.0..=1.0).contains(&rate) {
        return Err(ApiError::invalid(
            f("tax_rate"),
            "must be a fraction between 0 and 1 (0.0825 for 8.25 %)",
        ));
    }
    Ok(Some(Tax { rate, name }))
}

/// The visit a create request's `schedule` describes (none when it names no start).
fn schedule(
    s: EstimateScheduleIn,
    tz: chrono_tz::Tz,
    employees: &[String],
) -> ApiResult<Vec<StoredAppointment>> {
    let arrival = arrival_window(
        "schedule.arrival_window_in_minutes",
        s.arrival_window_in_minutes,
    )?;
    let start = s
        .start_time
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .map(|v| times::parse("schedule.start_time", v, tz))
        .transpose()?;
    let end = s
        .end_time
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .map(|v| times::parse("schedule.end_time", v, tz))
        .transpose()?;
    match (start, end) {
        (None, None) => Ok(Vec::new()),
        (None, Some(_)) => Err(ApiError::invalid(
            "schedule.start_time",
            "is required when end_time is given",
        )),
        (Some(start), end) => {
            // Without an end, an hour, as HCP books it.
            let end = end.unwrap_or(start + 3_600_000_000);
            check_span("schedule.end_time", start, end)?;
            Ok(vec![StoredAppointment {
                id: new_id(APPOINTMENT_PREFIX),
                start,
                end,
                anytime: false,
                arrival_window_minutes: arrival,
                employee_ids: employees.to_vec(),
            }])
        }
    }
}

async fn check_job_type(store: &dyn Store, company_id: &str, id: String) -> ApiResult<String> {
    let all = ListParams::all();
    let types = store.list_job_types(company_id, None, &all).await?.items;
    if types.iter().any(|t| t.id == id) {
        Ok(id)
    } else {
        Err(ApiError::invalid(
            "estimate_fields.job_type_id",
            "does not exist",
        ))
    }
}
