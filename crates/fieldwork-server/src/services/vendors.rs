//! Vendor rules: a name is required; contact fields are trimmed and checked.

use fieldwork_types::{VendorAddress, VendorIn, VendorPatch};

use super::validate::{self, MAX_NOTES, MAX_TEXT};
use crate::error::{ApiError, ApiResult};

/// Validates a new vendor.
pub fn new_vendor(input: VendorIn) -> ApiResult<VendorIn> {
    Ok(VendorIn {
        name: Some(validate::required("name", input.name, MAX_TEXT)?),
        contact_name: validate::text("contact_name", input.contact_name, MAX_TEXT)?,
        email: validate::email("email", input.email)?,
        phone: validate::text("phone", input.phone, MAX_TEXT)?,
        address: input.address.map(address).transpose()?.flatten(),
        notes: validate::text("notes", input.notes, MAX_NOTES)?,
        tags: validate::tags("tags", input.tags)?,
    })
}

/// Validates a vendor update.
pub fn patch(input: VendorPatch) -> ApiResult<VendorPatch> {
    let name = match input.name {
        None => None,
        Some(n) => Some(
            validate::text("name", Some(n), MAX_TEXT)?
                .ok_or_else(|| ApiError::invalid("name", "can't be blank"))?,
        ),
    };
    Ok(VendorPatch {
        name,
        contact_name: validate::patch_text("contact_name", input.contact_name, MAX_TEXT)?,
        email: input
            .email
            .map(|e| validate::email("email", e))
            .transpose()?,
        phone: validate::patch_text("phone", input.phone, MAX_TEXT)?,
        address: input
            .address
            .map(|a| a.map(address).transpose().map(Option::flatten))
            .transpose()?,
        notes: validate::patch_text("notes", input.notes, MAX_NOTES)?,
        tags: validate::tags("tags", input.tags)?,
    })
}

/// Trims an address; one with every field blank is no address.
fn address(a: VendorAddress) -> ApiResult<Option<VendorAddress>> {
    let a = VendorAddress {
        street: validate::text("address.street", a.street, MAX_TEXT)?,
        street_line_2: validate::text("address.street_line_2", a.street_line_2, MAX_TEXT)?,
        city: validate::text("address.city", a.city, MAX_TEXT)?,
        state: validate::text("address.state", a.state, MAX_TEXT)?,
        zip: validate::text("address.zip", a.zip, MAX_TEXT)?,
        country: validate::text("address.country", a.country, MAX_TEXT)?,
    };
    Ok((a != VendorAddress::default()).then_some(a))
}
