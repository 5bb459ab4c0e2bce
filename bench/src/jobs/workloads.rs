//! The requests of issue 4's benchmark: a week of jobs, new jobs, 50-line bulk updates.

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use fieldwork_store::time::format_ts;
use hyper::Method;
use hyper::header::HeaderValue;
use rand::Rng;
use rand::rngs::SmallRng;
use serde_json::json;

use super::seed::{JobsManifest, lines};
use crate::load::{Job, Workload};

const DAY: i64 = 24 * 3_600_000_000;

/// `GET /jobs` filtered to a random week of `scheduled_start`, 50 per page.
pub struct ListWeek {
    pub auth: HeaderValue,
    /// The first week's start: a UTC midnight, plus the offset in hours asked for (a week in a
    /// company's own zone has part of a UTC day at either end).
    pub first_start: i64,
    pub days: i64,
}

impl ListWeek {
    pub fn new(m: &JobsManifest, auth: HeaderValue, offset_hours: i64) -> Self {
        Self {
            auth,
            first_start: m.first_day + offset_hours * 3_600_000_000,
            days: m.days,
        }
    }
}

impl Workload for ListWeek {
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let start = self.first_start + rng.random_range(0..self.days - 8) * DAY;
        Some(Job {
            method: Method::GET,
            path: format!(
                "/jobs?scheduled_start_min={}&scheduled_start_max={}&page_size=50",
                format_ts(start),
                format_ts(start + 7 * DAY - 1_000_000)
            ),
            auth: Some(self.auth.clone()),
            body: None,
            cat: 0,
            tag: 0,
        })
    }
}

/// `POST /jobs` with five line items and a schedule.
pub struct PostJob {
    pub auth: HeaderValue,
    pub customers: Vec<(String, String)>,
    pub employees: Vec<String>,
    pub first_day: i64,
    pub next: AtomicU64,
}

impl PostJob {
    pub fn new(m: &JobsManifest, auth: HeaderValue) -> Self {
        Self {
            auth,
            customers: m.customers.clone(),
            employees: m.employees.clone(),
            first_day: m.first_day,
            next: AtomicU64::new(0),
        }
    }
}

impl Workload for PostJob {
    fn next(&self, _rng: &mut SmallRng) -> Option<Job> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let (customer, address) = &self.customers[i as usize % self.customers.len()];
        let start = self.first_day + (i as i64 % 700) * DAY + 17 * 3_600_000_000;
        let body = json!({
            "customer_id": customer,
            "address_id": address,
            "description": format!("Benchmark job {i}"),
            "schedule": {"scheduled_start": format_ts(start),
                         "scheduled_end": format_ts(start + 2 * 3_600_000_000)},
            "assigned_employee_ids": [self.employees[i as usize % self.employees.len()]],
            "line_items": lines(i),
        });
        Some(Job {
            method: Method::POST,
            path: "/jobs".into(),
            auth: Some(self.auth.clone()),
            body: Some(Bytes::from(body.to_string())),
            cat: 0,
            tag: i,
        })
    }
}

/// `PUT /jobs/{id}/line_items/bulk_update` replacing a random job's lines with 50 new ones.
pub struct BulkUpdate {
    pub auth: HeaderValue,
    pub job_ids: Vec<String>,
    pub body: Bytes,
}

impl BulkUpdate {
    pub fn new(m: &JobsManifest, auth: HeaderValue) -> Self {
        let items: Vec<serde_json::Value> = (0..50)
            .map(|i| {
                json!({"name": format!("Part {i}"), "kind": "materials",
                       "unit_price": 100 + i, "quantity": 2, "taxable": true})
            })
            .collect();
        Self {
            auth,
            job_ids: m.sample_job_ids.clone(),
            body: Bytes::from(json!({ "line_items": items }).to_string()),
        }
    }
}

impl Workload for BulkUpdate {
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let id = &self.job_ids[rng.random_range(0..self.job_ids.len())];
        Some(Job {
            method: Method::PUT,
            path: format!("/jobs/{id}/line_items/bulk_update"),
            auth: Some(self.auth.clone()),
            body: Some(self.body.clone()),
            cat: 0,
            tag: 0,
        })
    }
}
