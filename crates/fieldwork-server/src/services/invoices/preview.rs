//! `GET /api/invoices/{uuid}/preview`: the invoice as a printable HTML page, from an askama
//! template (auto-escaped: every customer-supplied string is HTML-escaped).

use askama::Template;
use chrono_tz::Tz;
use fieldwork_store::Store;
use fieldwork_types::{Address, Company, Customer};

use super::doc::StoredInvoice;
use super::render::{due_concept, local_date};
use crate::error::{ApiError, ApiResult};
use crate::services::times;

/// One row of the items table, formatted.
pub struct Row {
    pub name: String,
    pub description: Option<String>,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
}

/// A labelled amount (discounts, taxes, payments).
pub struct Line {
    pub label: String,
    pub amount: String,
}

/// Everything the page shows, formatted for display.
#[derive(Template)]
#[template(path = "invoices/preview.html")]
pub struct PreviewPage {
    pub company_name: String,
    pub company_lines: Vec<String>,
    pub invoice_number: String,
    pub status: String,
    pub invoice_date: String,
    pub service_date: Option<String>,
    pub due_date: String,
    pub terms: String,
    pub customer_name: String,
    pub customer_lines: Vec<String>,
    pub service_address: Vec<String>,
    pub rows: Vec<Row>,
    pub subtotal: String,
    pub discounts: Vec<Line>,
    pub taxes: Vec<Line>,
    pub total: String,
    pub payments: Vec<Line>,
    pub amount_due: String,
}

/// Renders the preview page of an invoice.
pub async fn page(
    store: &dyn Store,
    company_id: &str,
    invoice: &StoredInvoice,
) -> ApiResult<String> {
    let company = store.get_company(company_id).await?;
    let customer = store
        .get_customer(company_id, &invoice.doc.customer_id)
        .await?;
    let tz = times::zone(&company.profile.time_zone);
    build(&company.profile, &customer, invoice, tz)
        .render()
        .map_err(|e| ApiError::Internal(format!("failed to render the invoice preview: {e}")))
}

/// The page's data.
pub fn build(
    company: &Company,
    customer: &Customer,
    invoice: &StoredInvoice,
    tz: Tz,
) -> PreviewPage {
    let d = &invoice.doc;
    let mut company_lines = Vec::new();
    if let Some(a) = &company.address {
        company_lines.extend(address_lines(
            a.street.as_deref(),
            a.street_line_2.as_deref(),
            a.city.as_deref(),
            a.state.as_deref(),
            a.zip.as_deref(),
        ));
    }
    company_lines.extend(
        [
            &company.phone_number,
            &company.support_email,
            &company.website,
        ]
        .into_iter()
        .flatten()
        .cloned(),
    );
    let service_address = d
        .address_id
        .as_ref()
        .and_then(|id| customer.addresses.iter().find(|a| &a.id == id))
        .map(address_of)
        .unwrap_or_default();
    PreviewPage {
        company_name: company.name.clone(),
        company_lines,
        invoice_number: d.invoice_number(),
        status: d.status.replace('_', " "),
        invoice_date: local_date(d.invoice_date, tz),
        service_date: d.service_date.map(|t| local_date(t, tz)),
        due_date: local_date(d.due_at, tz),
        terms: due_concept(d.due_days).1,
        customer_name: customer_name(customer),
        customer_lines: [
            &customer.email,
            &customer.mobile_number,
            &customer.home_number,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect(),
        service_address,
        rows: d
            .items
            .iter()
            .map(|i| Row {
                name: i.name.clone(),
                description: i.description.clone(),
                quantity: decimal(i.qty_in_hundredths, 100),
                unit_price: money(i.unit_price),
                amount: money(i.amount),
            })
            .collect(),
        subtotal: money(d.subtotal),
        discounts: d
            .discounts
            .iter()
            .map(|x| Line {
                label: x.name.clone(),
                amount: money(x.amount),
            })
            .collect(),
        taxes: d
            .taxes
            .iter()
            .map(|t| Line {
                label: format!("{} ({}%)", t.name, decimal(t.rate, 1000)),
                amount: money(t.amount),
            })
            .collect(),
        total: money(d.amount),
        payments: d
            .payments
            .iter()
            .map(|p| Line {
                label: format!(
                    "Payment, {} ({})",
                    local_date(p.paid_at, tz),
                    p.payment_method.replace('_', " ")
                ),
                amount: money(-p.amount),
            })
            .collect(),
        amount_due: money(d.due_amount()),
    }
}

fn customer_name(c: &Customer) -> String {
    let name = [&c.first_name, &c.last_name]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    match (&c.company, name.is_empty()) {
        (Some(company), true) => company.clone(),
        (Some(company), false) => format!("{name}, {company}"),
        (None, _) => name,
    }
}

fn address_of(a: &Address) -> Vec<String> {
    address_lines(
        a.street.as_deref(),
        a.street_line_2.as_deref(),
        a.city.as_deref(),
        a.state.as_deref(),
        a.zip.as_deref(),
    )
}

/// Street, second line and `City, ST 12345`, leaving out what is missing.
fn address_lines(
    street: Option<&str>,
    line_2: Option<&str>,
    city: Option<&str>,
    state: Option<&str>,
    zip: Option<&str>,
) -> Vec<String> {
    let mut lines: Vec<String> = [street, line_2]
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .collect();
    let region = [state, zip]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let last = match (city, region.is_empty()) {
        (Some(c), false) => format!("{c}, {region}"),
        (Some(c), true) => c.to_owned(),
        (None, _) => region,
    };
    if !last.is_empty() {
        lines.push(last);
    }
    lines
}

/// Cents as dollars: `$1,234.50`, `-$10.00`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let dollars = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}${grouped}.{:02}", abs % 100)
}

/// `value / scale` without trailing zeros: (150, 100) → `1.5`, (8625, 1000) → `8.625`.
fn decimal(value: i64, scale: i64) -> String {
    let s = format!("{:.3}", value as f64 / scale as f64);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_money_and_quantities() {
        assert_eq!(money(123_450), "$1,234.50");
        assert_eq!(money(-1_000), "-$10.00");
        assert_eq!(money(5), "$0.05");
        assert_eq!(money(100_000_000), "$1,000,000.00");
        assert_eq!(decimal(150, 100), "1.5");
        assert_eq!(decimal(200, 100), "2");
        assert_eq!(decimal(8_625, 1000), "8.625");
    }

    #[test]
    fn address_lines_skip_missing_parts() {
        assert_eq!(
            address_lines(
                Some("1 Main St"),
                None,
                Some("Oakland"),
                Some("CA"),
                Some("94607")
            ),
            vec!["1 Main St", "Oakland, CA 94607"]
        );
        assert!(address_lines(None, None, None, None, None).is_empty());
    }
}
