//! Turns stored leads into HCP's `Lead`.

use fieldwork_store::time::format_ts;

use super::doc::StoredLead;
use crate::services::jobs::Context;
use crate::services::jobs::embedded::RawJson;

/// A lead as the server renders it: its customer and address embedded as JSON serialized
/// beforehand.
pub type Lead = fieldwork_types::Lead<RawJson, RawJson>;

/// Renders one lead.
pub fn lead(ctx: &Context, stored: &StoredLead) -> Lead {
    let d = &stored.doc;
    let totals = d.totals();
    Lead {
        id: stored.id.clone(),
        number: stored.number,
        customer: ctx.customer_plain(&d.customer_id),
        address: ctx.address(&d.customer_id, d.address_id.as_ref()),
        lead_source: d.lead_source.clone(),
        tags: d.tags.iter().map(|t| t.name.clone()).collect(),
        assigned_employee: d
            .assigned_employee_id
            .as_ref()
            .and_then(|id| ctx.employee(id).cloned()),
        status: d.status.clone(),
        // Fieldwork has no pipeline statuses yet.
        pipeline_status: None,
        lost_at: d.lost_at.map(format_ts),
        note: d.note.clone(),
        tax_rate: d.tax_rate,
        tax_name: d.tax_name.clone(),
        subtotal: totals.subtotal,
        total_amount: totals.total,
        job_id: d.job_id.clone(),
        estimate_id: d.estimate_id.clone(),
        created_at: format_ts(stored.created_at),
        updated_at: format_ts(stored.updated_at),
        company_name: ctx.company_name().to_owned(),
        company_id: ctx.company_id.clone(),
    }
}
