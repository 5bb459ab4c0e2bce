//! Domain rules shared by the API, the CLI and (later) the console: validation and computation.

pub mod attachments;
pub mod booking;
pub mod company;
pub mod customers;
pub mod estimates;
pub mod events;
pub mod invoices;
pub mod jobs;
pub mod leads;
pub mod line_items;
pub mod times;
pub mod usage;
pub mod validate;
pub mod vendors;
pub mod webhooks;
