//! Demo calendar events: team meetings, truck maintenance and training over the 60 days before
//! and after today, in the company's time zone.

use chrono::{Days, Utc};
use fieldwork_store::{CompanyRecord, ListParams, Sort, SortDirection, SortField, Store};
use fieldwork_types::{EventAddress, EventIn, EventScheduleIn};

use crate::services::events::write;
use crate::services::times;

/// One demo event: day offset from today, local start hour and minute, length in minutes
/// (0: all day), name, note, indexes of the assigned employees, at the shop or not, and an
/// RRULE.
struct Demo {
    day: i64,
    start: (u32, u32),
    minutes: i64,
    name: &'static str,
    note: Option<&'static str>,
    employees: &'static [usize],
    at_shop: bool,
    rule: Option<&'static str>,
}

const fn ev(
    day: i64,
    start: (u32, u32),
    minutes: i64,
    name: &'static str,
    note: Option<&'static str>,
    employees: &'static [usize],
) -> Demo {
    Demo {
        day,
        start,
        minutes,
        name,
        note,
        employees,
        at_shop: true,
        rule: None,
    }
}

const ALL_TECHS: &[usize] = &[1, 2, 3, 4, 6];

fn demos() -> Vec<Demo> {
    let mut list = vec![
        Demo {
            rule: Some("FREQ=WEEKLY;BYDAY=MO"),
            ..ev(
                -56,
                (7, 30),
                45,
                "Weekly team meeting",
                Some("Schedule review, safety topic of the week."),
                &[0, 1, 2, 3, 4, 5, 6, 7],
            )
        },
        ev(
            -52,
            (8, 0),
            120,
            "Truck 1 oil change and inspection",
            Some("Fleet service at Bayshore Auto."),
            &[1],
        ),
        ev(
            -45,
            (9, 0),
            480,
            "Tankless water heater certification",
            Some("Manufacturer training, lunch provided."),
            &[1, 2],
        ),
        ev(-41, (13, 0), 90, "Supply house inventory count", None, &[6]),
        ev(
            -38,
            (8, 0),
            120,
            "Truck 2 brake service",
            Some("Squealing front brakes reported by Tasha."),
            &[2],
        ),
        ev(
            -31,
            (7, 0),
            240,
            "Backflow prevention refresher",
            Some("Required for the city testing license."),
            &[3, 4],
        ),
        ev(
            -27,
            (15, 0),
            60,
            "Quarterly safety meeting",
            Some("Confined spaces and ladder safety."),
            &[0, 1, 2, 3, 4, 5, 6, 7],
        ),
        ev(
            -24,
            (8, 0),
            180,
            "Truck 3 tire rotation and alignment",
            None,
            &[3],
        ),
        ev(
            -17,
            (9, 0),
            240,
            "CPR and first aid course",
            Some("Red Cross instructor on site."),
            ALL_TECHS,
        ),
        ev(
            -12,
            (12, 0),
            60,
            "Ride-along: Sean with Derek",
            Some("Apprentice shadowing on service calls."),
            &[6, 1],
        ),
        ev(-9, (8, 0), 120, "Truck 4 oil change", None, &[4]),
        ev(-5, (16, 0), 60, "Warehouse cleanup", None, &[6]),
        ev(
            -2,
            (10, 0),
            90,
            "Software training: new dispatch board",
            None,
            &[0, 5],
        ),
        ev(
            3,
            (8, 0),
            120,
            "Truck 1 DOT inspection",
            Some("Bring registration and the maintenance log."),
            &[1],
        ),
        ev(
            6,
            (13, 0),
            180,
            "Gas line safety training",
            Some("PG&E contractor program."),
            &[2, 3, 4],
        ),
        ev(
            10,
            (9, 0),
            60,
            "Permit office visit",
            Some("Pick up repipe permits for two jobs."),
            &[5],
        ),
        ev(
            13,
            (7, 30),
            60,
            "Quarterly safety meeting",
            Some("Trenching and excavation."),
            &[0, 1, 2, 3, 4, 5, 6, 7],
        ),
        ev(17, (8, 0), 240, "Truck 2 transmission service", None, &[2]),
        ev(
            22,
            (9, 0),
            480,
            "Heat pump installer training",
            Some("Two-day course, day one."),
            &[3, 4],
        ),
        ev(
            23,
            (9, 0),
            480,
            "Heat pump installer training",
            Some("Two-day course, day two."),
            &[3, 4],
        ),
        ev(30, (14, 0), 60, "Apprentice review: Sean", None, &[0, 7, 6]),
        ev(
            36,
            (8, 0),
            120,
            "Truck 3 oil change and inspection",
            None,
            &[3],
        ),
        ev(44, (10, 0), 120, "Supply house inventory count", None, &[6]),
        ev(51, (8, 0), 180, "Truck 4 brake service", None, &[4]),
        ev(
            57,
            (9, 0),
            240,
            "Water heater code update seminar",
            Some("County building department."),
            &[1, 2, 3],
        ),
    ];
    list.push(Demo {
        at_shop: false,
        ..ev(
            -33,
            (0, 0),
            0,
            "Office closed: staff appreciation day",
            None,
            &[],
        )
    });
    list.push(Demo {
        at_shop: false,
        ..ev(
            28,
            (0, 0),
            0,
            "Holiday party",
            Some("Shop closed in the afternoon."),
            &[0, 1, 2, 3, 4, 5, 6, 7],
        )
    });
    list
}

/// Puts the demo events on the company's calendar.
pub async fn seed(store: &dyn Store, company: &CompanyRecord) -> anyhow::Result<()> {
    let id = company.id.as_str();
    let tz = times::zone(&company.profile.time_zone);
    // Oldest first: the order of the demo's employee list, which the indexes above follow.
    let all = ListParams {
        page: 1,
        page_size: 100,
        sort: Sort {
            field: SortField::CreatedAt,
            direction: SortDirection::Asc,
        },
    };
    let employees = store.list_employees(id, &all).await?.items;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let shop = company.profile.address.clone().map(|a| EventAddress {
        street: a.street,
        street_line_2: a.street_line_2,
        city: a.city,
        state: a.state,
        zip: a.zip,
    });
    for d in demos() {
        let day = if d.day < 0 {
            today.checked_sub_days(Days::new(d.day.unsigned_abs()))
        } else {
            today.checked_add_days(Days::new(d.day.unsigned_abs()))
        }
        .unwrap_or(today);
        let start = day.and_hms_opt(d.start.0, d.start.1, 0).unwrap_or_default();
        let all_day = d.minutes == 0;
        let (start_time, end_time) = if all_day {
            (day.to_string(), day.to_string())
        } else {
            let end = start + chrono::Duration::minutes(d.minutes);
            (
                start.format("%Y-%m-%dT%H:%M:%S").to_string(),
                end.format("%Y-%m-%dT%H:%M:%S").to_string(),
            )
        };
        let input = EventIn {
            name: Some(d.name.into()),
            note: Some(d.note.map(str::to_owned)),
            tags: Some(if d.name.contains("Truck") {
                vec!["fleet".into()]
            } else if d.name.contains("training") || d.name.contains("course") {
                vec!["training".into()]
            } else {
                Vec::new()
            }),
            recurrence_rule: Some(d.rule.map(str::to_owned)),
            address: Some(if d.at_shop { shop.clone() } else { None }),
            assigned_employee_ids: Some(
                d.employees
                    .iter()
                    .filter_map(|i| employees.get(*i).map(|e| e.id.clone()))
                    .collect(),
            ),
            schedule: Some(EventScheduleIn {
                start_time: Some(start_time),
                end_time: Some(end_time),
                time_zone: Some(company.profile.time_zone.clone()),
            }),
            all_day: Some(all_day),
        };
        write::create(store, id, input)
            .await
            .map_err(|e| anyhow::anyhow!("demo event {:?}: {:?}", d.name, e.body()))?;
    }
    Ok(())
}
