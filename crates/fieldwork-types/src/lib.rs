//! Wire types of the Fieldwork API: the HCP v1 shapes and Fieldwork's own additions.
//!
//! `*In` types are request bodies, `*Patch` partial updates, plain names are responses.
//! Nullable fields are `Option` and always serialized (HCP sends explicit `null`s).

pub mod company;
pub mod customer;
pub mod employee;
pub mod estimate;
pub mod event;
pub mod invoice;
pub mod job;
pub mod lead;
pub mod line_item;
pub mod list;
pub mod reference;
pub mod usage;
pub mod vendor;
pub mod webhook;

pub use company::*;
pub use customer::*;
pub use employee::*;
pub use estimate::*;
pub use event::*;
pub use invoice::*;
pub use job::*;
pub use lead::*;
pub use line_item::*;
pub use list::*;
pub use reference::*;
pub use usage::*;
pub use vendor::*;
pub use webhook::*;

/// Deserializes a field that distinguishes "absent" (`None`) from "null" (`Some(None)`).
///
/// Use with `#[serde(default, deserialize_with = "double_option")]` on `Option<Option<T>>`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(de).map(Some)
}
