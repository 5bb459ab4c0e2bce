//! Turns stored estimates into HCP's `Estimate`.

use fieldwork_store::time::format_ts;
use fieldwork_types::{EstimateFields, EstimateOption, Schedule};

use super::doc::{OptionDoc, STATUS_COPIED, StoredEstimate};
use crate::services::jobs::Context;
use crate::services::jobs::embedded::RawJson;

/// An estimate as the server renders it: its customer and address embedded as JSON serialized
/// beforehand.
pub type Estimate = fieldwork_types::Estimate<RawJson, RawJson>;

/// Renders one estimate; `attachments` includes each option's attachments.
pub fn estimate(ctx: &Context, stored: &StoredEstimate, attachments: bool) -> Estimate {
    let d = &stored.doc;
    let span = d.span();
    Estimate {
        id: stored.id.clone(),
        estimate_number: stored.number.to_string(),
        work_status: d.work_status.clone(),
        lead_source: d.lead_source.clone(),
        customer: ctx.customer_plain(&d.customer_id),
        address: ctx.address(&d.customer_id, d.address_id.as_ref()),
        work_timestamps: d.work_timestamps.clone(),
        schedule: Schedule {
            scheduled_start: span.map(|s| format_ts(s.0)),
            scheduled_end: span.map(|s| format_ts(s.1)),
            arrival_window: d.arrival_window,
            // Like a job without `expand[]=appointments`: the visit shows as start and end.
            appointments: None,
        },
        assigned_employees: ctx.employees(&d.employee_ids()),
        estimate_fields: EstimateFields {
            job_type_id: d.job_type_id.clone(),
            business_unit_id: None,
        },
        options: d
            .options
            .iter()
            .map(|o| option(o, &d.work_status, attachments))
            .collect(),
        created_at: format_ts(stored.created_at),
        updated_at: format_ts(stored.updated_at),
        company_name: ctx.company_name().to_owned(),
        company_id: ctx.company_id.clone(),
    }
}

/// Renders one option; its `status` follows the estimate's until it becomes a job.
pub fn option(o: &OptionDoc, work_status: &str, attachments: bool) -> EstimateOption {
    let totals = o.totals();
    EstimateOption {
        id: o.id.clone(),
        name: o.name.clone(),
        option_number: o.option_number.to_string(),
        total_amount: totals.total,
        subtotal: totals.subtotal,
        tax_amount: totals.tax,
        tax_rate: o.tax_rate,
        tax_name: o.tax_name.clone(),
        approval_status: o.approval_status.clone(),
        status: if o.job_id.is_some() {
            STATUS_COPIED.to_owned()
        } else {
            work_status.to_owned()
        },
        message_from_pro: o.message_from_pro.clone(),
        tags: o.tags.iter().map(|t| t.name.clone()).collect(),
        notes: o.notes.clone(),
        links: o.links.clone(),
        copied_on_approval_to_job_id: o.job_id.clone(),
        created_at: format_ts(o.created_at),
        updated_at: format_ts(o.updated_at),
        attachments: attachments.then(|| o.attachments.clone()),
    }
}
