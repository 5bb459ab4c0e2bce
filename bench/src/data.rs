//! The synthetic data set: deterministic customers, and search terms that match them.
//!
//! Customer number `i` (0-based, over the whole data set) belongs to the big company when `i`
//! is even, and to one of the small companies otherwise, so writes of all tenants interleave in
//! the tables the way they would in a shared database.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

pub const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Dorothy",
    "George",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Edward",
    "Rebecca",
    "Jason",
    "Sharon",
    "Jeffrey",
    "Laura",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Kathleen",
    "Gary",
    "Amy",
    "Nicholas",
    "Angela",
    "Eric",
    "Shirley",
    "Jonathan",
    "Anna",
    "Stephen",
    "Brenda",
    "Larry",
    "Pamela",
    "Justin",
    "Emma",
    "Scott",
    "Nicole",
    "Brandon",
    "Helen",
    "Benjamin",
    "Samantha",
    "Samuel",
    "Katherine",
    "Gregory",
    "Christine",
    "Alexander",
    "Debra",
    "Frank",
    "Rachel",
    "Patrick",
    "Carolyn",
    "Raymond",
    "Janet",
    "Jack",
    "Catherine",
    "Dennis",
    "Maria",
    "Jerry",
    "Heather",
];

pub const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
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
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
];

pub const STREETS: &[&str] = &[
    "Maple",
    "Oak",
    "Pine",
    "Cedar",
    "Elm",
    "Willow",
    "Birch",
    "Aspen",
    "Spruce",
    "Chestnut",
    "Walnut",
    "Hickory",
    "Magnolia",
    "Sycamore",
    "Juniper",
    "Laurel",
    "Cypress",
    "Redwood",
    "Sequoia",
    "Alder",
    "Hawthorne",
    "Dogwood",
    "Poplar",
    "Mulberry",
    "Sunset",
    "Lakeview",
    "Hillcrest",
    "Ridgeview",
    "Meadowbrook",
    "Riverside",
    "Park",
    "Washington",
    "Lincoln",
    "Jefferson",
    "Madison",
    "Franklin",
    "Highland",
    "Fairview",
    "Prospect",
    "Valley",
    "Church",
    "Mill",
    "Spring",
    "Forest",
    "Cherry",
    "Orchard",
    "Harbor",
    "Bayview",
    "Canyon",
    "Summit",
    "Granite",
    "Quarry",
    "Beacon",
    "Lighthouse",
    "Meridian",
    "Broadway",
    "Union",
    "Liberty",
    "Heritage",
    "Colonial",
];

const SUFFIXES: &[&str] = &[
    "St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Way", "Pl", "Ter",
];

const CITIES: &[(&str, &str, u32)] = &[
    ("Portland", "OR", 97201),
    ("Seattle", "WA", 98101),
    ("Boise", "ID", 83702),
    ("Sacramento", "CA", 95814),
    ("Fresno", "CA", 93721),
    ("Reno", "NV", 89501),
    ("Phoenix", "AZ", 85003),
    ("Tucson", "AZ", 85701),
    ("Denver", "CO", 80202),
    ("Austin", "TX", 78701),
    ("Dallas", "TX", 75201),
    ("Tulsa", "OK", 74103),
    ("Omaha", "NE", 68102),
    ("Madison", "WI", 53703),
    ("Columbus", "OH", 43215),
    ("Raleigh", "NC", 27601),
];

const DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.net",
    "inbox.example.org",
    "example.us",
];

const AREA_CODES: &[u32] = &[
    503, 206, 208, 916, 559, 775, 602, 520, 303, 512, 214, 918, 402, 608, 614, 919,
];

const NOTES: &[&str] = &[
    "Gate code 1234. Dog in the back yard.",
    "Prefers text messages; call only after 5pm.",
    "Annual maintenance plan customer.",
    "Water heater installed 2019, check anode rod.",
    "Referral from neighbour.",
];

/// One synthetic customer.
pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub email: String,
    pub mobile: String,
    pub home: String,
    pub street: String,
    pub city: &'static str,
    pub state: &'static str,
    pub zip: String,
    pub note: &'static str,
    pub tag: &'static str,
}

/// Customer number `i` of the data set made with `seed`.
pub fn person(seed: u64, i: u64) -> Person {
    let mut rng = SmallRng::seed_from_u64(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let first = FIRST[rng.random_range(0..FIRST.len())];
    let last = LAST[rng.random_range(0..LAST.len())];
    let domain = DOMAINS[rng.random_range(0..DOMAINS.len())];
    let (city, state, zip) = CITIES[rng.random_range(0..CITIES.len())];
    let phone = |rng: &mut SmallRng| {
        format!(
            "{}{:07}",
            AREA_CODES[rng.random_range(0..AREA_CODES.len())],
            rng.random_range(2_000_000..10_000_000u32)
        )
    };
    let mobile = phone(&mut rng);
    let home = phone(&mut rng);
    let street = format!(
        "{} {} {}",
        rng.random_range(1..10_000u32),
        STREETS[rng.random_range(0..STREETS.len())],
        SUFFIXES[rng.random_range(0..SUFFIXES.len())]
    );
    Person {
        first,
        last,
        email: format!(
            "{}.{}{}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            i,
            domain
        ),
        mobile,
        home,
        street,
        city,
        state,
        zip: format!("{}", zip + rng.random_range(0..40u32)),
        note: NOTES[rng.random_range(0..NOTES.len())],
        tag: if rng.random_bool(0.2) {
            "vip"
        } else {
            "residential"
        },
    }
}

/// The `POST /customers` body for `p`.
pub fn body(p: &Person) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "first_name": p.first,
        "last_name": p.last,
        "email": p.email,
        "mobile_number": p.mobile,
        "home_number": p.home,
        "notifications_enabled": true,
        "tags": [p.tag],
        "notes": p.note,
        "addresses": [{
            "street": p.street,
            "city": p.city,
            "state": p.state,
            "zip": p.zip,
            "country": "US",
        }],
    }))
    .expect("json")
}

/// The company (0 = the big one, 1..=small_count) that customer `i` of the data set belongs to:
/// while both remain, even numbers go to the big company and odd ones round-robin over the
/// others; then the rest in order.
pub fn company_of(i: u64, big: u64, small_total: u64, small_count: u64) -> usize {
    let m = big.min(small_total);
    let small = |k: u64| 1 + (k % small_count) as usize;
    if i < 2 * m {
        if i.is_multiple_of(2) { 0 } else { small(i / 2) }
    } else if big > small_total {
        0
    } else {
        small(i - m)
    }
}

/// The data set number of the `k`-th customer of the big company.
pub fn big_customer(k: u64, big: u64, small_total: u64) -> u64 {
    let m = big.min(small_total);
    if k < m { 2 * k } else { 2 * m + (k - m) }
}

/// Percent-encodes a query parameter value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
