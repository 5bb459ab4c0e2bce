//! Customers as jobs, estimates and leads embed them, made from the customers' stored JSON
//! (`GET /customers/{id}`'s) once per text of it and remembered by that text: parsing each
//! customer of a week's page of jobs with its addresses, cloning and serializing it again was a
//! third of the page's instructions (cutting the JSON without the types cost as much,
//! BENCHMARKS.md). The embedded forms are a function of the JSON alone, so remembered ones are
//! right for as long as the customer's stored JSON is the same text; a changed customer has
//! other text and is made afresh.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use fieldwork_types::{Customer, EmbeddedCustomer, JobCustomer, Note};
use parking_lot::Mutex;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// Most bytes of JSON remembered (texts and cuts; about 2 kB a customer of the benchmark); past
/// that the memory starts over, which bounds memory, not correctness.
const MAX_REMEMBERED_BYTES: usize = 16 << 20;

/// Customers already cut, by their stored JSON, and the bytes they hold.
#[derive(Default)]
struct Remembered {
    cuts: HashMap<String, Arc<EmbeddableCustomer>>,
    bytes: usize,
}

static REMEMBERED: LazyLock<Mutex<Remembered>> = LazyLock::new(Mutex::default);

/// The customers of these stored JSON texts, by id; `None` if one of them is not a customer's.
pub fn cut_all(stored: Vec<String>) -> Option<HashMap<String, Arc<EmbeddableCustomer>>> {
    let mut found = HashMap::with_capacity(stored.len());
    let mut new = Vec::new();
    {
        let remembered = REMEMBERED.lock();
        for json in stored {
            match remembered.cuts.get(&json) {
                Some(c) => {
                    found.insert(c.id.clone(), c.clone());
                }
                None => new.push(json),
            }
        }
    }
    if new.is_empty() {
        return Some(found);
    }
    let cut = new
        .into_iter()
        .map(|json| Some((Arc::new(EmbeddableCustomer::from_json(&json)?), json)))
        .collect::<Option<Vec<_>>>()?;
    let mut remembered = REMEMBERED.lock();
    for (c, json) in cut {
        found.insert(c.id.clone(), c.clone());
        // Another request may have cut the same text meanwhile: counted once.
        if remembered.cuts.contains_key(&json) {
            continue;
        }
        let bytes = json.len() + c.bytes();
        if remembered.bytes + bytes > MAX_REMEMBERED_BYTES {
            *remembered = Remembered::default();
        }
        remembered.bytes += bytes;
        remembered.cuts.insert(json, c);
    }
    Some(found)
}

/// JSON serialized beforehand, embedded as it is.
#[derive(Debug, Clone)]
pub struct RawJson(Arc<RawValue>);

impl RawJson {
    fn serialized(value: &impl Serialize) -> Self {
        Self(Arc::from(
            serde_json::value::to_raw_value(value).expect("plain data serializes"),
        ))
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// One customer, ready to embed.
#[derive(Debug)]
pub struct EmbeddableCustomer {
    pub id: String,
    /// As a job embeds it (HCP's `JobCustomer`: no addresses, the notes as a list).
    pub in_job: RawJson,
    /// As an estimate or a lead embeds it (`EmbeddedCustomer`: no addresses, the notes as one
    /// string).
    pub plain: RawJson,
    /// The customer's addresses with their ids.
    pub addresses: Vec<(String, RawJson)>,
}

impl EmbeddableCustomer {
    /// From a customer's stored JSON; `None` if the JSON is not a customer's.
    pub fn from_json(json: &str) -> Option<Self> {
        let customer: Customer = serde_json::from_str(json).ok()?;
        Some(Self::of(&customer))
    }

    /// The customer's embedded forms.
    pub fn of(c: &Customer) -> Self {
        let in_job = embed(c);
        let addresses = c
            .addresses
            .iter()
            .map(|a| (a.id.clone(), RawJson::serialized(a)))
            .collect();
        Self {
            id: c.id.clone(),
            plain: RawJson::serialized(&EmbeddedCustomer::from(in_job.clone())),
            in_job: RawJson::serialized(&in_job),
            addresses,
        }
    }

    /// The bytes of JSON the cut holds.
    pub(super) fn bytes(&self) -> usize {
        let addresses: usize = self
            .addresses
            .iter()
            .map(|(id, a)| id.len() + a.get().len())
            .sum();
        self.id.len() + self.in_job.get().len() + self.plain.get().len() + addresses
    }

    /// The address with this id, if it is the customer's.
    pub fn address(&self, id: &str) -> Option<&RawJson> {
        self.addresses
            .iter()
            .find_map(|(address_id, json)| (address_id == id).then_some(json))
    }
}

/// A customer as jobs embed it: without addresses, its notes as a list.
fn embed(c: &Customer) -> JobCustomer {
    JobCustomer {
        id: c.id.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        email: c.email.clone(),
        mobile_number: c.mobile_number.clone(),
        home_number: c.home_number.clone(),
        work_number: c.work_number.clone(),
        company: c.company.clone(),
        notifications_enabled: c.notifications_enabled,
        lead_source: c.lead_source.clone(),
        notes: c
            .notes
            .iter()
            .map(|content| Note {
                // Stable per customer: the same note keeps its id across reads.
                id: format!("nte_{}", c.id.strip_prefix("cus_").unwrap_or(&c.id)),
                content: content.clone(),
            })
            .collect(),
        created_at: c.created_at.clone(),
        updated_at: c.updated_at.clone(),
        company_name: c.company_name.clone(),
        company_id: c.company_id.clone(),
        tags: c.tags.clone(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use fieldwork_store::rules::customer_json;
    use fieldwork_types::{Address, EmbeddedCustomer as Plain};

    use super::*;

    pub(in crate::services::jobs) fn customer(notes: Option<&str>) -> Customer {
        let address = |id: &str, street: &str| Address {
            id: id.into(),
            kind: "service".into(),
            street: Some(street.into()),
            street_line_2: None,
            city: Some("Austin".into()),
            state: Some("TX".into()),
            zip: Some("78701".into()),
            country: None,
        };
        Customer {
            id: "cus_7".into(),
            first_name: Some("Zoë \"Z\"".into()),
            last_name: None,
            email: Some("z@example.com".into()),
            mobile_number: Some("555-0100".into()),
            home_number: None,
            work_number: None,
            company: Some("Pipes\\Co".into()),
            notifications_enabled: true,
            lead_source: None,
            notes: notes.map(str::to_owned),
            created_at: "2026-01-02T03:04:05Z".into(),
            updated_at: "2026-01-02T03:04:06Z".into(),
            company_name: "Acme \u{1F527}".into(),
            company_id: "com_1".into(),
            tags: vec!["vip".into(), "a\nb".into()],
            addresses: vec![
                address("adr_1", "1 Main"),
                address("adr_2", "2 \"Side\" St"),
            ],
            attachments: None,
            do_not_service: None,
        }
    }

    /// Each form is byte for byte what serializing the typed customer gives, so pages read the
    /// same as before and as clients' types expect.
    #[test]
    fn a_customer_cut_from_its_json_embeds_as_the_typed_one() {
        for notes in [None, Some(""), Some("Back gate \"code\" 12")] {
            let c = customer(notes);
            let e = EmbeddableCustomer::from_json(&customer_json(&c)).unwrap();
            assert_eq!(e.id, "cus_7");
            let job: JobCustomer = embed(&c);
            assert_eq!(e.in_job.get(), serde_json::to_string(&job).unwrap());
            let plain: Plain = job.into();
            assert_eq!(e.plain.get(), serde_json::to_string(&plain).unwrap());
            for a in &c.addresses {
                let json = e.address(&a.id).unwrap().get();
                assert_eq!(json, serde_json::to_string(a).unwrap());
            }
            assert!(e.address("adr_other").is_none());
        }
    }

    /// The same text gives the cut remembered; a changed customer (other text) its own.
    #[test]
    fn a_customer_is_cut_once_per_text_of_its_json() {
        let before = customer_json(&customer(None));
        let after = customer_json(&customer(Some("Gate code 4")));
        let first = cut_all(vec![before.clone()]).unwrap();
        let again = cut_all(vec![before.clone(), after]).unwrap();
        assert!(Arc::ptr_eq(
            &first["cus_7"],
            &cut_all(vec![before]).unwrap()["cus_7"]
        ));
        assert_eq!(again.len(), 1, "both texts are the one customer's");
        let notes = &again["cus_7"].in_job;
        assert!(
            notes.get().contains(r#""content":"Gate code 4""#),
            "{}",
            notes.get()
        );
        assert!(cut_all(vec!["{}".into()]).is_none());
    }

    /// Customers with large notes, each another text: what is remembered stays within its bytes.
    #[test]
    fn what_is_remembered_is_bounded_in_bytes() {
        let note = "n".repeat(1 << 20);
        for i in 0..40 {
            let json = customer_json(&customer(Some(&format!("{i} {note}"))));
            assert!(cut_all(vec![json]).is_some());
            let bytes = REMEMBERED.lock().bytes;
            assert!(bytes <= MAX_REMEMBERED_BYTES, "{bytes} after {i}");
            let held: usize = REMEMBERED
                .lock()
                .cuts
                .iter()
                .map(|(json, c)| json.len() + c.bytes())
                .sum();
            assert_eq!(held, bytes);
        }
    }

    #[test]
    fn json_that_is_not_a_customer_is_refused() {
        assert!(EmbeddableCustomer::from_json("{}").is_none());
        assert!(EmbeddableCustomer::from_json("[1]").is_none());
        let mut c = serde_json::to_value(customer(None)).unwrap();
        c["addresses"] = serde_json::json!([{"street": "no id"}]);
        assert!(EmbeddableCustomer::from_json(&c.to_string()).is_none());
    }
}
