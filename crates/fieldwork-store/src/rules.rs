//! Data rules every backend applies the same way: a new company's defaults, how partial updates
//! merge, and the text `q=` searches.

use fieldwork_types::{
    Company, Customer, CustomerPatch, DailyAvailabilities, DailyScheduleWindows,
    ScheduleAvailability, ScheduleWindow, ServiceAreasData, Vendor, VendorPatch,
};

/// The public profile a new company starts with.
pub fn default_profile(id: &str, name: &str, time_zone: &str) -> Company {
    Company {
        id: id.to_owned(),
        name: name.to_owned(),
        support_email: None,
        phone_number: None,
        logo_url: None,
        address: None,
        website: None,
        default_arrival_window: Some("0".into()),
        time_zone: time_zone.to_owned(),
        service_areas_data: ServiceAreasData::default(),
        locations: Vec::new(),
    }
}

/// Monday to Friday, 08:00 to 17:00, bookable from tomorrow: a typical trade business.
pub fn default_availability() -> ScheduleAvailability {
    let days = ["monday", "tuesday", "wednesday", "thursday", "friday"];
    ScheduleAvailability {
        availability_buffer_in_days: 1,
        daily_availabilities: DailyAvailabilities {
            data: days
                .iter()
                .map(|d| DailyScheduleWindows {
                    day_name: (*d).to_owned(),
                    schedule_windows: vec![ScheduleWindow {
                        start_time: "08:00".into(),
                        end_time: "17:00".into(),
                    }],
                })
                .collect(),
        },
    }
}

/// Merges a validated customer patch: absent fields stay, `Some(None)` clears.
pub fn apply_customer_patch(current: &mut Customer, patch: CustomerPatch) {
    let fields = [
        (&mut current.first_name, patch.first_name),
        (&mut current.last_name, patch.last_name),
        (&mut current.email, patch.email),
        (&mut current.mobile_number, patch.mobile_number),
        (&mut current.home_number, patch.home_number),
        (&mut current.work_number, patch.work_number),
        (&mut current.company, patch.company),
        (&mut current.lead_source, patch.lead_source),
        (&mut current.notes, patch.notes),
    ];
    for (field, change) in fields {
        if let Some(value) = change {
            *field = value;
        }
    }
    if let Some(enabled) = patch.notifications_enabled {
        current.notifications_enabled = enabled;
    }
    if let Some(tags) = patch.tags {
        current.tags = tags;
    }
}

/// Merges a validated vendor patch: absent fields stay, `Some(None)` clears.
pub fn apply_vendor_patch(current: &mut Vendor, patch: VendorPatch) {
    if let Some(name) = patch.name {
        current.name = name;
    }
    for (field, change) in [
        (&mut current.contact_name, patch.contact_name),
        (&mut current.email, patch.email),
        (&mut current.phone, patch.phone),
        (&mut current.notes, patch.notes),
    ] {
        if let Some(value) = change {
            *field = value;
        }
    }
    if let Some(address) = patch.address {
        current.address = address;
    }
    if let Some(tags) = patch.tags {
        current.tags = tags;
    }
}

/// A customer's JSON as `GET /customers/{id}` answers it without `expand[]`: what a store may
/// keep per customer and answer reads with as it is.
pub fn customer_json(c: &Customer) -> String {
    serde_json::to_string(&c.clone().unexpanded()).expect("a customer serializes")
}

/// The text `q=` terms are matched against: names, email, company and phone numbers one per
/// line, then each address's street, second line, city, state and zip on a line, then every
/// line of the first part that holds at least seven digits as bare digits (so `q=5551234` finds
/// `(555) 123-4…`). Lowercased, as search patterns are.
pub fn customer_search_doc(c: &Customer) -> String {
    let fields = [
        &c.first_name,
        &c.last_name,
        &c.email,
        &c.company,
        &c.mobile_number,
        &c.home_number,
        &c.work_number,
    ];
    let mut doc = fields
        .iter()
        .filter_map(|f| f.as_deref())
        .collect::<Vec<_>>()
        .join("\n");
    let digits = doc
        .split('\n')
        .filter(|part| part.chars().filter(char::is_ascii_digit).count() >= 7)
        .map(|part| {
            part.chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n");
    for a in &c.addresses {
        let parts = [&a.street, &a.street_line_2, &a.city, &a.state, &a.zip];
        doc.push('\n');
        doc.push_str(
            &parts
                .iter()
                .filter_map(|p| p.as_deref())
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    doc.push('\n');
    doc.push_str(&digits);
    doc.to_lowercase()
}

/// A character a search word holds: an ASCII letter or any non-ASCII character. Digits and ASCII
/// punctuation separate words.
pub fn is_search_word_char(c: char) -> bool {
    c.is_ascii_alphabetic() || !c.is_ascii()
}

/// Whether a search term can be looked up by word: three or more characters, all of them word
/// characters. Such a term matches a search text exactly when it lies inside one of the
/// text's [`search_words`].
pub fn is_search_word(term: &str) -> bool {
    term.chars().count() >= 3 && term.chars().all(is_search_word_char)
}

/// The words of three or more characters of a search text, in order, repeats kept.
pub fn search_words(doc: &str) -> impl Iterator<Item = &str> {
    doc.split(|c: char| !is_search_word_char(c))
        .filter(|w| is_search_word(w))
}

/// Whether a customer matches a `q=` value: its search text contains every term. What the
/// stores' indexes answer, stated plainly (their tests check them against it).
pub fn search_matches(c: &Customer, q: &str) -> bool {
    let doc = customer_search_doc(c);
    search_patterns(q)
        .iter()
        .all(|p| doc.contains(p.trim_matches('%')))
}

/// Search patterns of a `q=` value: whitespace-separated terms as `%term%`, lowercased, at most
/// eight. Wildcards are dropped rather than escaped (trigram indexes serve `like` only
/// without an `escape` clause, and nobody searches for a literal `%`).
pub fn search_patterns(q: &str) -> Vec<String> {
    q.split_whitespace()
        .map(|t| t.replace(['%', '_'], "").to_lowercase())
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{t}%"))
        .take(8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_drop_wildcards_and_blank_terms() {
        assert_eq!(search_patterns("  Ada  50%_ "), vec!["%ada%", "%50%"]);
        assert!(search_patterns("%% _").is_empty());
        assert_eq!(search_patterns("a b c d e f g h i j").len(), 8);
    }

    #[test]
    fn default_availability_is_weekdays() {
        let a = default_availability();
        assert_eq!(a.daily_availabilities.data.len(), 5);
        assert_eq!(a.daily_availabilities.data[0].day_name, "monday");
    }
}
