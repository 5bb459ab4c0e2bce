//! `POST /leads`: the customer by id or inline, address, employee, lines, tax.

use fieldwork_store::Store;
use fieldwork_store::docs::{Doc, DocKind, DocWrite};
use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_types::LeadIn;

use super::render::Lead;

use super::doc::{LeadDoc, StoredLead, status};
use crate::error::{ApiError, ApiResult};
use crate::services::estimates::create::inline_address;
use crate::services::jobs::create::{check_customer_address, check_employees, tags_by_name};
use crate::services::validate::{self, MAX_NOTES, MAX_TEXT};
use crate::services::{customers, line_items};
use crate::webhooks::events;

/// Validates `POST /leads`, creates the inline customer (and address) if any, stores the lead
/// with its `lead.created`; returns it stored and rendered.
pub async fn create(
    store: &dyn Store,
    company_id: &str,
    input: LeadIn,
) -> ApiResult<(StoredLead, Lead)> {
    let customer_id = validate::text("customer_id", input.customer_id, MAX_TEXT)?;
    let address_id = validate::text("address_id", input.address_id, MAX_TEXT)?;
    match (&customer_id, &input.customer) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "customer",
                "cannot be given together with customer_id",
            ));
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "customer_id",
                "is missing: give customer_id or customer",
            ));
        }
        (None, Some(_)) if address_id.is_some() => {
            return Err(ApiError::invalid(
                "address_id",
                "cannot name an address of a customer that does not exist yet",
            ));
        }
        (Some(id), None) => {
            check_customer_address(store, company_id, id, address_id.as_deref()).await?;
        }
        (None, Some(_)) => {}
    }
    let new_address = match (&address_id, input.address) {
        (None, Some(a)) => Some(inline_address("address.", a)?),
        _ => None,
    };
    let employee = validate::text("assigned_employee_id", input.assigned_employee_id, MAX_TEXT)?;
    if let Some(e) = &employee {
        check_employees(
            store,
            company_id,
            "assigned_employee_id",
            std::slice::from_ref(e),
        )
        .await?;
    }
    let tax_rate = input.tax_rate.unwrap_or(0.0);
    if !tax_rate.is_finite() || !(0.0..=100.0).contains(&tax_rate) {
        return Err(ApiError::invalid(
            "tax_rate",
            "must be a percentage between 0 and 100",
        ));
    }
    let lines = line_items::build_all("line_items", input.line_items.unwrap_or_default())?;
    let lead_source = validate::text("lead_source", input.lead_source, MAX_TEXT)?;
    let note = validate::text("note", input.note, MAX_NOTES)?;
    let tax_name = validate::text("tax_name", input.tax_name, MAX_TEXT)?;
    let tag_names = validate::tags("tags", input.tags)?;
    // Everything is valid: now the side effects, customer first.
    let (customer_id, mut address_id) = match (customer_id, input.customer) {
        (Some(id), _) => (id, address_id),
        (None, Some(mut c)) => {
            // HCP's inline customer addresses carry no country: the US, as inline addresses.
            for a in c.addresses.iter_mut().flatten() {
                a.country.get_or_insert_with(|| "USA".into());
            }
            let created = customers::create(store, company_id, c)
                .await
                .map_err(prefix_fields)?;
            let first = created.addresses.first().map(|a| a.id.clone());
            (created.id, first)
        }
        (None, None) => unreachable!("refused above"),
    };
    if let Some(a) = new_address {
        address_id = Some(
            customers::add_address(store, company_id, &customer_id, a)
                .await?
                .id,
        );
    }
    let tags = match tag_names {
        Some(names) => tags_by_name(store, company_id, names).await?,
        None => Vec::new(),
    };
    let doc = LeadDoc {
        customer_id,
        address_id,
        assigned_employee_id: employee,
        lead_source,
        tags,
        line_items: lines,
        note,
        tax_rate,
        tax_name,
        status: status::OPEN.into(),
        ..LeadDoc::default()
    };
    // The number is taken before the write (gaps are allowed) so `lead.created` carries it.
    let number = store
        .next_number(company_id, DocKind::Lead.counter())
        .await?;
    let now = now_micros();
    let lead = StoredLead {
        id: new_id(super::PREFIX),
        version: 1,
        number,
        created_at: now,
        updated_at: now,
        doc,
    };
    let insert = DocWrite::Insert(Doc {
        kind: DocKind::Lead,
        id: lead.id.clone(),
        version: 1,
        index: lead.doc.index(Some(number), now, now),
        body: serde_json::to_string(&lead.doc).expect("plain data serializes"),
        detail: None,
    });
    let rendered = super::present(store, company_id, &lead).await?;
    let created = events::lead_created(company_id, &rendered);
    store
        .write_docs(company_id, vec![insert, DocWrite::Emit(created)])
        .await?;
    Ok((lead, rendered))
}

/// Errors of the inline customer name its fields as `customer.<field>`.
fn prefix_fields(e: ApiError) -> ApiError {
    match e {
        ApiError::Unprocessable { field, reason } => ApiError::Unprocessable {
            field: format!("customer.{field}"),
            reason,
        },
        ApiError::BadRequest {
            field: Some(field),
            reason,
        } => ApiError::BadRequest {
            field: Some(format!("customer.{field}")),
            reason,
        },
        other => other,
    }
}
