//! Demo jobs: 200 jobs of the plumbing business over the past and next 60 days, in every
//! `work_status`, with priced line items, crews, notes and tags.

use fieldwork_store::ids::new_id;
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_store::{CompanyRecord, ListParams, Store};
use fieldwork_types::{LineItemIn, WorkTimestamps};

use crate::services::jobs::create::{APPOINTMENT_PREFIX, NewJob, note};
use crate::services::jobs::{JobDoc, StoredAppointment, status};
use crate::services::line_items;

/// How many demo jobs there are.
pub const COUNT: usize = 200;
const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;

/// A priced line: name, kind, cents per unit, quantity.
type Line = (&'static str, &'static str, i64, f64);

/// Services the business sells: a description and its lines.
const WORK: &[(&str, &[Line])] = &[
    (
        "Clear kitchen sink drain",
        &[("Drain cleaning, first line", "labor", 18_900, 1.0)],
    ),
    (
        "Replace 50-gal gas water heater",
        &[
            ("Water heater 50 gal, gas", "materials", 129_900, 1.0),
            ("Installation labor", "labor", 12_500, 4.0),
            ("Haul away old unit", "labor", 7_500, 1.0),
        ],
    ),
    (
        "Water heater pilot keeps going out",
        &[
            ("Diagnostic visit", "labor", 8_900, 1.0),
            ("Thermocouple", "materials", 3_450, 1.0),
        ],
    ),
    (
        "Leak under bathroom vanity",
        &[
            ("Leak repair", "labor", 12_500, 1.5),
            ("Supply lines, braided", "materials", 1_899, 2.0),
        ],
    ),
    (
        "Annual furnace tune-up",
        &[
            ("Furnace tune-up", "labor", 14_900, 1.0),
            ("Filter 16x25x1", "materials", 1_299, 2.0),
            ("Maintenance plan discount", "fixed discount", 2_000, 1.0),
        ],
    ),
    (
        "No heat: furnace igniter",
        &[
            ("Diagnostic visit", "labor", 8_900, 1.0),
            ("Hot surface igniter", "materials", 8_450, 1.0),
            ("Repair labor", "labor", 12_500, 1.0),
        ],
    ),
    (
        "Repipe upstairs bathroom in PEX",
        &[
            ("PEX repipe, per fixture", "labor", 45_000, 3.0),
            ("PEX and fittings", "materials", 38_500, 1.0),
            ("Drywall patch", "labor", 17_500, 1.0),
            ("Senior discount", "percent discount", 10, 1.0),
        ],
    ),
    (
        "Install new kitchen faucet",
        &[
            ("Fixture install", "labor", 16_500, 1.0),
            ("Customer-supplied faucet", "materials", 0, 1.0),
        ],
    ),
    (
        "Sewer camera inspection",
        &[("Sewer line camera inspection", "labor", 29_900, 1.0)],
    ),
    (
        "Garbage disposal replacement",
        &[
            ("Disposal 3/4 HP", "materials", 24_900, 1.0),
            ("Installation labor", "labor", 12_500, 1.0),
        ],
    ),
];
const NOTES: &[&str] = &[
    "Customer works from home; call before arriving.",
    "Dog in the backyard, use the side gate.",
    "Parking on the street only.",
    "Shut-off valve is in the garage behind the shelves.",
    "Tenant will let us in; owner pays the invoice.",
];

/// Seeds the demo jobs, in one transaction.
pub async fn seed(store: &dyn Store, company: &CompanyRecord) -> anyhow::Result<()> {
    let id = company.id.as_str();
    let all = ListParams::all();
    let customers = store.list_customers(id, None, &all).await?.items;
    let pros: Vec<String> = store
        .list_employees(id, &all)
        .await?
        .items
        .into_iter()
        .filter(|e| {
            e.role.as_deref() != Some("office manager") && e.role.as_deref() != Some("owner")
        })
        .map(|e| e.id)
        .collect();
    let job_types = store.list_job_types(id, None, &all).await?.items;
    let tags = store.list_tags(id, &all).await?.items;
    anyhow::ensure!(
        !customers.is_empty() && !pros.is_empty(),
        "seed customers and employees first"
    );
    // Working hours on the company's clock: the demo company is on the US west coast.
    let today = now_micros() / DAY * DAY + 16 * HOUR;
    let mut writes = Vec::with_capacity(COUNT);
    for i in 0..COUNT {
        let customer = &customers[(i * 7) % customers.len()];
        let (description, lines) = WORK[i % WORK.len()];
        let day = (i as i64 * 121 / COUNT as i64) - 60;
        let start = today + day * DAY + (i as i64 % 4) * 2 * HOUR;
        let crew = vec![pros[i % pros.len()].clone()];
        let status = status_of(i, day);
        let inputs: Vec<LineItemIn> = lines
            .iter()
            .map(|(name, kind, price, qty)| LineItemIn {
                name: Some((*name).into()),
                kind: Some((*kind).into()),
                unit_price: Some(*price as f64),
                quantity: Some(*qty),
                taxable: Some(*kind == "materials"),
                ..LineItemIn::default()
            })
            .collect();
        let scheduled = status != status::NEEDS_SCHEDULING;
        let done = |hours: i64| Some(format_ts(start + hours * HOUR));
        let doc = JobDoc {
            description: Some(description.into()),
            customer_id: customer.id.clone(),
            address_id: customer.addresses.first().map(|a| a.id.clone()),
            notes: if i.is_multiple_of(3) {
                vec![note(NOTES[i % NOTES.len()].into())]
            } else {
                Vec::new()
            },
            work_status: status.into(),
            work_timestamps: match status {
                status::IN_PROGRESS => WorkTimestamps {
                    on_my_way_at: done(0),
                    started_at: done(1),
                    completed_at: None,
                },
                status::COMPLETE_UNRATED | status::COMPLETE_RATED => WorkTimestamps {
                    on_my_way_at: done(0),
                    started_at: done(1),
                    completed_at: done(3),
                },
                _ => WorkTimestamps::default(),
            },
            arrival_window: if scheduled { 60 } else { 0 },
            appointments: if scheduled {
                vec![StoredAppointment {
                    id: new_id(APPOINTMENT_PREFIX),
                    start,
                    end: start + 2 * HOUR,
                    anytime: false,
                    arrival_window_minutes: 60,
                    employee_ids: crew.clone(),
                }]
            } else {
                Vec::new()
            },
            line_items: line_items::build_all("line_items", inputs)
                .map_err(|e| anyhow::anyhow!("demo line items: {e:?}"))?,
            assigned_employee_ids: crew,
            tags: tags.get(i % 9).cloned().into_iter().collect(),
            lead_source: Some(["Google", "Yelp", "Referral", "Nextdoor"][i % 4].into()),
            job_type_id: job_types
                .get(i % job_types.len().max(1))
                .map(|t| t.id.clone()),
            tax_rate: 8.625,
            canceled_at: (status == status::USER_CANCELED).then_some(start - DAY),
            deleted_at: (status == status::PRO_CANCELED).then_some(start - DAY),
            ..JobDoc::default()
        };
        let (_, write) = NewJob {
            invoice_number: Some(1001 + i as i64),
            doc,
        }
        .into_write();
        writes.push(write);
    }
    store.write_docs(id, writes).await?;
    Ok(())
}

/// A realistic spread: the past mostly finished, today in progress, the future scheduled,
/// with some cancellations and some jobs still waiting for a date.
fn status_of(i: usize, day: i64) -> &'static str {
    if i.is_multiple_of(17) {
        return status::USER_CANCELED;
    }
    if i.is_multiple_of(23) {
        return status::PRO_CANCELED;
    }
    match day {
        d if d < 0 && i.is_multiple_of(3) => status::COMPLETE_RATED,
        d if d < 0 => status::COMPLETE_UNRATED,
        0 => status::IN_PROGRESS,
        _ if i.is_multiple_of(6) => status::NEEDS_SCHEDULING,
        _ => status::SCHEDULED,
    }
}
