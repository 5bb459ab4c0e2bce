//! Object ids: a type prefix plus 32 lowercase hex digits, as HCP's (`cus_…`, `pro_…`).

/// Prefixes of every id Fieldwork makes. Company ids are plain UUIDs, as in HCP.
pub mod prefix {
    pub const CUSTOMER: &str = "cus";
    pub const ADDRESS: &str = "adr";
    pub const EMPLOYEE: &str = "pro";
    pub const TAG: &str = "tag";
    pub const LEAD_SOURCE: &str = "lsr";
    pub const JOB_TYPE: &str = "jbt";
    pub const VENDOR: &str = "ven";
    pub const API_KEY: &str = "key";
    pub const USER: &str = "usr";
}

/// A new id with the given prefix: a UUIDv7 (48-bit millisecond time, then random bits), so ids
/// made one after another sort together and the unique `id` indexes grow at one end instead of
/// taking inserts on random leaf pages (measured +35 % POST throughput on SQLite; BENCHMARKS.md).
/// Still 32 hex digits, as HCP's ids; nothing may rely on their order.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

/// A new company id (a hyphenated UUID).
pub fn new_company_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
