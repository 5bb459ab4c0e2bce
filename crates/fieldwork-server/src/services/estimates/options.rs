//! The parts of an estimate option: creating options, line items, notes, links, attachments.

use fieldwork_store::Store;
use fieldwork_store::ids::new_id;
use fieldwork_types::{
    Attachment, EstimateOption, EstimateOptionIn, JobLink, JobLinkIn, LineItem, LineItemsBulkIn,
    Note, NoteIn,
};

use super::create::{MAX_OPTIONS, Tax, build_option};
use super::{modify, modify_option, render};
use crate::error::{ApiError, ApiResult};
use crate::services::jobs::create::note;
use crate::services::line_items;
use crate::services::validate::{self, MAX_NOTES, MAX_TEXT};

/// Prefix of link ids.
pub const LINK_PREFIX: &str = "lnk";
/// Most notes, links or attachments on one option.
const MAX_PARTS: usize = 200;

/// Adds an option (`POST /estimates/{id}/options`); `name` is required.
pub async fn add(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    input: EstimateOptionIn,
) -> ApiResult<EstimateOption> {
    // Checked before building, so an unknown estimate is a 404 whatever the body says.
    super::load(store, company_id, estimate_id).await?;
    let built = build_option(store, company_id, "option", input, &Tax::default(), 0).await;
    // Field names of HCP's body are top-level (`name`, `line_items[0].unit_price`).
    let built = built.map_err(|e| match e {
        ApiError::Unprocessable { field, reason } => ApiError::Unprocessable {
            field: field.trim_start_matches("option.").to_owned(),
            reason,
        },
        other => other,
    })?;
    let (estimate, option) = modify(store, company_id, estimate_id, |doc| {
        if doc.options.len() >= MAX_OPTIONS {
            return Err(ApiError::invalid(
                "options",
                format!("an estimate has at most {MAX_OPTIONS} options"),
            ));
        }
        let mut option = built.clone();
        option.option_number = doc
            .options
            .iter()
            .map(|o| o.option_number)
            .max()
            .unwrap_or(0)
            + 1;
        doc.options.push(option.clone());
        Ok(option)
    })
    .await?;
    Ok(render::option(&option, &estimate.doc.work_status, true))
}

/// The lines of an option.
pub async fn line_items(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    option_id: &str,
) -> ApiResult<Vec<LineItem>> {
    let estimate = super::load(store, company_id, estimate_id).await?;
    estimate
        .doc
        .options
        .into_iter()
        .find(|o| o.id == option_id)
        .map(|o| o.line_items)
        .ok_or_else(|| ApiError::NotFound("option".into()))
}

/// `PUT …/line_items/bulk_update`: replaces, adds and (unless `append_line_items`) removes.
pub async fn bulk_update(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    option_id: &str,
    input: LineItemsBulkIn,
) -> ApiResult<Vec<LineItem>> {
    let inputs = input
        .line_items
        .ok_or_else(|| ApiError::invalid("line_items", "is missing"))?;
    let append = input.append_line_items.unwrap_or(false);
    let (_, lines) = modify_option(store, company_id, estimate_id, option_id, |o| {
        refuse_copied(o)?;
        o.line_items = line_items::bulk_update(&o.line_items, inputs.clone(), append)?;
        Ok(o.line_items.clone())
    })
    .await?;
    Ok(lines)
}

/// `POST …/notes`.
pub async fn add_note(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    option_id: &str,
    input: NoteIn,
) -> ApiResult<Note> {
    let content = validate::required("content", input.content, MAX_NOTES)?;
    let (_, n) = modify_option(store, company_id, estimate_id, option_id, |o| {
        limit("notes", o.notes.len())?;
        let n = note(content.clone());
        o.notes.push(n.clone());
        Ok(n)
    })
    .await?;
    Ok(n)
}

/// `DELETE …/notes/{note_id}`: 404 `note not found` when the option has no such note.
pub async fn delete_note(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    option_id: &str,
    note_id: &str,
) -> ApiResult<()> {
    modify_option(store, company_id, estimate_id, option_id, |o| {
        let before = o.notes.len();
        o.notes.retain(|n| n.id != note_id);
        if o.notes.len() == before {
            return Err(ApiError::NotFound("note".into()));
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// `POST …/links`: `title` and an http(s) `url` are required.
pub async fn add_link(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    option_id: &str,
    input: JobLinkIn,
) -> ApiResult<JobLink> {
    let title = validate::required("title", input.title, MAX_TEXT)?;
    let url = validate::required("url", input.url, MAX_NOTES)?;
    if !(url.starts_with("http://") || url.starts_with("https://"))
        || url.contains(char::is_whitespace)
    {
        return Err(ApiError::invalid("url", "must be an http or https URL"));
    }
    let (_, link) = modify_option(store, company_id, estimate_id, option_id, |o| {
        limit("links", o.links.len())?;
        let link = JobLink {
            id: new_id(LINK_PREFIX),
            title: title.clone(),
            url: url.clone(),
        };
        o.links.push(link.clone());
        Ok(link)
    })
    .await?;
    Ok(link)
}

/// Records an uploaded file (already stored) on an option.
pub async fn add_attachment(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    option_id: &str,
    attachment: Attachment,
) -> ApiResult<()> {
    modify_option(store, company_id, estimate_id, option_id, |o| {
        limit("attachments", o.attachments.len())?;
        o.attachments.push(attachment.clone());
        Ok(())
    })
    .await?;
    Ok(())
}

/// A 404 `option not found` unless the estimate has this option (checked before a file is
/// stored for it).
pub async fn check_exists(
    store: &dyn Store,
    company_id: &str,
    estimate_id: &str,
    option_id: &str,
) -> ApiResult<()> {
    let estimate = super::load(store, company_id, estimate_id).await?;
    if estimate.doc.options.iter().any(|o| o.id == option_id) {
        Ok(())
    } else {
        Err(ApiError::NotFound("option".into()))
    }
}

fn limit(what: &str, len: usize) -> ApiResult<()> {
    if len >= MAX_PARTS {
        return Err(ApiError::invalid(
            what,
            format!("an option has at most {MAX_PARTS} {what}"),
        ));
    }
    Ok(())
}

/// The lines of an option copied to a job are what the job was priced from: they stay.
fn refuse_copied(o: &super::OptionDoc) -> ApiResult<()> {
    match &o.job_id {
        Some(job) => Err(ApiError::invalid(
            "line_items",
            format!("cannot change an option that was copied to job {job}"),
        )),
        None => Ok(()),
    }
}
