//! Approving and declining options (`POST /estimates/options/approve|decline`).
//!
//! Approval marks the options `pro approved` and copies them to one new job (line items,
//! customer, address, employees, visit), written in the same batch as the estimate, so either
//! both happen or neither, with their events (`estimate.option.approval_status_changed`,
//! `estimate.copy_to_job` and the job's `job.created`). Options already copied are not copied
//! again.

use fieldwork_store::docs::{DocWrite, VERSION_CONFLICT};
use fieldwork_store::ids::new_id;
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{Store, StoreError};
use fieldwork_types::{ApproveOut, DeclineOut};

use super::doc::{EstimateDoc, approval};
use super::{StoredEstimate, find_by_option, load};
use crate::error::{ApiError, ApiResult};
use crate::services::jobs::create::{NewJob, copy_lines, insert_writes, number_taken};
use crate::services::jobs::{Context, JobDoc, StoredAppointment, status};
use crate::services::line_items;
use crate::webhooks::events::estimate_changed_writes;

/// Most options named in one call.
const MAX_IDS: usize = 100;
const MAX_ATTEMPTS: usize = 5;

/// Marks the options `pro approved` and copies those not yet copied to one new job.
pub async fn approve(
    store: &dyn Store,
    company_id: &str,
    option_ids: Option<Vec<String>>,
) -> ApiResult<ApproveOut> {
    let (estimate_id, ids) = resolve(store, company_id, option_ids).await?;
    for _ in 0..MAX_ATTEMPTS {
        let mut estimate = load(store, company_id, &estimate_id).await?;
        let before = estimate.doc.clone();
        let fresh: Vec<String> = ids
            .iter()
            .filter(|id| {
                estimate
                    .doc
                    .options
                    .iter()
                    .any(|o| &o.id == *id && o.job_id.is_none())
            })
            .cloned()
            .collect();
        let mut writes = Vec::new();
        let job_id = if fresh.is_empty() {
            // Every option was copied already: answer with the job made then.
            estimate
                .doc
                .options
                .iter()
                .find(|o| ids.contains(&o.id))
                .and_then(|o| o.job_id.clone())
        } else {
            let new = job_from(&estimate, &fresh)
                .numbered(store, company_id)
                .await?;
            let ctx = Context::load(store, company_id, &[new.doc.customer_id.as_str()]).await?;
            let (job, _, job_writes) = insert_writes(&ctx, new);
            writes.extend(job_writes);
            Some(job.id)
        };
        let now = now_micros();
        for option in estimate.doc.options.iter_mut() {
            if ids.contains(&option.id) {
                option.approval_status = Some(approval::PRO_APPROVED.into());
                option.updated_at = now;
                if fresh.contains(&option.id) {
                    option.job_id = job_id.clone();
                }
            }
        }
        writes.push(DocWrite::Update(estimate.to_doc(now)));
        let after = StoredEstimate {
            version: estimate.version + 1,
            updated_at: now,
            ..estimate.clone()
        };
        writes.extend(estimate_changed_writes(store, company_id, &before, &after).await?);
        match store.write_docs(company_id, writes).await {
            Ok(_) => {
                return Ok(ApproveOut {
                    status: approval::PRO_APPROVED.into(),
                    last_updated_at: format_ts(now),
                    copied_on_approval_to_job_id: job_id,
                });
            }
            Err(StoreError::Conflict { constraint }) if constraint == VERSION_CONFLICT => continue,
            Err(e) => return Err(number_taken(e)),
        }
    }
    Err(ApiError::Unavailable)
}

/// Marks the options `pro declined` (a job already made from one stays).
pub async fn decline(
    store: &dyn Store,
    company_id: &str,
    option_ids: Option<Vec<String>>,
) -> ApiResult<DeclineOut> {
    let (estimate_id, ids) = resolve(store, company_id, option_ids).await?;
    let now = now_micros();
    super::modify(store, company_id, &estimate_id, |doc: &mut EstimateDoc| {
        for option in doc.options.iter_mut().filter(|o| ids.contains(&o.id)) {
            option.approval_status = Some(approval::PRO_DECLINED.into());
            option.updated_at = now;
        }
        Ok(())
    })
    .await?;
    Ok(DeclineOut {
        status: approval::PRO_DECLINED.into(),
        last_updated_at: format_ts(now),
    })
}

/// Checks `option_ids`: present, not empty, every id an option of one estimate of this
/// company. Returns that estimate's id and the ids without duplicates.
async fn resolve(
    store: &dyn Store,
    company_id: &str,
    option_ids: Option<Vec<String>>,
) -> ApiResult<(String, Vec<String>)> {
    let mut ids: Vec<String> = Vec::new();
    for id in option_ids.ok_or_else(|| ApiError::invalid("option_ids", "is missing"))? {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(ApiError::invalid(
            "option_ids",
            "must name at least one option",
        ));
    }
    if ids.len() > MAX_IDS {
        return Err(ApiError::invalid(
            "option_ids",
            format!("has more than {MAX_IDS} entries"),
        ));
    }
    let mut estimate_id: Option<String> = None;
    for id in &ids {
        let found = find_by_option(store, company_id, id)
            .await?
            .ok_or_else(|| {
                ApiError::invalid("option_ids", format!("{id} is not an estimate option"))
            })?;
        match &estimate_id {
            Some(e) if *e != found => {
                return Err(ApiError::invalid(
                    "option_ids",
                    "must all be options of the same estimate",
                ));
            }
            _ => estimate_id = Some(found),
        }
    }
    Ok((estimate_id.expect("at least one id"), ids))
}

/// The job an approval makes: the estimate's customer, address, people and visit, and the
/// lines of the approved options (the first option's tax applies to the job).
fn job_from(estimate: &StoredEstimate, option_ids: &[String]) -> NewJob {
    let d = &estimate.doc;
    let options: Vec<_> = d
        .options
        .iter()
        .filter(|o| option_ids.contains(&o.id))
        .collect();
    let mut lines = Vec::new();
    for o in &options {
        lines.extend(copy_lines(&o.line_items));
    }
    for (i, line) in lines.iter_mut().enumerate() {
        line.order_index = i as i64;
    }
    // Percent discounts apply to the lines of the job, which may join several options.
    line_items::recompute(&mut lines);
    let appointments: Vec<StoredAppointment> = d
        .appointments
        .iter()
        .map(|a| StoredAppointment {
            id: new_id(crate::services::jobs::create::APPOINTMENT_PREFIX),
            ..a.clone()
        })
        .collect();
    let names: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
    NewJob {
        invoice_number: None,
        doc: JobDoc {
            description: Some(format!(
                "Estimate {}: {}",
                estimate.number,
                names.join(", ")
            )),
            customer_id: d.customer_id.clone(),
            address_id: d.address_id.clone(),
            work_status: if appointments.is_empty() {
                status::NEEDS_SCHEDULING.into()
            } else {
                status::SCHEDULED.into()
            },
            arrival_window: d.arrival_window,
            appointments,
            line_items: lines,
            assigned_employee_ids: d.assigned_employee_ids.clone(),
            tags: options
                .iter()
                .flat_map(|o| o.tags.clone())
                .fold(Vec::new(), |mut acc, t| {
                    if !acc.contains(&t) {
                        acc.push(t);
                    }
                    acc
                }),
            lead_source: d.lead_source.clone(),
            job_type_id: d.job_type_id.clone(),
            original_estimate_id: Some(estimate.id.clone()),
            original_estimate_uuids: option_ids.to_vec(),
            tax_rate: options.first().map_or(0.0, |o| o.tax_rate * 100.0),
            ..JobDoc::default()
        },
    }
}
