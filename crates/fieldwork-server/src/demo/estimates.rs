//! Demo estimates: 60 plumbing and HVAC quotes with two options each, in varied states —
//! open, scheduled, approved (and so copied to a job) and declined.

use fieldwork_store::{CompanyRecord, ListParams, Store};
use fieldwork_types::{EstimateIn, EstimateOptionIn, EstimateScheduleIn, LineItemIn, TaxIn};

use crate::services::estimates::{approval, create};

/// A line: name, kind, unit price in cents, quantity, taxable.
type Line = (&'static str, &'static str, i64, f64, bool);
/// An option: its name and lines.
type Quoted = (&'static str, &'static [Line]);

/// Quotes a plumbing and heating business writes: two alternatives each.
const QUOTES: &[(&str, [Quoted; 2])] = &[
    (
        "Water heater replacement",
        [
            (
                "50-gal gas tank",
                &[
                    (
                        "Remove and haul away old heater",
                        "labor",
                        15_000,
                        1.0,
                        false,
                    ),
                    ("50 gal gas water heater", "materials", 129_900, 1.0, true),
                    ("Install labor", "labor", 17_500, 3.0, false),
                    ("Expansion tank and fittings", "materials", 8_900, 1.0, true),
                ],
            ),
            (
                "Tankless upgrade",
                &[
                    (
                        "Remove and haul away old heater",
                        "labor",
                        15_000,
                        1.0,
                        false,
                    ),
                    (
                        "Condensing tankless heater, 199k BTU",
                        "materials",
                        289_900,
                        1.0,
                        true,
                    ),
                    ("Gas line upsizing", "labor", 45_000, 1.0, false),
                    ("Install labor", "labor", 17_500, 6.0, false),
                ],
            ),
        ],
    ),
    (
        "Whole-house repipe",
        [
            (
                "PEX repipe",
                &[
                    ("PEX-A pipe and fittings", "materials", 210_000, 1.0, true),
                    ("Repipe labor", "labor", 9_500, 40.0, false),
                    ("Drywall patch", "labor", 65_000, 1.0, false),
                    ("Permit", "fixed gratuity", 35_000, 1.0, false),
                ],
            ),
            (
                "Copper repipe",
                &[
                    (
                        "Type L copper and fittings",
                        "materials",
                        480_000,
                        1.0,
                        true,
                    ),
                    ("Repipe labor", "labor", 9_500, 56.0, false),
                    ("Drywall patch", "labor", 65_000, 1.0, false),
                    ("Permit", "fixed gratuity", 35_000, 1.0, false),
                ],
            ),
        ],
    ),
    (
        "Furnace replacement",
        [
            (
                "80% AFUE furnace",
                &[
                    (
                        "80% AFUE gas furnace, 80k BTU",
                        "materials",
                        189_000,
                        1.0,
                        true,
                    ),
                    ("Install labor", "labor", 12_500, 8.0, false),
                    ("Flue and venting kit", "materials", 24_500, 1.0, true),
                ],
            ),
            (
                "96% AFUE high-efficiency",
                &[
                    (
                        "96% AFUE gas furnace, 80k BTU",
                        "materials",
                        329_000,
                        1.0,
                        true,
                    ),
                    ("Install labor", "labor", 12_500, 10.0, false),
                    (
                        "PVC venting and condensate pump",
                        "materials",
                        38_000,
                        1.0,
                        true,
                    ),
                    ("Utility rebate", "fixed discount", 40_000, 1.0, false),
                ],
            ),
        ],
    ),
    (
        "Sewer line repair",
        [
            (
                "Spot repair",
                &[
                    ("Camera inspection", "labor", 29_500, 1.0, false),
                    ("Excavate and replace 10 ft", "labor", 310_000, 1.0, false),
                    ("SDR-35 pipe and couplings", "materials", 18_500, 1.0, true),
                ],
            ),
            (
                "Trenchless liner",
                &[
                    ("Camera inspection", "labor", 29_500, 1.0, false),
                    ("Cured-in-place liner, per ft", "labor", 22_000, 45.0, false),
                    ("Cleanout install", "materials", 48_000, 1.0, true),
                ],
            ),
        ],
    ),
    (
        "Central air install",
        [
            (
                "3-ton 14 SEER AC",
                &[
                    ("3-ton condenser and coil", "materials", 420_000, 1.0, true),
                    ("Line set and pad", "materials", 32_000, 1.0, true),
                    ("Install labor", "labor", 12_500, 12.0, false),
                ],
            ),
            (
                "3-ton heat pump 18 SEER",
                &[
                    (
                        "3-ton variable-speed heat pump",
                        "materials",
                        690_000,
                        1.0,
                        true,
                    ),
                    ("Line set and pad", "materials", 32_000, 1.0, true),
                    ("Install labor", "labor", 12_500, 14.0, false),
                    ("Spring promotion", "percent discount", 5, 1.0, false),
                ],
            ),
        ],
    ),
    (
        "Main line drain cleaning",
        [
            (
                "Snake main line",
                &[
                    ("Main line cable, up to 100 ft", "labor", 32_500, 1.0, false),
                    ("Camera inspection", "labor", 29_500, 1.0, false),
                ],
            ),
            (
                "Hydro-jetting",
                &[
                    ("Hydro-jet main line", "labor", 69_500, 1.0, false),
                    ("Camera inspection", "labor", 29_500, 1.0, false),
                    (
                        "Maintenance plan member",
                        "percent discount",
                        10,
                        1.0,
                        false,
                    ),
                ],
            ),
        ],
    ),
    (
        "Bathroom fixture package",
        [
            (
                "Standard fixtures",
                &[
                    ("Toilet, 1.28 gpf", "materials", 34_900, 1.0, true),
                    ("Vanity faucet", "materials", 18_900, 1.0, true),
                    ("Shower valve and trim", "materials", 42_500, 1.0, true),
                    ("Install labor", "labor", 12_500, 6.0, false),
                ],
            ),
            (
                "Premium fixtures",
                &[
                    (
                        "Wall-hung toilet with carrier",
                        "materials",
                        129_000,
                        1.0,
                        true,
                    ),
                    ("Designer vanity faucet", "materials", 46_500, 1.0, true),
                    (
                        "Thermostatic shower system",
                        "materials",
                        118_000,
                        1.0,
                        true,
                    ),
                    ("Install labor", "labor", 12_500, 12.0, false),
                ],
            ),
        ],
    ),
];

/// How many estimates the demo company gets.
pub const COUNT: usize = 60;

/// Creates the demo estimates through the same rules as the API.
pub async fn seed(store: &dyn Store, company: &CompanyRecord) -> anyhow::Result<()> {
    let id = company.id.as_str();
    let all = ListParams {
        page: 1,
        page_size: 200,
        ..ListParams::default()
    };
    let customers = store.list_customers(id, None, &all).await?.items;
    let techs: Vec<String> = store
        .list_employees(id, &all)
        .await?
        .items
        .into_iter()
        .filter(|e| e.role.as_deref() == Some("field tech"))
        .map(|e| e.id)
        .collect();
    anyhow::ensure!(
        !customers.is_empty() && !techs.is_empty(),
        "seed customers and employees first"
    );
    for i in 0..COUNT {
        let customer = &customers[(i * 7) % customers.len()];
        let (_, options) = QUOTES[i % QUOTES.len()];
        let scheduled = i % 3 != 2;
        let input = EstimateIn {
            customer_id: Some(customer.id.clone()),
            address_id: customer.addresses.first().map(|a| a.id.clone()),
            assigned_employee_ids: Some(vec![techs[i % techs.len()].clone()]),
            lead_source: customer.lead_source.clone(),
            message: Some("Thank you for the opportunity to quote this work.".into()),
            tax: Some(TaxIn {
                taxable: Some(true),
                tax_rate: Some(0.08625),
                tax_name: Some("SF sales tax".into()),
            }),
            schedule: scheduled.then(|| EstimateScheduleIn {
                // Visits spread over December 2026, 8 am to 4 pm Pacific.
                start_time: Some(format!("2026-12-{:02}T{:02}:00:00", 1 + i % 28, 8 + i % 8)),
                end_time: Some(format!("2026-12-{:02}T{:02}:00:00", 1 + i % 28, 9 + i % 8)),
                arrival_window_in_minutes: Some(if i % 2 == 0 { 60 } else { 120 }),
                notify_customer: Some(false),
            }),
            options: Some(
                options
                    .iter()
                    .map(|(name, lines)| EstimateOptionIn {
                        name: Some((*name).into()),
                        tags: Some(if i % 4 == 0 {
                            vec!["residential".into()]
                        } else {
                            Vec::new()
                        }),
                        line_items: Some(lines.iter().map(line).collect()),
                        ..EstimateOptionIn::default()
                    })
                    .collect(),
            ),
            ..EstimateIn::default()
        };
        let (estimate, _) = create::create(store, id, input)
            .await
            .map_err(super::rejected)?;
        let option = |n: usize| Some(vec![estimate.doc.options[n].id.clone()]);
        // Every sixth is approved as quoted, every sixth the upgrade, every sixth declined.
        match i % 6 {
            0 => drop(
                approval::approve(store, id, option(0))
                    .await
                    .map_err(super::rejected)?,
            ),
            2 => drop(
                approval::approve(store, id, option(1))
                    .await
                    .map_err(super::rejected)?,
            ),
            4 => {
                let both = Some(estimate.doc.options.iter().map(|o| o.id.clone()).collect());
                drop(
                    approval::decline(store, id, both)
                        .await
                        .map_err(super::rejected)?,
                )
            }
            _ => {}
        }
    }
    Ok(())
}

fn line(l: &Line) -> LineItemIn {
    let (name, kind, price, quantity, taxable) = *l;
    LineItemIn {
        name: Some(name.into()),
        kind: Some(kind.into()),
        unit_price: Some(price as f64),
        quantity: Some(quantity),
        taxable: Some(taxable),
        unit_cost: Some((price as f64 * 0.55).round()),
        ..LineItemIn::default()
    }
}
