//! Extractors that state a handler's input rules in its signature, with HCP-shaped rejections.

mod auth;
pub mod json;
mod query;
mod upload;

pub use auth::{KeyLookup, MaxPlanCompany, key_lookup, lookup_key, presented_key_hash};
pub use json::HcpJson;
pub use query::HcpQuery;
pub use upload::FileUpload;
