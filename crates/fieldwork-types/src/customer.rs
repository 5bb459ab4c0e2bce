//! Customers and their addresses.

use serde::{Deserialize, Serialize};

/// A customer as HCP returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile_number: Option<String>,
    pub home_number: Option<String>,
    pub work_number: Option<String>,
    pub company: Option<String>,
    pub notifications_enabled: bool,
    pub lead_source: Option<String>,
    pub notes: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub company_name: String,
    pub company_id: String,
    pub tags: Vec<String>,
    pub addresses: Vec<Address>,
    /// Present only with `expand[]=attachments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
    /// Present only with `expand[]=do_not_service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub do_not_service: Option<bool>,
}

impl Customer {
    /// The customer as `GET /customers/{id}` shows it without `expand[]` (and as its webhook
    /// events carry it): the expandable fields left out.
    pub fn unexpanded(mut self) -> Self {
        self.attachments = None;
        self.do_not_service = None;
        self
    }
}

/// A file attached to a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub file_name: String,
    pub url: String,
    pub file_type: Option<String>,
}

/// Body of `POST /customers`: at least one of the names, email or numbers is required.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CustomerIn {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub notifications_enabled: Option<bool>,
    #[serde(default)]
    pub mobile_number: Option<String>,
    #[serde(default)]
    pub home_number: Option<String>,
    #[serde(default)]
    pub work_number: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub lead_source: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub addresses: Option<Vec<AddressIn>>,
}

/// Body of `PUT /customers/{id}`: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CustomerPatch {
    #[serde(default, deserialize_with = "crate::double_option")]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub company: Option<Option<String>>,
    #[serde(default)]
    pub notifications_enabled: Option<bool>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub mobile_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub home_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub work_number: Option<Option<String>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub lead_source: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::double_option")]
    pub notes: Option<Option<String>>,
}

/// A customer's address as HCP returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub id: String,
    /// `billing` or `service`.
    #[serde(rename = "type")]
    pub kind: String,
    pub street: Option<String>,
    pub street_line_2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
}

/// Body of `POST /customers/{id}/addresses` (and each entry of `CustomerIn::addresses`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AddressIn {
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
    /// `billing` or `service` (Fieldwork accepts it; HCP defaults to `service`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// A number or a numeric string; accepted and ignored.
    #[serde(default)]
    pub latitude: Option<serde_json::Value>,
    /// A number or a numeric string; accepted and ignored.
    #[serde(default)]
    pub longitude: Option<serde_json::Value>,
}
