//! What the rows of a page of customers are read as: whole customers, mapped from their columns
//! ([`Full`]), or the JSON their last write stored ([`Json`]), which a list answers with as it
//! is (mapping and serializing fifty customers was most of a page's cost).

use fieldwork_types::Customer;
use rusqlite::Row;

use super::{COLS, from_row};

/// The columns and joins of a shape; column 0 is always `c.seq`.
pub(crate) trait Shape {
    type Item;
    /// The select list, over `customers c` and [`Shape::JOINS`].
    const COLS: &'static str;
    /// The joins its columns need.
    const JOINS: &'static str;
    /// How many columns [`Shape::COLS`] has (a window total selected after them is the next).
    const WIDTH: usize;
    fn item(r: &Row<'_>) -> rusqlite::Result<Self::Item>;
}

/// Whole customers with their addresses and company name.
pub(crate) struct Full;

impl Shape for Full {
    type Item = Customer;
    const COLS: &'static str = COLS;
    const JOINS: &'static str = "join companies co on co.id = c.company_id";
    const WIDTH: usize = 19;
    fn item(r: &Row<'_>) -> rusqlite::Result<Customer> {
        from_row(r)
    }
}

/// A customer's `seq` and stored JSON (`None` for a customer written before `customer_docs`).
pub(crate) struct Json;

impl Shape for Json {
    type Item = (i64, Option<String>);
    const COLS: &'static str = "c.seq, d.doc";
    const JOINS: &'static str = "left join customer_docs d on d.seq = c.seq";
    const WIDTH: usize = 2;
    fn item(r: &Row<'_>) -> rusqlite::Result<Self::Item> {
        Ok((r.get(0)?, r.get(1)?))
    }
}
