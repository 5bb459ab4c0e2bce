//! Example objects for the catalog: what a plumbing company's events look like.

use serde_json::{Value, json};

pub(super) const JOB_ID: &str = "job_4f1c2b7e9a0d4c3b8e6f5a4d3c2b1a09";
const CUSTOMER_ID: &str = "cus_8d2e4f6a1b3c5d7e9f0a2b4c6d8e0f12";
const PRO_ID: &str = "pro_1a2b3c4d5e6f708192a3b4c5d6e7f809";
const COMPANY: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const COMPANY_NAME: &str = "Bayside Plumbing & Heating";

fn address() -> Value {
    json!({
        "id": "adr_3e5f7a9b1c2d4e6f8a0b1c2d3e4f5a6b", "type": "service",
        "street": "1428 Alder Way", "street_line_2": null, "city": "Oakland", "state": "CA",
        "zip": "94610", "country": "USA"
    })
}

pub(super) fn customer() -> Value {
    json!({
        "id": CUSTOMER_ID, "first_name": "Maya", "last_name": "Okafor",
        "email": "maya.okafor@example.com", "mobile_number": "4155550142", "home_number": null,
        "work_number": null, "company": null, "notifications_enabled": true,
        "lead_source": "Google", "notes": "Side gate code 1234",
        "created_at": "2026-11-20T17:02:11Z", "updated_at": "2026-11-27T09:15:40Z",
        "company_name": COMPANY_NAME, "company_id": COMPANY, "tags": ["residential"],
        "addresses": [address()]
    })
}

pub(super) fn employee() -> Value {
    json!({
        "id": PRO_ID, "first_name": "Luis", "last_name": "Ortega",
        "email": "luis@baysideplumbing.example", "mobile_number": "4155550177",
        "color_hex": "EF9159", "avatar_url": null, "role": "field tech",
        "created_at": "2026-11-27T08:00:00Z", "tags": [],
        "permissions": {"can_add_and_edit_job": true, "can_be_booked_online": true,
                        "can_call_and_text_with_customers": true, "can_chat_with_customers": true,
                        "can_delete_and_cancel_job": false, "can_edit_message_on_invoice": false,
                        "can_see_street_view_data": true, "can_share_job": true,
                        "can_take_payment_see_prices": true, "can_see_customers": true,
                        "can_see_full_schedule": false, "can_see_future_jobs": true,
                        "can_see_marketing_campaigns": false, "can_see_reporting": false,
                        "can_edit_settings": false, "is_point_of_contact": false,
                        "is_admin": false},
        "company_name": COMPANY_NAME, "company_id": COMPANY
    })
}

/// An appointment as `job.appointment.*` carries it: the REST shape plus its `job_id`.
pub(super) fn appointment() -> Value {
    let mut a = job_appointment();
    a["job_id"] = json!(JOB_ID);
    a
}

/// An appointment as a job lists it.
fn job_appointment() -> Value {
    json!({
        "id": "apt_6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
        "start_date": "2026-12-01", "start_time": "2026-12-01T16:00:00Z",
        "end_time": "2026-12-01T18:00:00Z", "anytime": false, "arrival_window_minutes": 60,
        "dispatched_employees_ids": [PRO_ID]
    })
}

pub(super) fn job(event: &str) -> Value {
    let (status, started, completed, on_my_way) = match event {
        "job.created" | "job.updated" => ("needs scheduling", None, None, None),
        "job.on_my_way" => ("scheduled", None, None, Some("2026-12-01T15:40:12Z")),
        "job.started" => ("in progress", Some("2026-12-01T16:05:00Z"), None, None),
        "job.completed" | "job.paid" => (
            "complete unrated",
            Some("2026-12-01T16:05:00Z"),
            Some("2026-12-01T17:48:30Z"),
            None,
        ),
        "job.canceled" => ("pro canceled", None, None, None),
        _ => ("scheduled", None, None, None),
    };
    let scheduled = status != "needs scheduling";
    json!({
        "id": JOB_ID, "invoice_number": "1042", "description": "Replace 50 gal water heater",
        "customer": {
            "id": CUSTOMER_ID, "first_name": "Maya", "last_name": "Okafor",
            "email": "maya.okafor@example.com", "mobile_number": "4155550142",
            "home_number": null, "work_number": null, "company": null,
            "notifications_enabled": true, "lead_source": "Google", "notes": [],
            "created_at": "2026-11-20T17:02:11Z", "updated_at": "2026-11-27T09:15:40Z",
            "company_name": COMPANY_NAME, "company_id": COMPANY, "tags": ["residential"]
        },
        "address": address(),
        "notes": [{"id": "nte_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "content": "Dog in yard"}],
        "work_status": status,
        "work_timestamps": {"on_my_way_at": on_my_way, "started_at": started,
                            "completed_at": completed},
        "schedule": {
            "scheduled_start": if scheduled { json!("2026-12-01T16:00:00Z") } else { Value::Null },
            "scheduled_end": if scheduled { json!("2026-12-01T18:00:00Z") } else { Value::Null },
            "arrival_window": 60,
            "appointments": if scheduled { json!([job_appointment()]) } else { json!([]) }
        },
        "total_amount": 114_900, "outstanding_balance": if event == "job.paid" { 0 } else { 114_900 },
        "subtotal": 119_900,
        "assigned_employees": [employee()],
        "tags": ["urgent"], "original_estimate_id": null, "original_estimate_uuids": [],
        "lead_source": "Google",
        "job_fields": {"job_type": {"id": "jbt_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                                    "name": "Water heater"}, "business_unit": null},
        "locked_at": null,
        "created_at": "2026-11-27T09:20:00Z", "updated_at": "2026-11-27T09:20:00Z",
        "canceled_at": null,
        "deleted_at": if event == "job.canceled" { json!("2026-11-28T10:00:00Z") } else { Value::Null },
        "company_name": COMPANY_NAME, "company_id": COMPANY,
        "recurrence_number": null, "recurrence_rule": null
    })
}

/// The customer as estimates and leads embed it (no addresses; notes as one text).
fn embedded_customer() -> Value {
    json!({
        "id": CUSTOMER_ID, "first_name": "Maya", "last_name": "Okafor",
        "email": "maya.okafor@example.com", "mobile_number": "4155550142", "home_number": null,
        "work_number": null, "company": null, "notifications_enabled": true,
        "lead_source": "Google", "notes": "Side gate code 1234",
        "created_at": "2026-11-20T17:02:11Z", "updated_at": "2026-11-27T09:15:40Z",
        "company_name": COMPANY_NAME, "company_id": COMPANY, "tags": ["residential"]
    })
}

/// An estimate; `event` decides its option's approval and its visit.
pub(super) fn estimate(event: &str) -> Value {
    let approval = match event {
        "estimate.option.approval_status_changed" | "estimate.copy_to_job" => json!("pro approved"),
        _ => Value::Null,
    };
    let copied = event == "estimate.copy_to_job";
    let scheduled = event != "estimate.created";
    json!({
        "id": "csr_2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e0b", "estimate_number": "3017",
        "work_status": if scheduled { "scheduled" } else { "needs scheduling" },
        "lead_source": "Yelp", "customer": embedded_customer(), "address": address(),
        "work_timestamps": {"on_my_way_at": null, "started_at": null, "completed_at": null},
        "schedule": {
            "scheduled_start": if scheduled { json!("2026-11-30T17:00:00Z") } else { Value::Null },
            "scheduled_end": if scheduled { json!("2026-11-30T18:00:00Z") } else { Value::Null },
            "arrival_window": 30
        },
        "assigned_employees": [employee()],
        "estimate_fields": {"job_type_id": null, "business_unit_id": null},
        "options": [{
            "id": "est_5d6e7f8091a2b3c4d5e6f708192a3b4c", "name": "Tankless upgrade",
            "option_number": "1", "total_amount": 389_000, "subtotal": 389_000,
            "tax_amount": 0, "tax_rate": 0.0, "tax_name": null, "approval_status": approval,
            "status": if copied { "created job from estimate" } else if scheduled { "scheduled" } else { "needs scheduling" },
            "message_from_pro": "Includes permit and haul-away.", "tags": [], "notes": [],
            "links": [],
            "copied_on_approval_to_job_id": if copied { json!(JOB_ID) } else { Value::Null },
            "created_at": "2026-11-25T18:00:00Z", "updated_at": "2026-11-27T09:18:00Z"
        }],
        "created_at": "2026-11-25T18:00:00Z", "updated_at": "2026-11-27T09:18:00Z",
        "company_name": COMPANY_NAME, "company_id": COMPANY
    })
}

/// An invoice as `GET /api/invoices/{uuid}` shows it, in the state `event` leaves it.
pub(super) fn invoice(event: &str) -> Value {
    let paid = matches!(event, "invoice.paid" | "invoice.payment.succeeded");
    let status = match event {
        "invoice.voided" => "voided",
        "invoice.canceled" => "canceled",
        _ if paid => "paid",
        _ => "open",
    };
    json!({
        "id": "inv_7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b", "job_id": JOB_ID,
        "status": status, "invoice_number": "1042", "amount": 114_900, "subtotal": 119_900,
        "due_amount": if paid || status == "voided" { 0 } else { 114_900 },
        "due_at": "2026-12-15T17:48:30Z", "display_due_concept": "Net 14",
        "due_concept": "net_14",
        "paid_at": if paid { json!("2026-12-02T19:30:00Z") } else { Value::Null },
        "sent_at": null, "service_date": "2026-12-01", "invoice_date": "2026-12-01",
        "items": [{"id": "rli_3a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9", "name": "Water heater install",
                   "unit_cost": 0, "unit_price": 119_900, "qty_in_hundredths": 100,
                   "amount": 119_900, "description": null, "type": "labor"}],
        "taxes": [],
        "discounts": [{"id": "rli_4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0", "amount": 5_000,
                       "name": "Loyalty", "description": null}],
        "payments": if paid { json!([{"id": "pmt_1f2e3d4c5b6a79880716a5b4c3d2e1f0",
                                       "status": "succeeded", "payment_method": "credit_card",
                                       "amount": 114_900, "note": null,
                                       "paid_at": "2026-12-02T19:30:00Z",
                                       "category": "payment"}]) } else { json!([]) }
    })
}

/// A lead as `GET /leads/{id}` shows it, in the state `event` leaves it.
pub(super) fn lead(event: &str) -> Value {
    let status = match event {
        "lead.converted" => "won",
        "lead.lost" => "lost",
        _ => "open",
    };
    json!({
        "id": "lea_0f1e2d3c4b5a69788796a5b4c3d2e1f0", "number": 88,
        "customer": embedded_customer(), "address": address(), "lead_source": "Angi",
        "tags": [], "assigned_employee": null, "status": status, "pipeline_status": null,
        "lost_at": if status == "lost" { json!("2026-11-27T09:00:00Z") } else { Value::Null },
        "note": "Wants a quote for a sump pump", "tax_rate": 0.0, "tax_name": null,
        "subtotal": 45_000, "total_amount": 45_000,
        "job_id": if status == "won" { json!(JOB_ID) } else { Value::Null },
        "estimate_id": null,
        "created_at": "2026-11-26T14:00:00Z", "updated_at": "2026-11-27T09:00:00Z",
        "company_name": COMPANY_NAME, "company_id": COMPANY
    })
}
