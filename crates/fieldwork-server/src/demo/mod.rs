//! The demo company: a plumbing and heating business with realistic, reproducible data.

mod estimates;
mod events;
mod invoices;
mod jobs;
mod leads;

use fieldwork_store::{CompanyRecord, NewCompany, Plan, Store};
use fieldwork_types::{
    AddressIn, Company, CompanyAddress, CustomerIn, EmployeeIn, Permissions, ServiceAreasData,
};

/// The demo company's name; `--company demo` on the CLI means this company.
pub const DEMO_COMPANY_NAME: &str = "Bayside Plumbing & Heating";

const FIRST: &[&str] = &[
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Mateo",
    "Mia", "Lucas", "Amelia", "Mason", "Harper", "Ethan", "Evelyn", "Aiden", "Priya", "Wei",
    "Fatima", "Diego", "Hannah", "Kenji", "Zoe", "Omar", "Grace", "Santiago", "Chloe", "Tobias",
    "Nadia", "Samuel", "Leah", "Rafael", "Ingrid", "Kwame", "Maya", "Connor", "Aisha", "Henry",
    "Lucia", "Dmitri", "Ruby", "Andre", "Sienna", "Yusuf", "Clara", "Felix", "Imani", "Jonah",
    "Rosa", "Theo", "Mei", "Caleb", "Anika", "Gabriel", "Eleanor", "Malik", "Freya", "Oscar",
];
const LAST: &[&str] = &[
    "Garcia",
    "Nguyen",
    "Smith",
    "Patel",
    "Johnson",
    "O'Brien",
    "Kim",
    "Martinez",
    "Brown",
    "Chen",
    "Davis",
    "Rodriguez",
    "Wilson",
    "Okafor",
    "Anderson",
    "Lopez",
    "Thomas",
    "Schmidt",
    "Moore",
    "Jackson",
    "Haddad",
    "White",
    "Harris",
    "Sato",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "Kowalski",
    "Hernandez",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Ivanova",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Murphy",
];
const STREETS: &[&str] = &[
    "Maple Ave",
    "Oak St",
    "Cedar Ln",
    "Harbor Blvd",
    "Sunset Dr",
    "Mission St",
    "Valencia St",
    "Lakeview Ter",
    "Hillcrest Rd",
    "Pine St",
    "Bay St",
    "Elm Ct",
    "Willow Way",
    "Park Pl",
    "Ocean View Dr",
    "Juniper St",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("San Francisco", "CA", "94110"),
    ("San Francisco", "CA", "94114"),
    ("Oakland", "CA", "94610"),
    ("Berkeley", "CA", "94703"),
    ("Daly City", "CA", "94015"),
    ("San Mateo", "CA", "94401"),
    ("Alameda", "CA", "94501"),
];
const NOTES: &[Option<&str>] = &[
    None,
    Some("Gate code 4821. Dog in the back yard: friendly."),
    Some("Prefers text messages; works nights, call after 11am."),
    Some("Tankless water heater installed 2023, under warranty."),
    None,
    Some("Tenant-occupied: coordinate access with property manager."),
    Some("Asked for a quote on a whole-house repipe."),
    None,
    Some("Annual furnace maintenance plan member."),
    Some("Parking is tight; use the alley entrance."),
];
const CUSTOMER_TAGS: &[&[&str]] = &[
    &["residential"],
    &["residential", "maintenance plan"],
    &["commercial"],
    &["residential", "vip"],
    &[],
    &["property manager"],
    &["residential", "referral"],
];
const LEAD_SOURCES: &[&str] = &[
    "Google",
    "Yelp",
    "Referral",
    "Nextdoor",
    "Repeat customer",
    "Truck signage",
];
const JOB_TYPES: &[&str] = &[
    "Drain cleaning",
    "Water heater install",
    "Water heater repair",
    "Leak repair",
    "Furnace tune-up",
    "Furnace repair",
    "Repipe",
    "Fixture install",
    "Sewer line inspection",
];
const EMPLOYEES: &[(&str, &str, &str, &str, bool)] = &[
    ("Maria", "Alvarez", "office manager", "EF9159", true),
    ("Derek", "Chan", "field tech", "4A90E2", false),
    ("Tasha", "Greene", "field tech", "7ED321", false),
    ("Luis", "Ortega", "field tech", "F5A623", false),
    ("Brandon", "Kelly", "field tech", "9013FE", false),
    ("Aaliyah", "Brooks", "dispatcher", "50E3C2", true),
    ("Sean", "Murphy", "apprentice", "B8E986", false),
    ("Grace", "Liu", "owner", "D0021B", true),
];

/// A demo record the services refused: a bug in the demo data, reported with the reason.
fn rejected(e: crate::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("demo data refused ({}): {}", e.status(), e.body())
}

/// The demo company, created with its data on first use.
pub async fn ensure_demo_company(store: &dyn Store) -> anyhow::Result<CompanyRecord> {
    if let Some(company) = store.find_company_by_name(DEMO_COMPANY_NAME).await? {
        return Ok(company);
    }
    let company = store
        .create_company(NewCompany {
            name: DEMO_COMPANY_NAME.into(),
            plan: Plan::Max,
            time_zone: "America/Los_Angeles".into(),
        })
        .await?;
    seed(store, &company).await?;
    tracing::info!(company.id = %company.id, "created the demo company");
    Ok(store.get_company(&company.id).await?)
}

async fn seed(store: &dyn Store, company: &CompanyRecord) -> anyhow::Result<()> {
    let id = company.id.as_str();
    store
        .set_company_profile(
            id,
            Company {
                support_email: Some("office@baysideplumbing.example".into()),
                phone_number: Some("(415) 555-0142".into()),
                logo_url: None,
                address: Some(CompanyAddress {
                    street: Some("1450 Industrial Way".into()),
                    street_line_2: Some("Unit 3".into()),
                    city: Some("San Francisco".into()),
                    state: Some("CA".into()),
                    zip: Some("94124".into()),
                    country: Some("USA".into()),
                    latitude: Some(37.7349),
                    longitude: Some(-122.3928),
                }),
                website: Some("https://baysideplumbing.example".into()),
                default_arrival_window: Some("120".into()),
                service_areas_data: ServiceAreasData {
                    zip_codes: CITIES.iter().map(|(_, _, z)| (*z).to_owned()).collect(),
                },
                ..company.profile.clone()
            },
        )
        .await?;
    store
        .create_user(id, "admin@baysideplumbing.example", "Grace Liu", true)
        .await?;
    for (first, last, role, color, admin) in EMPLOYEES {
        store
            .create_employee(
                id,
                EmployeeIn {
                    first_name: Some((*first).into()),
                    last_name: Some((*last).into()),
                    email: Some(format!("{}@baysideplumbing.example", first.to_lowercase())),
                    mobile_number: Some(format!("(415) 555-01{:02}", first.len() * 7 % 100)),
                    color_hex: Some((*color).into()),
                    role: Some((*role).into()),
                    tags: if *admin {
                        vec!["office".into()]
                    } else {
                        vec!["field".into()]
                    },
                    permissions: if *admin {
                        Permissions::admin()
                    } else {
                        Permissions::field_tech()
                    },
                },
                &[],
            )
            .await?;
    }
    for name in [
        "residential",
        "commercial",
        "vip",
        "maintenance plan",
        "property manager",
        "referral",
        "warranty",
    ] {
        store.create_tag(id, name).await?;
    }
    for name in LEAD_SOURCES {
        store.create_builtin_lead_source(id, name).await?;
    }
    store.create_lead_source(id, "Home show 2026").await?;
    for name in JOB_TYPES {
        store.create_job_type(id, name).await?;
    }
    for i in 0..60 {
        store.create_customer(id, demo_customer(i), &[]).await?;
    }
    // Work documents, in dependency order: jobs first (invoices and estimates refer to them).
    jobs::seed(store, company).await?;
    // The profile set above (address, time zone) is read by the seeds below.
    let company = store.get_company(id).await?;
    invoices::seed(store, &company).await?;
    events::seed(store, &company).await?;
    estimates::seed(store, &company).await?;
    leads::seed(store, &company).await?;
    Ok(())
}

/// The `i`th demo customer: names, contacts and addresses vary with `i`.
fn demo_customer(i: usize) -> CustomerIn {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i * 7 + 3) % LAST.len()];
    let (city, state, zip) = CITIES[i % CITIES.len()];
    let is_business = i % 9 == 4;
    let mut addresses = vec![AddressIn {
        street: Some(format!(
            "{} {}",
            100 + (i * 37) % 4800,
            STREETS[i % STREETS.len()]
        )),
        street_line_2: i.is_multiple_of(5).then(|| format!("Apt {}", 1 + i % 12)),
        city: Some(city.into()),
        state: Some(state.into()),
        zip: Some(zip.into()),
        country: Some("USA".into()),
        kind: Some("service".into()),
        ..AddressIn::default()
    }];
    if i % 6 == 1 {
        addresses.push(AddressIn {
            street: Some(format!("PO Box {}", 2000 + i * 13)),
            city: Some(city.into()),
            state: Some(state.into()),
            zip: Some(zip.into()),
            country: Some("USA".into()),
            kind: Some("billing".into()),
            ..AddressIn::default()
        });
    }
    let email_domain = [
        "gmail.com",
        "outlook.com",
        "yahoo.com",
        "icloud.com",
        "proton.me",
    ][i % 5];
    CustomerIn {
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        email: (i % 8 != 7).then(|| {
            format!(
                "{}.{}@{email_domain}",
                first.to_lowercase(),
                last.to_lowercase().replace('\'', "")
            )
        }),
        company: is_business.then(|| format!("{last} Property Management")),
        notifications_enabled: Some(!i.is_multiple_of(4)),
        mobile_number: Some(format!(
            "({}) 555-{:04}",
            [415, 510, 650][i % 3],
            1000 + i * 89 % 9000
        )),
        home_number: i
            .is_multiple_of(3)
            .then(|| format!("(415) 555-{:04}", 2000 + i * 31 % 7000)),
        work_number: is_business.then(|| format!("(510) 555-{:04}", 3000 + i * 17 % 6000)),
        tags: Some(
            CUSTOMER_TAGS[i % CUSTOMER_TAGS.len()]
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
        ),
        lead_source: Some(LEAD_SOURCES[i % LEAD_SOURCES.len()].into()),
        notes: NOTES[i % NOTES.len()].map(str::to_owned),
        addresses: Some(addresses),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_customers_vary() {
        let a = demo_customer(0);
        let b = demo_customer(1);
        assert_ne!(a.first_name, b.first_name);
        assert_ne!(a.mobile_number, b.mobile_number);
        let names: std::collections::HashSet<_> = (0..60)
            .map(|i| (demo_customer(i).first_name, demo_customer(i).last_name))
            .collect();
        assert_eq!(names.len(), 60);
    }
}
