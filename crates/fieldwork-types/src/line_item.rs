//! Line items: the priced lines of jobs, estimate options and leads. Money is integer cents.

use serde::{Deserialize, Serialize};

/// A line item as HCP returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    pub object: String,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Cents per unit; for `percent discount` lines, the percentage.
    pub unit_price: i64,
    /// Cents per unit.
    pub unit_cost: i64,
    pub unit_of_measure: Option<String>,
    /// Up to two decimals.
    pub quantity: f64,
    /// `labor`, `materials`, `fixed gratuity`, `fixed discount` or `percent discount`.
    pub kind: String,
    pub taxable: bool,
    /// Cents; negative for discounts.
    pub amount: i64,
    pub order_index: i64,
    pub service_item_id: Option<String>,
    /// `market_place`, `organizational`, `pricebook_material` or null.
    pub service_item_type: Option<String>,
    pub pricing_form: Option<serde_json::Value>,
}

/// A line item in a request: create (no `id`) or, in a bulk update, replace (with `id`).
///
/// Numbers are read as JSON numbers; money must be whole cents (checked by the service).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LineItemIn {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub unit_price: Option<f64>,
    #[serde(default)]
    pub unit_cost: Option<f64>,
    #[serde(default)]
    pub unit_of_measure: Option<String>,
    #[serde(default)]
    pub quantity: Option<f64>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub taxable: Option<bool>,
    #[serde(default)]
    pub service_item_id: Option<String>,
    #[serde(default)]
    pub service_item_type: Option<String>,
    #[serde(default)]
    pub pricing_form: Option<serde_json::Value>,
}

/// Body of `PUT …/line_items/bulk_update`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LineItemsBulkIn {
    #[serde(default)]
    pub line_items: Option<Vec<LineItemIn>>,
    /// Keep lines the request does not name (default: they are deleted).
    #[serde(default)]
    pub append_line_items: Option<bool>,
}

/// A Stripe-style list: `{object: "list", data, url}` (job line items).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataList<T> {
    pub object: String,
    pub data: Vec<T>,
    pub url: String,
}

/// Answer of `PUT …/line_items/bulk_update`: the lines after the update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineItemsOut {
    pub line_items: Vec<LineItem>,
}
