//! Invoices: HCP's `GET /invoices`, `GET /api/invoices/{uuid}`, its HTML preview and
//! `GET /jobs/{job_id}/invoices`, plus Fieldwork's payments and void actions.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use fieldwork_types::{Invoice, JobInvoices, ListOut, PaymentIn};

use super::doc_list_out;
use crate::error::{ApiError, ApiResult};
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::invoices::list::{self, InvoiceFilter};
use crate::services::invoices::pay::{self, NewPayment};
use crate::services::invoices::{self, preview, render};
use crate::services::times;
use crate::state::AppState;

/// Largest `amount_due_min`/`_max` accepted, in cents.
const MAX_CENTS_FILTER: i64 = 1_000_000_000_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/invoices", get(list_invoices))
        .route("/api/invoices/{uuid}", get(get_invoice))
        .route("/api/invoices/{uuid}/preview", get(preview_invoice))
        .route("/api/invoices/{uuid}/payments", post(create_payment))
        .route("/api/invoices/{uuid}/void", post(void_invoice))
        .route("/jobs/{job_id}/invoices", get(list_job_invoices))
}

/// An array parameter of `GET /invoices`: HCP answers a plain `status=` here with 422
/// (hcp-api.md §4), where its other lists answer 400.
fn array(query: &HcpQuery, name: &str) -> ApiResult<Vec<String>> {
    query.array(name).map_err(|_| {
        ApiError::invalid(
            name,
            format!("must be sent as an array parameter: {name}[]=value"),
        )
    })
}

async fn list_invoices(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<Invoice>>> {
    let store = state.store.as_ref();
    let mut doc_query = query.doc_query(list::SORTABLE)?;
    // `location_ids[]` is accepted and ignored: Fieldwork has no multi-location companies.
    array(&query, "location_ids")?;
    let tz = times::company_zone(store, &auth.company_id).await?;
    let time = |min: &str, max: &str| -> ApiResult<(Option<i64>, Option<i64>)> {
        Ok((
            times::parse_query(min, query.text(min), tz)?,
            times::parse_query(max, query.text(max), tz)?,
        ))
    };
    let cents = |name: &str| query.int(name, -MAX_CENTS_FILTER, MAX_CENTS_FILTER);
    let filter = InvoiceFilter {
        statuses: array(&query, "status")?,
        customer_ids: array(&query, "customer_uuid")?,
        created_at: time("created_at_min", "created_at_max")?,
        due_at: time("due_at_min", "due_at_max")?,
        paid_at: time("paid_at_min", "paid_at_max")?,
        amount_due: (cents("amount_due_min")?, cents("amount_due_max")?),
        payment_methods: array(&query, "payment_method")?,
    };
    doc_query.filter = filter.to_doc_filter()?;
    let page = list::list(store, &auth.company_id, &doc_query).await?;
    Ok(Json(doc_list_out("invoices", &doc_query, page)))
}

/// Reads and renders one invoice.
async fn present(state: &AppState, company_id: &str, id: &str) -> ApiResult<Invoice> {
    let store = state.store.as_ref();
    let invoice = invoices::load(store, company_id, id).await?;
    Ok(render::invoice(
        &invoice,
        times::company_zone(store, company_id).await?,
    ))
}

async fn get_invoice(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
) -> ApiResult<Json<Invoice>> {
    Ok(Json(present(&state, &auth.company_id, &id).await?))
}

async fn preview_invoice(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let store = state.store.as_ref();
    let invoice = invoices::load(store, &auth.company_id, &id).await?;
    let html = preview::page(store, &auth.company_id, &invoice).await?;
    Ok(([(CONTENT_TYPE, "text/html; charset=utf-8")], html))
}

async fn create_payment(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
    HcpJson(input): HcpJson<PaymentIn>,
) -> ApiResult<(StatusCode, Json<Invoice>)> {
    let store = state.store.as_ref();
    let tz = times::company_zone(store, &auth.company_id).await?;
    // An unknown invoice is a 404 even when the body is also wrong.
    invoices::load(store, &auth.company_id, &id).await?;
    let payment = NewPayment::parse(input, tz)?;
    let invoice = pay::pay(store, &auth.company_id, &id, payment).await?;
    Ok((StatusCode::CREATED, Json(render::invoice(&invoice, tz))))
}

async fn void_invoice(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(id): Path<String>,
) -> ApiResult<Json<Invoice>> {
    let store = state.store.as_ref();
    let invoice = pay::void(store, &auth.company_id, &id).await?;
    Ok(Json(render::invoice(
        &invoice,
        times::company_zone(store, &auth.company_id).await?,
    )))
}

async fn list_job_invoices(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
) -> ApiResult<Json<JobInvoices>> {
    Ok(Json(JobInvoices {
        invoices: list::of_job(state.store.as_ref(), &auth.company_id, &job_id).await?,
    }))
}
