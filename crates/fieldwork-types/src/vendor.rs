//! Vendors: supplier companies a business buys parts from (Fieldwork's addition).

use serde::{Deserialize, Serialize};

/// A vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vendor {
    pub id: String,
    pub name: String,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<VendorAddress>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub company_id: String,
}

/// A vendor's postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorAddress {
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub street_line_2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// Body of `POST /vendors` (`name` required).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VendorIn {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<VendorAddress>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// Body of `PUT /vendors/{id}`: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VendorPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub address: Option<Option<VendorAddress>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub notes: Option<Option<String>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}
