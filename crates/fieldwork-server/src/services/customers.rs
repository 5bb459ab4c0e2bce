//! Customer rules: who counts as identified, what an address needs, what `expand[]` shows.

use fieldwork_store::Store;
use fieldwork_types::{Address, AddressIn, Customer, CustomerIn, CustomerPatch};

use super::validate::{self, MAX_NOTES, MAX_TEXT};
use crate::error::{ApiError, ApiResult};

/// What `expand[]` can ask for on customers.
pub const EXPANDABLE: &[&str] = &["attachments", "do_not_service"];

const IDENTIFYING: &str = "first_name, last_name, email, mobile_number, home_number or work_number";

/// Validates and creates a customer.
pub async fn create(store: &dyn Store, company_id: &str, input: CustomerIn) -> ApiResult<Customer> {
    let input = clean(input)?;
    let identified = [
        &input.first_name,
        &input.last_name,
        &input.email,
        &input.mobile_number,
        &input.home_number,
        &input.work_number,
    ]
    .iter()
    .any(|f| f.is_some());
    if !identified {
        return Err(ApiError::invalid(
            "first_name",
            format!("is missing: one of {IDENTIFYING} is required"),
        ));
    }
    Ok(store
        .create_customer(company_id, input, &["customer.created"])
        .await?)
}

fn clean(input: CustomerIn) -> ApiResult<CustomerIn> {
    let addresses = match input.addresses {
        None => None,
        Some(list) => Some(
            list.into_iter()
                .enumerate()
                .map(|(i, a)| address(&format!("addresses[{i}]."), a))
                .collect::<ApiResult<Vec<_>>>()?,
        ),
    };
    Ok(CustomerIn {
        first_name: validate::text("first_name", input.first_name, MAX_TEXT)?,
        last_name: validate::text("last_name", input.last_name, MAX_TEXT)?,
        email: validate::email("email", input.email)?,
        company: validate::text("company", input.company, MAX_TEXT)?,
        notifications_enabled: input.notifications_enabled,
        mobile_number: validate::text("mobile_number", input.mobile_number, MAX_TEXT)?,
        home_number: validate::text("home_number", input.home_number, MAX_TEXT)?,
        work_number: validate::text("work_number", input.work_number, MAX_TEXT)?,
        tags: validate::tags("tags", input.tags)?,
        lead_source: validate::text("lead_source", input.lead_source, MAX_TEXT)?,
        notes: validate::text("notes", input.notes, MAX_NOTES)?,
        addresses,
    })
}

/// Validates and applies a partial update; a customer must stay identifiable.
pub async fn update(
    store: &dyn Store,
    company_id: &str,
    customer_id: &str,
    patch: CustomerPatch,
) -> ApiResult<Customer> {
    let patch = CustomerPatch {
        first_name: validate::patch_text("first_name", patch.first_name, MAX_TEXT)?,
        last_name: validate::patch_text("last_name", patch.last_name, MAX_TEXT)?,
        email: patch
            .email
            .map(|e| validate::email("email", e))
            .transpose()?,
        company: validate::patch_text("company", patch.company, MAX_TEXT)?,
        notifications_enabled: patch.notifications_enabled,
        mobile_number: validate::patch_text("mobile_number", patch.mobile_number, MAX_TEXT)?,
        home_number: validate::patch_text("home_number", patch.home_number, MAX_TEXT)?,
        work_number: validate::patch_text("work_number", patch.work_number, MAX_TEXT)?,
        tags: validate::tags("tags", patch.tags)?,
        lead_source: validate::patch_text("lead_source", patch.lead_source, MAX_TEXT)?,
        notes: validate::patch_text("notes", patch.notes, MAX_NOTES)?,
    };
    let current = store.get_customer(company_id, customer_id).await?;
    let after = |change: &Option<Option<String>>, now: &Option<String>| match change {
        Some(v) => v.is_some(),
        None => now.is_some(),
    };
    let identified = after(&patch.first_name, &current.first_name)
        || after(&patch.last_name, &current.last_name)
        || after(&patch.email, &current.email)
        || after(&patch.mobile_number, &current.mobile_number)
        || after(&patch.home_number, &current.home_number)
        || after(&patch.work_number, &current.work_number);
    if !identified {
        return Err(ApiError::invalid(
            "first_name",
            format!("is missing: one of {IDENTIFYING} is required"),
        ));
    }
    Ok(store
        .update_customer(company_id, customer_id, patch, &["customer.updated"])
        .await?)
}

/// Validates an address: street, city, state, zip and country are required.
/// `prefix` names where it sits in the body (e.g. `addresses[0].`).
pub fn address(prefix: &str, a: AddressIn) -> ApiResult<AddressIn> {
    let field = |name: &str| format!("{prefix}{name}");
    let kind = match validate::text(&field("type"), a.kind, MAX_TEXT)? {
        None => None,
        Some(k) if k == "billing" || k == "service" => Some(k),
        Some(_) => {
            return Err(ApiError::invalid(
                field("type"),
                "must be billing or service",
            ));
        }
    };
    for (name, value) in [("latitude", &a.latitude), ("longitude", &a.longitude)] {
        let ok = match value {
            None | Some(serde_json::Value::Null) | Some(serde_json::Value::Number(_)) => true,
            Some(serde_json::Value::String(s)) => {
                s.trim().is_empty() || s.trim().parse::<f64>().is_ok()
            }
            Some(_) => false,
        };
        if !ok {
            return Err(ApiError::bad_field(
                field(name),
                "must be a number or a numeric string",
            ));
        }
    }
    Ok(AddressIn {
        street: Some(validate::required(&field("street"), a.street, MAX_TEXT)?),
        street_line_2: validate::text(&field("street_line_2"), a.street_line_2, MAX_TEXT)?,
        city: Some(validate::required(&field("city"), a.city, MAX_TEXT)?),
        state: Some(validate::required(&field("state"), a.state, MAX_TEXT)?),
        zip: Some(validate::required(&field("zip"), a.zip, MAX_TEXT)?),
        country: Some(validate::required(&field("country"), a.country, MAX_TEXT)?),
        kind,
        latitude: a.latitude,
        longitude: a.longitude,
    })
}

/// Validates and adds an address to a customer.
pub async fn create_address(
    store: &dyn Store,
    company_id: &str,
    customer_id: &str,
    input: AddressIn,
) -> ApiResult<Address> {
    add_address(store, company_id, customer_id, address("", input)?).await
}

/// Adds an already validated address (an estimate's or a lead's inline one, too). A new address
/// changes the customer: `customer.updated` carries the whole customer.
pub async fn add_address(
    store: &dyn Store,
    company_id: &str,
    customer_id: &str,
    valid: AddressIn,
) -> ApiResult<Address> {
    Ok(store
        .create_address(company_id, customer_id, valid, &["customer.updated"])
        .await?)
}

/// Shapes a stored customer for the response: expanded fields only when asked for.
pub fn present(customer: Customer, expand: &[String]) -> Customer {
    let wants = |name: &str| expand.iter().any(|e| e == name);
    let do_not_service = customer.do_not_service.unwrap_or(false);
    let mut customer = customer.unexpanded();
    if wants("do_not_service") {
        customer.do_not_service = Some(do_not_service);
    }
    // Customer attachments cannot be uploaded through the API yet; the list is empty.
    customer.attachments = wants("attachments").then(Vec::new);
    customer
}
