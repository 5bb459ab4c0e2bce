//! Line items and money: validation, amounts and totals, in integer cents.
//!
//! A line's amount is `round(unit_price × quantity)`; `fixed discount` lines count negative;
//! a `percent discount` line's `unit_price` is a percentage of the positive lines. The
//! subtotal is the sum of the positive lines, the total adds discounts and tax.

use fieldwork_store::ids::new_id;
use fieldwork_types::{LineItem, LineItemIn};
use serde::{Deserialize, Serialize};

use super::validate::{self, MAX_NOTES, MAX_TEXT};
use crate::error::{ApiError, ApiResult};

/// Prefix of line item ids (HCP's `rli_`).
pub const PREFIX: &str = "rli";
/// Most lines on one job, option or lead.
pub const MAX_LINES: usize = 500;
/// Largest unit price or cost, in cents (a billion dollars).
const MAX_CENTS: f64 = 100_000_000_000.0;
/// Largest quantity.
const MAX_QUANTITY: f64 = 1_000_000.0;
/// Largest amount of one line, in cents (ten billion dollars): with at most [`MAX_LINES`]
/// lines no sum can overflow.
const MAX_LINE_AMOUNT: f64 = 1_000_000_000_000.0;
const KINDS: &[&str] = &[
    "labor",
    "materials",
    "fixed gratuity",
    "fixed discount",
    "percent discount",
];
const SERVICE_ITEM_TYPES: &[&str] = &["market_place", "organizational", "pricebook_material"];

/// The money figures of a set of lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Sum of the positive lines.
    pub subtotal: i64,
    /// Sum of the discount lines (zero or negative).
    pub discounts: i64,
    pub tax: i64,
    /// `subtotal + discounts + tax`, never negative.
    pub total: i64,
}

/// Whole cents from a JSON number.
pub fn cents(field: &str, v: f64) -> ApiResult<i64> {
    if !v.is_finite() || v.fract() != 0.0 || v.abs() > MAX_CENTS {
        return Err(ApiError::invalid(field, "must be a whole number of cents"));
    }
    Ok(v as i64)
}

/// A quantity, rounded to two decimals.
pub fn quantity(field: &str, v: f64) -> ApiResult<f64> {
    if !v.is_finite() || !(0.0..=MAX_QUANTITY).contains(&v) {
        return Err(ApiError::invalid(
            field,
            format!("must be between 0 and {MAX_QUANTITY}"),
        ));
    }
    Ok((v * 100.0).round() / 100.0)
}

/// Builds a line from input: `existing` supplies the id and any field the input leaves out.
pub fn build(
    field: &str,
    input: LineItemIn,
    existing: Option<&LineItem>,
    order_index: i64,
) -> ApiResult<LineItem> {
    build_line(input, existing, order_index).map_err(|e| named(e, || field.to_owned()))
}

/// Names a line's field error after where the line came from (`line_items[3]` + `.name`).
/// Made only for an error: formatting the names for every field of every line was a tenth of a
/// 50-line bulk update's instructions (BENCHMARKS.md).
fn named(e: ApiError, line: impl FnOnce() -> String) -> ApiError {
    match e {
        ApiError::Unprocessable { field, reason } => {
            ApiError::invalid(format!("{}.{field}", line()), reason)
        }
        other => other,
    }
}

/// [`build`] with errors naming the line's own fields.
fn build_line(
    input: LineItemIn,
    existing: Option<&LineItem>,
    order_index: i64,
) -> ApiResult<LineItem> {
    let name = match (input.name, existing) {
        (Some(n), _) => validate::required("name", Some(n), MAX_TEXT)?,
        (None, Some(e)) => e.name.clone(),
        (None, None) => return Err(ApiError::invalid("name", "is missing")),
    };
    let kind = match input.kind {
        Some(k) if KINDS.contains(&k.as_str()) => k,
        Some(_) => {
            return Err(ApiError::invalid(
                "kind",
                format!("must be one of: {}", KINDS.join(", ")),
            ));
        }
        None => existing.map_or_else(|| "labor".to_owned(), |e| e.kind.clone()),
    };
    let service_item_type = match input.service_item_type {
        Some(t) if SERVICE_ITEM_TYPES.contains(&t.as_str()) => Some(t),
        Some(_) => {
            return Err(ApiError::invalid(
                "service_item_type",
                format!("must be one of: {}", SERVICE_ITEM_TYPES.join(", ")),
            ));
        }
        None => existing.and_then(|e| e.service_item_type.clone()),
    };
    let unit_price = match input.unit_price {
        Some(v) => cents("unit_price", v)?,
        None => existing.map_or(0, |e| e.unit_price),
    };
    if kind == "percent discount" && !(0..=100).contains(&unit_price) {
        return Err(ApiError::invalid(
            "unit_price",
            "of a percent discount must be a percentage from 0 to 100",
        ));
    }
    let line = LineItem {
        object: "line_item".into(),
        id: existing.map_or_else(|| new_id(PREFIX), |e| e.id.clone()),
        name,
        description: match input.description {
            Some(d) => validate::text("description", Some(d), MAX_NOTES)?,
            None => existing.and_then(|e| e.description.clone()),
        },
        unit_price,
        unit_cost: match input.unit_cost {
            Some(v) => cents("unit_cost", v)?,
            None => existing.map_or(0, |e| e.unit_cost),
        },
        unit_of_measure: match input.unit_of_measure {
            Some(u) => validate::text("unit_of_measure", Some(u), MAX_TEXT)?,
            None => existing.and_then(|e| e.unit_of_measure.clone()),
        },
        quantity: match input.quantity {
            Some(q) => quantity("quantity", q)?,
            None => existing.map_or(1.0, |e| e.quantity),
        },
        kind,
        taxable: input
            .taxable
            .unwrap_or_else(|| existing.is_none_or(|e| e.taxable)),
        amount: 0,
        order_index,
        service_item_id: match input.service_item_id {
            Some(s) => validate::text("service_item_id", Some(s), MAX_TEXT)?,
            None => existing.and_then(|e| e.service_item_id.clone()),
        },
        service_item_type,
        pricing_form: input
            .pricing_form
            .or_else(|| existing.and_then(|e| e.pricing_form.clone())),
    };
    if (line.unit_price as f64 * line.quantity).abs() > MAX_LINE_AMOUNT {
        return Err(ApiError::invalid(
            "quantity",
            "times unit_price is more than a line can hold",
        ));
    }
    Ok(line)
}

/// Builds new lines from a create request.
pub fn build_all(field: &str, inputs: Vec<LineItemIn>) -> ApiResult<Vec<LineItem>> {
    if inputs.len() > MAX_LINES {
        return Err(ApiError::invalid(
            field,
            format!("has more than {MAX_LINES} entries"),
        ));
    }
    let mut lines = inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| {
            build_line(input, None, i as i64).map_err(|e| named(e, || format!("{field}[{i}]")))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    recompute(&mut lines);
    Ok(lines)
}

/// Applies a bulk update: lines with a known `id` are replaced, lines without one are added;
/// unless `append`, lines the request does not name are removed. An unknown id is a 422.
pub fn bulk_update(
    current: &[LineItem],
    inputs: Vec<LineItemIn>,
    append: bool,
) -> ApiResult<Vec<LineItem>> {
    let mut kept: Vec<LineItem> = if append { current.to_vec() } else { Vec::new() };
    for (i, input) in inputs.into_iter().enumerate() {
        let field = || format!("line_items[{i}]");
        match input.id.clone().filter(|id| !id.is_empty()) {
            Some(id) => {
                let existing = current.iter().find(|l| l.id == id).ok_or_else(|| {
                    ApiError::invalid(
                        format!("{}.id", field()),
                        "is not a line item of this record",
                    )
                })?;
                let line = build_line(input, Some(existing), 0).map_err(|e| named(e, field))?;
                match kept.iter_mut().find(|l| l.id == id) {
                    Some(slot) => *slot = line,
                    None => kept.push(line),
                }
            }
            None => kept.push(build_line(input, None, 0).map_err(|e| named(e, field))?),
        }
    }
    if kept.len() > MAX_LINES {
        return Err(ApiError::invalid(
            "line_items",
            format!("would have more than {MAX_LINES} entries"),
        ));
    }
    for (i, line) in kept.iter_mut().enumerate() {
        line.order_index = i as i64;
    }
    recompute(&mut kept);
    Ok(kept)
}

/// Sets every line's `amount` (percent discounts depend on the other lines).
pub fn recompute(lines: &mut [LineItem]) {
    for line in lines.iter_mut() {
        let gross = (line.unit_price as f64 * line.quantity).round() as i64;
        line.amount = match line.kind.as_str() {
            "fixed discount" => -gross.abs(),
            "percent discount" => 0,
            _ => gross,
        };
    }
    let base: i64 = lines
        .iter()
        .filter(|l| is_positive(*l))
        .map(|l| l.amount)
        .sum();
    for line in lines.iter_mut().filter(|l| l.kind == "percent discount") {
        line.amount = -((base as f64) * line.unit_price as f64 / 100.0).round() as i64;
    }
}

/// What the totals read of a line.
pub trait Priced {
    fn kind(&self) -> &str;
    fn taxable(&self) -> bool;
    /// Cents; negative for discounts.
    fn amount(&self) -> i64;
}

/// A stored line read for its money alone (its other fields are skipped unread): how a job
/// list computes the totals of a job stored before its body carried them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinePrice {
    pub kind: String,
    pub taxable: bool,
    pub amount: i64,
}

/// `Priced` for line types with `kind`, `taxable` and `amount` fields.
macro_rules! priced_by_fields {
    ($($line:ty),*) => {$(
        impl Priced for $line {
            fn kind(&self) -> &str {
                &self.kind
            }
            fn taxable(&self) -> bool {
                self.taxable
            }
            fn amount(&self) -> i64 {
                self.amount
            }
        }
    )*};
}
priced_by_fields!(LineItem, LinePrice);

/// A stored line skipped unread: job lists take the totals written beside the lines
/// (`JobDoc::written_totals`) and need nothing else of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Unread;

impl<'de> Deserialize<'de> for Unread {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Unread)
    }
}

fn is_positive(line: &impl Priced) -> bool {
    !matches!(line.kind(), "fixed discount" | "percent discount")
}

/// The totals of `lines` (amounts already computed) with `tax_rate` percent on the taxable
/// lines, after discounts spread over the positive lines in proportion.
pub fn totals<L: Priced>(lines: &[L], tax_rate: f64) -> Totals {
    let subtotal: i64 = lines
        .iter()
        .filter(|l| is_positive(*l))
        .map(Priced::amount)
        .sum();
    let discounts: i64 = lines
        .iter()
        .filter(|l| !is_positive(*l))
        .map(Priced::amount)
        .sum::<i64>()
        .max(-subtotal);
    let taxable: i64 = lines
        .iter()
        .filter(|l| is_positive(*l) && l.taxable())
        .map(Priced::amount)
        .sum();
    let tax = if subtotal > 0 && tax_rate > 0.0 {
        let share = (subtotal + discounts) as f64 / subtotal as f64;
        ((taxable as f64) * share * tax_rate / 100.0).round() as i64
    } else {
        0
    };
    Totals {
        subtotal,
        discounts,
        tax,
        total: (subtotal + discounts + tax).max(0),
    }
}

/// A line of input named after its kind, for tests.
#[cfg(test)]
pub(crate) fn line(kind: &str, price: f64, qty: f64, taxable: bool) -> LineItemIn {
    LineItemIn {
        name: Some(kind.into()),
        kind: Some(kind.into()),
        unit_price: Some(price),
        quantity: Some(qty),
        taxable: Some(taxable),
        ..LineItemIn::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_totals() {
        let lines = build_all(
            "line_items",
            vec![
                line("labor", 10_000.0, 1.5, true),
                line("materials", 2_550.0, 2.0, false),
                line("fixed discount", 1_000.0, 1.0, false),
                line("percent discount", 10.0, 1.0, false),
            ],
        )
        .unwrap();
        let amounts: Vec<i64> = lines.iter().map(|l| l.amount).collect();
        assert_eq!(amounts, vec![15_000, 5_100, -1_000, -2_010]);
        let t = totals(&lines, 8.25);
        assert_eq!(t.subtotal, 20_100);
        assert_eq!(t.discounts, -3_010);
        // Taxable 15,000 × (17,090 / 20,100) × 8.25 %.
        assert_eq!(t.tax, 1_052);
        assert_eq!(t.total, 18_142);
    }

    #[test]
    fn discounts_never_make_totals_negative() {
        let lines = build_all(
            "l",
            vec![
                line("labor", 100.0, 1.0, true),
                line("fixed discount", 500.0, 1.0, true),
            ],
        )
        .unwrap();
        assert_eq!(totals(&lines, 0.0).total, 0);
    }

    #[test]
    fn refuses_fractions_of_cents_and_bad_kinds() {
        assert!(build_all("l", vec![line("labor", 10.5, 1.0, true)]).is_err());
        assert!(build_all("l", vec![line("tip", 10.0, 1.0, true)]).is_err());
        assert!(build_all("l", vec![line("labor", 10.0, -1.0, true)]).is_err());
        assert!(build_all("l", vec![line("percent discount", 150.0, 1.0, true)]).is_err());
    }

    #[test]
    fn bulk_update_replaces_appends_and_deletes() {
        let current = build_all(
            "l",
            vec![
                line("labor", 100.0, 1.0, true),
                line("labor", 200.0, 1.0, true),
            ],
        )
        .unwrap();
        let change = LineItemIn {
            id: Some(current[1].id.clone()),
            unit_price: Some(300.0),
            ..LineItemIn::default()
        };
        let replaced = bulk_update(&current, vec![change.clone()], false).unwrap();
        assert_eq!(replaced.len(), 1);
        assert_eq!(
            (replaced[0].id.as_str(), replaced[0].amount),
            (current[1].id.as_str(), 300)
        );
        let appended =
            bulk_update(&current, vec![change, line("labor", 5.0, 1.0, true)], true).unwrap();
        assert_eq!(appended.len(), 3);
        assert_eq!(appended[1].amount, 300);
        let unknown = LineItemIn {
            id: Some("rli_nope".into()),
            ..LineItemIn::default()
        };
        assert!(bulk_update(&current, vec![unknown], true).is_err());
    }
}
