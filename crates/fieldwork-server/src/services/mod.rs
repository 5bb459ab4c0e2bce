//! Domain rules shared by the API, the CLI and (later) the console: validation and computation.

pub mod booking;
pub mod company;
pub mod customers;
pub mod validate;
pub mod vendors;
