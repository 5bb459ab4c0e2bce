//! `/jobs/{id}/line_items`: list, add, bulk update, update one, delete one.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use fieldwork_types::{DataList, LineItem, LineItemIn, LineItemsBulkIn};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::extract::{HcpJson, MaxPlanCompany};
use crate::routes::Json;
use crate::services::jobs;
use crate::services::line_items::{self, MAX_LINES};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/jobs/{job_id}/line_items",
            get(list_line_items).post(add_line_item),
        )
        .route("/jobs/{job_id}/line_items/bulk_update", put(bulk_update))
        .route(
            "/jobs/{job_id}/line_items/{line_item_id}",
            put(update_line_item).delete(delete_line_item),
        )
}

fn data_list(job_id: &str, lines: Vec<LineItem>) -> DataList<LineItem> {
    DataList {
        object: "list".into(),
        data: lines,
        url: format!("/jobs/{job_id}/line_items"),
    }
}

async fn list_line_items(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
) -> ApiResult<Json<DataList<LineItem>>> {
    let job = jobs::load(state.store.as_ref(), &auth.company_id, &job_id).await?;
    Ok(Json(data_list(&job_id, job.doc.line_items)))
}

async fn add_line_item(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    HcpJson(input): HcpJson<LineItemIn>,
) -> ApiResult<(StatusCode, Json<LineItem>)> {
    let (_, line) = jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        if doc.line_items.len() >= MAX_LINES {
            return Err(ApiError::invalid(
                "line_items",
                format!("a job can have at most {MAX_LINES}"),
            ));
        }
        let line = line_items::build(
            "line_item",
            input.clone(),
            None,
            doc.line_items.len() as i64,
        )?;
        let id = line.id.clone();
        doc.line_items.push(line);
        line_items::recompute(&mut doc.line_items);
        Ok(doc
            .line_items
            .iter()
            .find(|l| l.id == id)
            .cloned()
            .expect("just added"))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(line)))
}

async fn bulk_update(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    HcpJson(input): HcpJson<LineItemsBulkIn>,
) -> ApiResult<Json<DataList<LineItem>>> {
    let lines = input
        .line_items
        .ok_or_else(|| ApiError::invalid("line_items", "is missing"))?;
    let append = input.append_line_items.unwrap_or(false);
    let (job, ()) = jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        doc.line_items = line_items::bulk_update(&doc.line_items, lines.clone(), append)?;
        Ok(())
    })
    .await?;
    Ok(Json(data_list(&job_id, job.doc.line_items)))
}

async fn update_line_item(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((job_id, line_item_id)): Path<(String, String)>,
    HcpJson(input): HcpJson<LineItemIn>,
) -> ApiResult<Json<LineItem>> {
    let (_, line) = jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        let pos = doc
            .line_items
            .iter()
            .position(|l| l.id == line_item_id)
            .ok_or_else(|| ApiError::NotFound("line item".into()))?;
        let current = doc.line_items[pos].clone();
        doc.line_items[pos] = line_items::build(
            "line_item",
            input.clone(),
            Some(&current),
            current.order_index,
        )?;
        line_items::recompute(&mut doc.line_items);
        Ok(doc.line_items[pos].clone())
    })
    .await?;
    Ok(Json(line))
}

async fn delete_line_item(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((job_id, line_item_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        if !doc.line_items.iter().any(|l| l.id == line_item_id) {
            return Err(ApiError::NotFound("line item".into()));
        }
        doc.line_items.retain(|l| l.id != line_item_id);
        for (i, l) in doc.line_items.iter_mut().enumerate() {
            l.order_index = i as i64;
        }
        line_items::recompute(&mut doc.line_items);
        Ok(())
    })
    .await?;
    Ok(Json(json!({ "id": line_item_id, "deleted": true })))
}
