//! The transactional outbox: events written in the same transaction as the change they report.
//!
//! A service builds the full envelope (`{"event", "company_id", "<resource>": {…}}`) and adds
//! it to its [`DocWrite`](crate::DocWrite) batch as `DocWrite::Emit`, or calls `Store::emit` for
//! a change that is not a document batch. Inside that transaction the store records the message
//! and one pending delivery per enabled webhook endpoint of the company whose filter matches, so
//! a crash leaves either the change with its deliveries or neither.
//!
//! Customers and employees are written by store methods of their own: those take the names of
//! the events to record and build them inside their transaction, once the object is made, with
//! [`customer_events`] and [`employee_events`].

use fieldwork_types::{Customer, Employee};

/// Prefix of message ids; the id is also the Standard Webhooks `webhook-id`.
pub const MESSAGE_PREFIX: &str = "msg";

/// One event to record and deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    /// `msg_` + 32 hex; stable across retries and resends.
    pub id: String,
    /// A name of the catalog (`job.created`, …).
    pub event_type: String,
    /// The full envelope JSON, sent byte for byte.
    pub payload: String,
    /// Unix microseconds.
    pub created_at: i64,
}

impl OutboxEvent {
    /// A new event with a fresh id, stamped now.
    pub fn new(event_type: impl Into<String>, payload: String) -> Self {
        Self {
            id: crate::ids::new_id(MESSAGE_PREFIX),
            event_type: event_type.into(),
            payload,
            created_at: crate::time::now_micros(),
        }
    }
}

/// The envelope HCP sends, `{"event": …, "company_id": …, "<key>": {…}}`, as JSON text: serialized
/// straight from the object, its fields in the order the API answers with them (making it a
/// `serde_json::Value` first sorted them, and cost a 50-line job change about as much as the
/// text, BENCHMARKS.md). Store methods whose object is made inside the transaction (ids, times)
/// build their event with it there; services use it through the server's `webhooks::events`.
pub fn envelope_of(
    event_type: &str,
    company_id: &str,
    key: &str,
    object: &impl serde::Serialize,
) -> String {
    struct Envelope<'a, T> {
        event_type: &'a str,
        company_id: &'a str,
        key: &'a str,
        object: &'a T,
    }
    impl<T: serde::Serialize> serde::Serialize for Envelope<'_, T> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(Some(3))?;
            m.serialize_entry("event", self.event_type)?;
            m.serialize_entry("company_id", self.company_id)?;
            m.serialize_entry(self.key, self.object)?;
            m.end()
        }
    }
    serde_json::to_string(&Envelope {
        event_type,
        company_id,
        key,
        object,
    })
    .expect("wire types serialize")
}

/// [`envelope_of`] as a JSON value, for callers that add to it or compare it.
pub fn envelope_value(
    event_type: &str,
    company_id: &str,
    key: &str,
    object: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({ "event": event_type, "company_id": company_id, key: object })
}

/// The events of a change that a store method makes itself (ids and times decided in its
/// transaction): one per name in `types`, each carrying `object` under `key`.
pub fn events_of(
    types: &[impl AsRef<str>],
    company_id: &str,
    key: &str,
    object: &impl serde::Serialize,
) -> Vec<OutboxEvent> {
    if types.is_empty() {
        return Vec::new();
    }
    types
        .iter()
        .map(|t| {
            let t = t.as_ref();
            OutboxEvent::new(t, envelope_of(t, company_id, key, object))
        })
        .collect()
}

/// The events of a customer change, carrying the customer as `GET /customers/{id}` shows it.
pub fn customer_events(types: &[impl AsRef<str>], customer: &Customer) -> Vec<OutboxEvent> {
    if types.is_empty() {
        return Vec::new();
    }
    let shown = customer.clone().unexpanded();
    events_of(types, &customer.company_id, "customer", &shown)
}

/// The events of a new employee (`employee.created`: HCP's UI calls it `pro.created`),
/// carrying the employee as `GET /employees` lists it.
pub fn employee_events(types: &[impl AsRef<str>], employee: &Employee) -> Vec<OutboxEvent> {
    events_of(types, &employee.company_id, "employee", employee)
}

#[cfg(test)]
mod tests {
    #[test]
    fn envelope_has_hcps_three_keys() {
        let e: serde_json::Value = serde_json::from_str(&super::envelope_of(
            "customer.created",
            "c1",
            "customer",
            &serde_json::json!({"id": "cus_1"}),
        ))
        .unwrap();
        assert_eq!(
            e,
            serde_json::json!({"event": "customer.created", "company_id": "c1",
                               "customer": {"id": "cus_1"}})
        );
    }

    /// Serialized straight from the object: the same envelope, the object's fields in order.
    #[test]
    fn an_envelope_of_an_object_is_its_value_envelope_with_fields_in_order() {
        #[derive(serde::Serialize)]
        struct Thing {
            zeta: &'static str,
            alpha: Vec<u8>,
        }
        let thing = Thing {
            zeta: "\"quoted\" ☃",
            alpha: vec![1, 2],
        };
        let text = super::envelope_of("thing.updated", "c1", "thing", &thing);
        assert_eq!(
            text,
            r#"{"event":"thing.updated","company_id":"c1","thing":{"zeta":"\"quoted\" ☃","alpha":[1,2]}}"#
        );
        let value = super::envelope_value(
            "thing.updated",
            "c1",
            "thing",
            serde_json::to_value(&thing).unwrap(),
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }
}
