//! Leads: HCP's shape, the create body and the convert action.

use serde::{Deserialize, Serialize};

use crate::{Address, AddressIn, CustomerIn, EmbeddedCustomer, Employee, LineItemIn};

/// A lead as HCP returns it, plus a few Fieldwork additions (marked). The server embeds its customer (`C`) and
/// address (`A`) as JSON serialized beforehand; clients read them as the types named by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead<C = EmbeddedCustomer, A = Address> {
    pub id: String,
    pub number: i64,
    pub customer: C,
    pub address: Option<A>,
    pub lead_source: Option<String>,
    /// Tag names.
    pub tags: Vec<String>,
    pub assigned_employee: Option<Employee>,
    /// `open`, `won` or `lost`.
    pub status: String,
    pub pipeline_status: Option<String>,
    pub lost_at: Option<String>,
    /// Fieldwork addition.
    pub note: Option<String>,
    /// Fieldwork addition: percent (8.25 is 8.25 %).
    pub tax_rate: f64,
    /// Fieldwork addition.
    pub tax_name: Option<String>,
    /// Fieldwork addition: cents, from the line items.
    pub subtotal: i64,
    /// Fieldwork addition: cents, from the line items with discounts and tax.
    pub total_amount: i64,
    /// Fieldwork addition: the job this lead was converted to.
    pub job_id: Option<String>,
    /// Fieldwork addition: the estimate this lead was converted to.
    pub estimate_id: Option<String>,
    /// Fieldwork addition.
    pub created_at: String,
    /// Fieldwork addition.
    pub updated_at: String,
    pub company_name: String,
    pub company_id: String,
}

/// Body of `POST /leads`: `customer_id` or an inline `customer`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LeadIn {
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub customer: Option<CustomerIn>,
    #[serde(default)]
    pub assigned_employee_id: Option<String>,
    #[serde(default)]
    pub address_id: Option<String>,
    #[serde(default)]
    pub address: Option<AddressIn>,
    #[serde(default)]
    pub lead_source: Option<String>,
    #[serde(default)]
    pub line_items: Option<Vec<LineItemIn>>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub tax_name: Option<String>,
    /// Percent, 0 to 100 (the spec types it as an integer).
    #[serde(default)]
    pub tax_rate: Option<f64>,
}

/// Body of `POST /leads/{id}/convert`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConvertIn {
    /// `estimate` or `job`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// Answer of `POST /leads/{id}/convert`: the id of what was created, the other null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvertOut {
    pub job_id: Option<String>,
    pub estimate_id: Option<String>,
}
