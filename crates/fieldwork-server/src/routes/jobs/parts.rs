//! Notes, tags, links, input materials and locks of jobs.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use fieldwork_store::docs::{DocFilter, DocKind, DocQuery, DocSort, Range, RangeField};
use fieldwork_types::{
    JobInputMaterial, JobInputMaterialsBulkIn, JobLink, JobLinkIn, LockRangeIn, Note, NoteIn, Tag,
    TagIdIn,
};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::extract::{FileUpload, HcpJson, HcpQuery, MaxPlanCompany};
use crate::routes::Json;
use crate::services::attachments;
use crate::services::jobs::{self, Expand, Job, StoredJob, parts, status};
use crate::services::times;
use crate::state::AppState;

/// Most jobs one `POST /jobs/lock` locks.
const MAX_RANGE_LOCK: u32 = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/jobs/{job_id}/notes", post(add_note))
        .route("/jobs/{job_id}/notes/{note_id}", delete(delete_note))
        .route("/jobs/{job_id}/tags", post(add_tag))
        .route("/jobs/{job_id}/tags/{tag_id}", delete(remove_tag))
        .route("/jobs/{job_id}/links", post(add_link))
        .route("/jobs/{job_id}/job_input_materials", get(list_materials))
        .route(
            "/jobs/{job_id}/job_input_materials/bulk_update",
            put(update_materials),
        )
        .route("/jobs/{job_id}/attachments", post(add_attachment))
        .route("/jobs/{job_id}/lock", post(lock_job))
        .route("/jobs/lock", post(lock_range))
}

async fn add_note(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    HcpJson(input): HcpJson<NoteIn>,
) -> ApiResult<(StatusCode, Json<Note>)> {
    let (_, note) = jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        parts::add_note(doc, input.content.clone())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(note)))
}

async fn delete_note(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((job_id, note_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        parts::remove_note(doc, &note_id)
    })
    .await?;
    Ok(Json(json!({ "id": note_id, "deleted": true })))
}

/// The company's tag with this id; 404 when it has none.
async fn find_tag(state: &AppState, company_id: &str, tag_id: &str) -> ApiResult<Tag> {
    Ok(state.store.get_tag(company_id, tag_id).await?)
}

/// `tag_id` comes in the body, or (as some live clients send it) in the query string.
async fn add_tag(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    query: HcpQuery,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        crate::extract::json::parse::<TagIdIn>(&body)?.tag_id
    };
    let tag_id = from_body
        .or_else(|| query.text("tag_id").map(str::to_owned))
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("tag_id", "is missing"))?;
    let tag = find_tag(&state, &auth.company_id, &tag_id).await?;
    let (_, tags) = jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        Ok(parts::add_tag(doc, tag.clone()))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "tags": tags }))))
}

async fn remove_tag(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path((job_id, tag_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (_, tags) = jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        Ok(parts::remove_tag(doc, &tag_id))
    })
    .await?;
    Ok(Json(json!({ "tags": tags })))
}

async fn add_link(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    HcpJson(input): HcpJson<JobLinkIn>,
) -> ApiResult<(StatusCode, Json<JobLink>)> {
    let (_, link) = jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        parts::add_link(doc, input.clone())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(link)))
}

/// HCP answers 202 `{job_url}`; the file is stored and listed with `expand[]=attachments`.
async fn add_attachment(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    FileUpload(upload): FileUpload,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let store = state.store.as_ref();
    let company = auth.company_id.as_str();
    // Refuse an unknown or locked job before storing anything.
    let job = jobs::load(store, company, &job_id).await?;
    jobs::refuse_locked(&job.doc)?;
    let attachment = attachments::save(store, company, upload).await?;
    jobs::modify(store, company, &job_id, |doc| {
        parts::add_attachment(doc, attachment.clone())
    })
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "job_url": format!("/jobs/{job_id}") })),
    ))
}

async fn list_materials(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let job = jobs::load(state.store.as_ref(), &auth.company_id, &job_id).await?;
    Ok(Json(
        json!({ "job_input_materials": job.doc.input_materials }),
    ))
}

async fn update_materials(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
    HcpJson(input): HcpJson<JobInputMaterialsBulkIn>,
) -> ApiResult<Json<Value>> {
    let list = input
        .job_input_materials
        .ok_or_else(|| ApiError::invalid("job_input_materials", "is missing"))?;
    let (job, ()) = jobs::modify(state.store.as_ref(), &auth.company_id, &job_id, |doc| {
        parts::update_materials(doc, list.clone())
    })
    .await?;
    let materials: Vec<JobInputMaterial> = job.doc.input_materials;
    Ok(Json(json!({ "job_input_materials": materials })))
}

async fn lock_job(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Job>> {
    let store = state.store.as_ref();
    let job = jobs::modify_present(store, &auth.company_id, &job_id, false, |doc| {
        parts::lock(doc);
        Ok(())
    })
    .await?;
    Ok(Json(job))
}

/// Locks the scheduled and completed jobs whose scheduled start lies in the range.
async fn lock_range(
    State(state): State<AppState>,
    auth: MaxPlanCompany,
    HcpJson(input): HcpJson<LockRangeIn>,
) -> ApiResult<Json<Value>> {
    let store = state.store.as_ref();
    let tz = times::company_zone(state.store.as_ref(), &auth.company_id).await?;
    let bound = |field: &str, v: Option<String>| -> ApiResult<i64> {
        let v = v.ok_or_else(|| ApiError::invalid(field, "is missing"))?;
        times::parse(field, &v, tz)
    };
    let start = bound("starting_at", input.starting_at)?;
    let end = bound("ending_at", input.ending_at)?;
    if end < start {
        return Err(ApiError::invalid(
            "ending_at",
            "must not be before starting_at",
        ));
    }
    let query = DocQuery {
        filter: DocFilter {
            statuses: [
                status::SCHEDULED,
                status::COMPLETE_UNRATED,
                status::COMPLETE_RATED,
            ]
            .map(String::from)
            .to_vec(),
            ranges: vec![Range {
                field: RangeField::StartsAt,
                min: Some(start),
                max: Some(end),
            }],
            ..DocFilter::default()
        },
        sort: DocSort::StartsAt,
        descending: false,
        page: 1,
        page_size: MAX_RANGE_LOCK,
        // Each job is read again whole to be locked.
        without_detail: true,
    };
    let page = store
        .list_docs(&auth.company_id, DocKind::Job, &query)
        .await?;
    if page.total > u64::from(MAX_RANGE_LOCK) {
        return Err(ApiError::invalid(
            "ending_at",
            format!("the range holds more than {MAX_RANGE_LOCK} jobs; lock a shorter range"),
        ));
    }
    let mut locked: Vec<StoredJob> = Vec::with_capacity(page.items.len());
    for doc in page.items {
        let (job, ()) = jobs::modify_locked(store, &auth.company_id, &doc.id, |d| {
            parts::lock(d);
            Ok(())
        })
        .await?;
        locked.push(job);
    }
    let customer_ids: Vec<&str> = locked.iter().map(|j| j.doc.customer_id.as_str()).collect();
    let ctx = jobs::Context::load(store, &auth.company_id, &customer_ids).await?;
    let out: Vec<Job> = locked
        .iter()
        .map(|j| jobs::render::job(&ctx, j, Expand::default()))
        .collect();
    Ok(Json(json!({ "jobs": out })))
}
