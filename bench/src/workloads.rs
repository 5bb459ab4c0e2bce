//! What the load generator sends in each phase: one `Workload` per kind of request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use bytes::Bytes;
use hyper::header::HeaderValue;
use hyper::{Method, StatusCode};
use rand::Rng;
use rand::rngs::SmallRng;
use serde::Deserialize;

use crate::data;
use crate::load::{Job, Workload};
use crate::sync::Mutex;

#[derive(Clone, Copy, PartialEq)]
pub enum Assign {
    /// The data set layout (see [`data::company_of`]).
    Seed,
    /// Round-robin over every company.
    RoundRobin,
}

/// `POST /customers` of customers `next..end`.
pub struct Post {
    pub seed: u64,
    pub next: AtomicU64,
    pub end: u64,
    pub auths: Vec<HeaderValue>,
    pub assign: Assign,
    pub big: u64,
    pub small_total: u64,
    pub small_count: u64,
    /// Ids of the big company's customers, when collecting them.
    pub big_ids: Option<Mutex<Vec<String>>>,
    /// (id, email) of every 201, when collecting them.
    pub acked: Option<Mutex<Vec<(String, String, usize)>>>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    email: Option<String>,
}

impl Post {
    pub fn new(
        seed: u64,
        range: std::ops::Range<u64>,
        auths: Vec<HeaderValue>,
        assign: Assign,
    ) -> Self {
        Self {
            seed,
            next: AtomicU64::new(range.start),
            end: range.end,
            auths,
            assign,
            big: 0,
            small_total: 0,
            small_count: 0,
            big_ids: None,
            acked: None,
        }
    }
}

impl Workload for Post {
    fn next(&self, _rng: &mut SmallRng) -> Option<Job> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= self.end {
            return None;
        }
        let company = match self.assign {
            Assign::Seed => data::company_of(i, self.big, self.small_total, self.small_count),
            Assign::RoundRobin => (i % self.auths.len() as u64) as usize,
        };
        Some(Job {
            method: Method::POST,
            path: "/customers".into(),
            auth: Some(self.auths[company].clone()),
            body: Some(Bytes::from(data::body(&data::person(self.seed, i)))),
            cat: 0,
            tag: company as u64,
        })
    }

    fn done(&self, job: &Job, status: StatusCode, body: &Bytes) -> Result<(), String> {
        if status != StatusCode::CREATED {
            return Err(format!("POST /customers answered {status}, not 201"));
        }
        if self.big_ids.is_none() && self.acked.is_none() {
            return Ok(());
        }
        let c: Created = serde_json::from_slice(body).map_err(|e| format!("POST body: {e}"))?;
        if let (Some(ids), 0) = (&self.big_ids, job.tag) {
            ids.lock().push(c.id.clone());
        }
        if let Some(acked) = &self.acked {
            acked
                .lock()
                .push((c.id, c.email.unwrap_or_default(), job.tag as usize));
        }
        Ok(())
    }
}

/// The same GET again and again.
pub struct Fixed(pub String, pub Option<HeaderValue>);

impl Workload for Fixed {
    fn next(&self, _rng: &mut SmallRng) -> Option<Job> {
        Some(Job {
            method: Method::GET,
            path: self.0.clone(),
            auth: self.1.clone(),
            body: None,
            cat: 0,
            tag: 0,
        })
    }
}

/// `GET /customers/{id}` of random ids.
pub struct GetById {
    pub ids: Arc<Vec<String>>,
    pub auth: HeaderValue,
}

impl Workload for GetById {
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let id = &self.ids[rng.random_range(0..self.ids.len())];
        Some(Job {
            method: Method::GET,
            path: format!("/customers/{id}"),
            auth: Some(self.auth.clone()),
            body: None,
            cat: 0,
            tag: 0,
        })
    }
}

/// `GET /customers?page=N&page_size=50` at uniformly random pages of the big company.
pub struct ListPages {
    pub auth: HeaderValue,
    pub pages: u32,
    /// Draw pages of this category only (`usize::MAX`: any).
    pub only: AtomicUsize,
}

pub const PAGE_SIZE: u32 = 50;
pub const LIST_PHASE: &str = "GET /customers?page=N&page_size=50";
pub const SEARCH_PHASE: &str = "GET /customers?q=TERM";

impl ListPages {
    /// Page ranges: the first 5 %, up to half, up to 95 %, the last 5 % (deepest).
    fn bounds(&self) -> [u32; 4] {
        let p = self.pages.max(4);
        [(p / 20).max(1), p / 2, p - (p / 20).max(1), p]
    }
    fn bucket(&self, page: u32) -> usize {
        self.bounds().iter().position(|&b| page <= b).unwrap_or(3)
    }
}

impl Workload for ListPages {
    fn categories(&self) -> Vec<String> {
        let b = self.bounds();
        vec![
            format!("pages 1-{}", b[0]),
            format!("pages {}-{}", b[0] + 1, b[1]),
            format!("pages {}-{}", b[1] + 1, b[2]),
            format!("pages {}-{} (deepest)", b[2] + 1, b[3]),
        ]
    }
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let page = match self.only.load(Ordering::Relaxed) {
            usize::MAX => rng.random_range(1..=self.pages),
            k => {
                let b = self.bounds();
                let lo = if k == 0 { 1 } else { b[k - 1] + 1 };
                rng.random_range(lo..=b[k])
            }
        };
        Some(Job {
            method: Method::GET,
            path: format!("/customers?page={page}&page_size={PAGE_SIZE}"),
            auth: Some(self.auth.clone()),
            body: None,
            cat: self.bucket(page),
            tag: page as u64,
        })
    }
}

/// `GET /customers?q=TERM` in the big company.
pub struct Search {
    pub seed: u64,
    pub big: u64,
    pub small_total: u64,
    pub auth: HeaderValue,
    /// Draw terms of this kind only (`usize::MAX`: any).
    pub only: AtomicUsize,
}

pub const SEARCH_KINDS: &[&str] = &[
    "name (first, last or both)",
    "email (whole address)",
    "phone (5 digits)",
    "street name",
];

impl Search {
    /// A search term of kind `kind`, drawn from the big company's customers.
    pub fn term(&self, kind: usize, rng: &mut SmallRng) -> String {
        let i = data::big_customer(rng.random_range(0..self.big), self.big, self.small_total);
        let p = data::person(self.seed, i);
        match kind {
            0 => match rng.random_range(0..3) {
                0 => p.first.to_owned(),
                1 => p.last.to_owned(),
                _ => format!("{} {}", p.first, p.last),
            },
            1 => p.email,
            2 => {
                let at = rng.random_range(0..=p.mobile.len() - 5);
                p.mobile[at..at + 5].to_owned()
            }
            _ => data::STREETS[rng.random_range(0..data::STREETS.len())].to_owned(),
        }
    }
}

impl Workload for Search {
    fn categories(&self) -> Vec<String> {
        SEARCH_KINDS.iter().map(|s| s.to_string()).collect()
    }
    fn next(&self, rng: &mut SmallRng) -> Option<Job> {
        let kind = match self.only.load(Ordering::Relaxed) {
            usize::MAX => rng.random_range(0..SEARCH_KINDS.len()),
            k => k,
        };
        let term = self.term(kind, rng);
        Some(Job {
            method: Method::GET,
            path: format!("/customers?q={}", data::encode(&term)),
            auth: Some(self.auth.clone()),
            body: None,
            cat: kind,
            tag: 0,
        })
    }
}

/// `GET /customers/{id}` of every acknowledged customer, checking its email.
pub struct Verify {
    pub list: Vec<(String, String, HeaderValue)>,
    pub next: AtomicU64,
}

#[derive(Deserialize)]
struct Email {
    email: Option<String>,
}

impl Workload for Verify {
    fn next(&self, _rng: &mut SmallRng) -> Option<Job> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) as usize;
        let (id, _, auth) = self.list.get(i)?;
        Some(Job {
            method: Method::GET,
            path: format!("/customers/{id}"),
            auth: Some(auth.clone()),
            body: None,
            cat: 0,
            tag: i as u64,
        })
    }
    fn done(&self, job: &Job, _status: StatusCode, body: &Bytes) -> Result<(), String> {
        let (id, email, _) = &self.list[job.tag as usize];
        let got: Email = serde_json::from_slice(body).map_err(|e| format!("{id}: {e}"))?;
        if got.email.as_deref() != Some(email.as_str()) {
            return Err(format!("{id}: email {:?}, expected {email:?}", got.email));
        }
        Ok(())
    }
}
