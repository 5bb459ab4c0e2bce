//! `/customers` and their addresses.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use fieldwork_types::{Address, AddressIn, Customer, CustomerIn, CustomerPatch, ListOut};

use super::{RenderedJson, list_out};
use crate::error::ApiResult;
use crate::extract::{HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::customers::{self, EXPANDABLE};
use crate::state::AppState;

/// Sort fields of `GET /customers`.
const SORTABLE: &[&str] = &[
    "created_at",
    "updated_at",
    "first_name",
    "last_name",
    "email",
];
/// Sort fields of `GET /customers/{id}/addresses` (as the spec lists them).
const ADDRESS_SORTABLE: &[&str] = &["created_at", "updated_at"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list_customers).post(create_customer))
        .route(
            "/customers/{customer_id}",
            get(get_customer).put(update_customer),
        )
        .route(
            "/customers/{customer_id}/addresses",
            get(list_addresses).post(create_address),
        )
        .route(
            "/customers/{customer_id}/addresses/{address_id}",
            get(get_address),
        )
}

async fn list_customers(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    query: HcpQuery,
) -> ApiResult<Response> {
    let list = query.list(SORTABLE)?;
    let expand = query.expand(EXPANDABLE)?;
    query.array("location_ids")?;
    if expand.is_empty() {
        // The JSON each customer's last write stored, put in the envelope as it is.
        let page = state
            .store
            .list_customers_json(&auth.company_id, query.text("q"), &list)
            .await?;
        let body = list_out("customers", &list, page).to_json_around_rendered();
        return Ok(RenderedJson(body).into_response());
    }
    let page = state
        .store
        .list_customers(&auth.company_id, query.text("q"), &list)
        .await?;
    let page = page.map(|c| customers::present(c, &expand));
    Ok(Json(list_out("customers", &list, page)).into_response())
}

async fn create_customer(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<CustomerIn>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    let customer = customers::create(state.store.as_ref(), &auth.company_id, input).await?;
    Ok((StatusCode::CREATED, Json(customers::present(customer, &[]))))
}

async fn get_customer(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(customer_id): Path<String>,
    query: HcpQuery,
) -> ApiResult<Response> {
    let expand = query.expand(EXPANDABLE)?;
    if expand.is_empty() {
        // The JSON the customer's last write stored: nothing to map or serialize.
        let json = state
            .store
            .get_customer_json(&auth.company_id, &customer_id)
            .await?;
        return Ok(RenderedJson(json).into_response());
    }
    let customer = state
        .store
        .get_customer(&auth.company_id, &customer_id)
        .await?;
    Ok(Json(customers::present(customer, &expand)).into_response())
}

async fn update_customer(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(customer_id): Path<String>,
    HcpJson(patch): HcpJson<CustomerPatch>,
) -> ApiResult<Json<Customer>> {
    let customer =
        customers::update(state.store.as_ref(), &auth.company_id, &customer_id, patch).await?;
    Ok(Json(customers::present(customer, &[])))
}

async fn list_addresses(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(customer_id): Path<String>,
    query: HcpQuery,
) -> ApiResult<Json<ListOut<Address>>> {
    let list = query.list(ADDRESS_SORTABLE)?;
    let page = state
        .store
        .list_addresses(&auth.company_id, &customer_id, &list)
        .await?;
    Ok(Json(list_out("addresses", &list, page)))
}

/// HCP answers this create with 200, not 201 (spec and live behaviour agree).
async fn create_address(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(customer_id): Path<String>,
    HcpJson(input): HcpJson<AddressIn>,
) -> ApiResult<Json<Address>> {
    let address =
        customers::create_address(state.store.as_ref(), &auth.company_id, &customer_id, input)
            .await?;
    Ok(Json(address))
}

async fn get_address(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((customer_id, address_id)): Path<(String, String)>,
) -> ApiResult<Json<Address>> {
    Ok(Json(
        state
            .store
            .get_address(&auth.company_id, &customer_id, &address_id)
            .await?,
    ))
}
