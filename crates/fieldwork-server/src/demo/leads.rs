//! Demo leads: 40 requests for work — open, won (converted to a job or an estimate) and lost.

use fieldwork_store::{CompanyRecord, ListParams, Store};
use fieldwork_types::{AddressIn, ConvertIn, CustomerIn, LeadIn, LineItemIn};

use crate::services::leads::{convert, create};

/// What prospects ask for: a title line and its price in cents.
const REQUESTS: &[(&str, &str, i64)] = &[
    ("Kitchen sink clogged", "labor", 24_500),
    ("No hot water", "labor", 18_900),
    ("Furnace making banging noise", "labor", 16_500),
    ("Quote for tankless water heater", "materials", 289_900),
    ("Running toilet", "labor", 14_500),
    ("AC not cooling", "labor", 18_900),
    ("Sewer smell in basement", "labor", 29_500),
    ("Low water pressure upstairs", "labor", 19_500),
    ("Install gas line for range", "labor", 65_000),
    ("Annual furnace tune-up", "labor", 12_900),
];

/// How many leads the demo company gets.
pub const COUNT: usize = 40;

/// Creates the demo leads through the same rules as the API.
pub async fn seed(store: &dyn Store, company: &CompanyRecord) -> anyhow::Result<()> {
    let id = company.id.as_str();
    let all = ListParams {
        page: 1,
        page_size: 200,
        ..ListParams::default()
    };
    let customers = store.list_customers(id, None, &all).await?.items;
    let employees = store.list_employees(id, &all).await?.items;
    let sources = ["Google", "Yelp", "Referral", "Nextdoor", "Home show 2026"];
    anyhow::ensure!(
        !customers.is_empty() && !employees.is_empty(),
        "seed customers and employees first"
    );
    for i in 0..COUNT {
        let (title, kind, price) = REQUESTS[i % REQUESTS.len()];
        let mut input = LeadIn {
            assigned_employee_id: (i % 4 != 3).then(|| employees[i % employees.len()].id.clone()),
            lead_source: Some(sources[i % sources.len()].into()),
            line_items: Some(vec![LineItemIn {
                name: Some(title.into()),
                kind: Some(kind.into()),
                unit_price: Some(price as f64),
                quantity: Some(1.0),
                taxable: Some(kind == "materials"),
                ..LineItemIn::default()
            }]),
            note: Some(format!("{title}. Customer asked for a call back.")),
            tags: Some(if i % 3 == 0 {
                vec!["residential".into()]
            } else {
                Vec::new()
            }),
            tax_name: Some("SF sales tax".into()),
            tax_rate: Some(8.625),
            ..LeadIn::default()
        };
        if i % 8 == 7 {
            // A new prospect, not yet a customer.
            input.customer = Some(CustomerIn {
                first_name: Some(["Jordan", "Priya", "Marcus", "Elena", "Sam"][i % 5].into()),
                last_name: Some(["Reyes", "Shah", "Bell", "Novak", "Ito"][i % 5].into()),
                mobile_number: Some(format!("(415) 555-{:04}", 7000 + i)),
                addresses: Some(vec![AddressIn {
                    street: Some(format!("{} Fillmore St", 1200 + i * 10)),
                    city: Some("San Francisco".into()),
                    state: Some("CA".into()),
                    zip: Some("94115".into()),
                    ..AddressIn::default()
                }]),
                ..CustomerIn::default()
            });
        } else {
            let c = &customers[(i * 11 + 5) % customers.len()];
            input.customer_id = Some(c.id.clone());
            input.address_id = c.addresses.first().map(|a| a.id.clone());
        }
        let (lead, _) = create::create(store, id, input)
            .await
            .map_err(super::rejected)?;
        let to = |kind: &str| ConvertIn {
            kind: Some(kind.into()),
        };
        match i % 5 {
            1 => drop(
                convert::convert(store, id, &lead.id, to("job"))
                    .await
                    .map_err(super::rejected)?,
            ),
            3 if i % 10 == 3 => drop(
                convert::convert(store, id, &lead.id, to("estimate"))
                    .await
                    .map_err(super::rejected)?,
            ),
            4 => drop(
                convert::lose(store, id, &lead.id)
                    .await
                    .map_err(super::rejected)?,
            ),
            _ => {}
        }
    }
    Ok(())
}
