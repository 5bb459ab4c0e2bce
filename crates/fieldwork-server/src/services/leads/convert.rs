//! `POST /leads/{id}/convert` (to an estimate or a job) and Fieldwork's `POST /leads/{id}/lose`.
//!
//! Converting writes the new estimate or job and the `won` lead in one batch, with their events
//! (`estimate.created` or `job.created`, and `lead.converted`): all or nothing.

use fieldwork_store::Store;
use fieldwork_store::docs::DocKind;
use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_types::{ConvertIn, ConvertOut};

use super::doc::{LeadDoc, StoredLead, status};
use super::{load, modify};
use crate::error::{ApiError, ApiResult};
use crate::services::estimates::create::NewEstimate;
use crate::services::estimates::{self, EstimateDoc, OPTION_PREFIX, OptionDoc};
use crate::services::jobs::create::{NewJob, copy_lines, note};
use crate::services::jobs::{self, Context, JobDoc};

/// Creates the estimate or job a lead becomes, from its customer, address, employee and
/// lines, and marks the lead `won`. Only open leads convert.
pub async fn convert(
    store: &dyn Store,
    company_id: &str,
    lead_id: &str,
    input: ConvertIn,
) -> ApiResult<ConvertOut> {
    let to_job = match input.kind.as_deref() {
        Some("job") => true,
        Some("estimate") => false,
        Some(_) => return Err(ApiError::invalid("type", "must be estimate or job")),
        None => return Err(ApiError::invalid("type", "is missing")),
    };
    // The new object's number and the context it renders in, read first: the customer of an
    // open lead cannot change (leads are only converted or lost), so they stay right if the
    // change below runs again.
    let lead = load(store, company_id, lead_id).await?;
    refuse_closed(&lead.doc, "convert")?;
    let ctx = Context::load(store, company_id, &[lead.doc.customer_id.as_str()]).await?;
    let kind = if to_job {
        DocKind::Job
    } else {
        DocKind::Estimate
    };
    let number = Some(store.next_number(company_id, kind.counter()).await?);
    let (_, out) = modify(store, company_id, lead_id, |lead, doc| {
        refuse_closed(doc, "convert")?;
        let (out, writes) = if to_job {
            let new = NewJob {
                invoice_number: number,
                ..job_from(lead)
            };
            let (job, _, writes) = jobs::create::insert_writes(&ctx, new);
            doc.job_id = Some(job.id.clone());
            let out = ConvertOut {
                job_id: Some(job.id),
                estimate_id: None,
            };
            (out, writes)
        } else {
            let new = NewEstimate {
                estimate_number: number,
                ..estimate_from(lead)
            };
            let (estimate, _, writes) = estimates::create::insert_writes(&ctx, new);
            doc.estimate_id = Some(estimate.id.clone());
            let out = ConvertOut {
                job_id: None,
                estimate_id: Some(estimate.id),
            };
            (out, writes)
        };
        doc.status = status::WON.into();
        Ok((out, writes))
    })
    .await?;
    Ok(out)
}

/// Marks an open lead `lost` and stamps `lost_at`.
pub async fn lose(store: &dyn Store, company_id: &str, lead_id: &str) -> ApiResult<StoredLead> {
    let (lead, ()) = modify(store, company_id, lead_id, |_, doc| {
        refuse_closed(doc, "lose")?;
        doc.status = status::LOST.into();
        doc.lost_at = Some(now_micros());
        Ok(((), Vec::new()))
    })
    .await?;
    Ok(lead)
}

fn refuse_closed(doc: &LeadDoc, action: &str) -> ApiResult<()> {
    if doc.status != status::OPEN {
        return Err(ApiError::invalid(
            "status",
            format!("cannot {action} a lead that is {}", doc.status),
        ));
    }
    Ok(())
}

fn job_from(lead: &StoredLead) -> NewJob {
    let d = &lead.doc;
    NewJob {
        invoice_number: None,
        doc: JobDoc {
            description: Some(format!("Lead {}", lead.number)),
            customer_id: d.customer_id.clone(),
            address_id: d.address_id.clone(),
            notes: d.note.clone().map(note).into_iter().collect(),
            work_status: jobs::status::NEEDS_SCHEDULING.into(),
            line_items: copy_lines(&d.line_items),
            assigned_employee_ids: d.assigned_employee_id.iter().cloned().collect(),
            tags: d.tags.clone(),
            lead_source: d.lead_source.clone(),
            tax_rate: d.tax_rate,
            ..JobDoc::default()
        },
    }
}

fn estimate_from(lead: &StoredLead) -> NewEstimate {
    let d = &lead.doc;
    let now = now_micros();
    NewEstimate {
        estimate_number: None,
        doc: EstimateDoc {
            customer_id: d.customer_id.clone(),
            address_id: d.address_id.clone(),
            work_status: jobs::status::NEEDS_SCHEDULING.into(),
            assigned_employee_ids: d.assigned_employee_id.iter().cloned().collect(),
            lead_source: d.lead_source.clone(),
            note: d.note.clone(),
            options: vec![OptionDoc {
                id: new_id(OPTION_PREFIX),
                name: "Option #1".into(),
                option_number: 1,
                line_items: copy_lines(&d.line_items),
                // Leads keep percent, options a fraction.
                tax_rate: d.tax_rate / 100.0,
                tax_name: d.tax_name.clone(),
                tags: d.tags.clone(),
                notes: d.note.clone().map(note).into_iter().collect(),
                created_at: now,
                updated_at: now,
                ..OptionDoc::default()
            }],
            lead_id: Some(lead.id.clone()),
            ..EstimateDoc::default()
        },
    }
}
