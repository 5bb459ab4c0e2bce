//! Employees (HCP calls them pros).

use serde::{Deserialize, Serialize};

/// An employee as HCP returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Employee {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile_number: Option<String>,
    /// Six hex digits without `#`, as HCP sends it.
    pub color_hex: Option<String>,
    pub avatar_url: Option<String>,
    pub role: Option<String>,
    pub created_at: String,
    pub tags: Vec<String>,
    pub permissions: Permissions,
    pub company_name: String,
    pub company_id: String,
}

/// The 17 permission flags of an employee.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Permissions {
    pub can_add_and_edit_job: bool,
    pub can_be_booked_online: bool,
    pub can_call_and_text_with_customers: bool,
    pub can_chat_with_customers: bool,
    pub can_delete_and_cancel_job: bool,
    pub can_edit_message_on_invoice: bool,
    pub can_see_street_view_data: bool,
    pub can_share_job: bool,
    pub can_take_payment_see_prices: bool,
    pub can_see_customers: bool,
    pub can_see_full_schedule: bool,
    pub can_see_future_jobs: bool,
    pub can_see_marketing_campaigns: bool,
    pub can_see_reporting: bool,
    pub can_edit_settings: bool,
    pub is_point_of_contact: bool,
    pub is_admin: bool,
}

impl Permissions {
    /// Every permission granted: what an office admin has.
    pub fn admin() -> Self {
        Self {
            can_add_and_edit_job: true,
            can_be_booked_online: true,
            can_call_and_text_with_customers: true,
            can_chat_with_customers: true,
            can_delete_and_cancel_job: true,
            can_edit_message_on_invoice: true,
            can_see_street_view_data: true,
            can_share_job: true,
            can_take_payment_see_prices: true,
            can_see_customers: true,
            can_see_full_schedule: true,
            can_see_future_jobs: true,
            can_see_marketing_campaigns: true,
            can_see_reporting: true,
            can_edit_settings: true,
            is_point_of_contact: true,
            is_admin: true,
        }
    }

    /// What a field technician typically has.
    pub fn field_tech() -> Self {
        Self {
            can_add_and_edit_job: true,
            can_be_booked_online: true,
            can_call_and_text_with_customers: true,
            can_chat_with_customers: true,
            can_see_street_view_data: true,
            can_share_job: true,
            can_take_payment_see_prices: true,
            can_see_customers: true,
            can_see_future_jobs: true,
            ..Self::default()
        }
    }
}

/// What `fieldwork employees create` passes to the store (HCP has no employee API).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EmployeeIn {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile_number: Option<String>,
    pub color_hex: Option<String>,
    pub role: Option<String>,
    pub tags: Vec<String>,
    pub permissions: Permissions,
}
