//! The smaller parts of a job: notes, tags, links, input materials, locks.

use fieldwork_store::ids::new_id;
use fieldwork_store::time::now_micros;
use fieldwork_types::{
    Attachment, JobInputMaterial, JobInputMaterialIn, JobLink, JobLinkIn, Note, Tag,
};

use super::create;
use super::doc::JobDoc;
use crate::error::{ApiError, ApiResult};
use crate::services::line_items::{cents, quantity};
use crate::services::validate::{self, MAX_NOTES, MAX_TEXT};

/// Prefix of link ids.
pub const LINK_PREFIX: &str = "lnk";
/// Prefix of input material ids.
pub const MATERIAL_PREFIX: &str = "jim";
/// Most notes, links or materials on one job.
pub const MAX_PARTS: usize = 500;

fn check_room(field: &str, len: usize) -> ApiResult<()> {
    if len >= MAX_PARTS {
        return Err(ApiError::invalid(
            field,
            format!("a job can have at most {MAX_PARTS}"),
        ));
    }
    Ok(())
}

/// Adds a note.
pub fn add_note(doc: &mut JobDoc, content: Option<String>) -> ApiResult<Note> {
    let content = validate::required("content", content, MAX_NOTES)?;
    check_room("notes", doc.notes.len())?;
    let note = create::note(content);
    doc.notes.push(note.clone());
    Ok(note)
}

/// Removes a note; an unknown one is a 404.
pub fn remove_note(doc: &mut JobDoc, note_id: &str) -> ApiResult<()> {
    if !doc.notes.iter().any(|n| n.id == note_id) {
        return Err(ApiError::NotFound("note".into()));
    }
    doc.notes.retain(|n| n.id != note_id);
    Ok(())
}

/// Adds a tag (once).
pub fn add_tag(doc: &mut JobDoc, tag: Tag) -> Vec<Tag> {
    if !doc.tags.iter().any(|t| t.id == tag.id) {
        doc.tags.push(tag);
    }
    doc.tags.clone()
}

/// Removes a tag if the job has it.
pub fn remove_tag(doc: &mut JobDoc, tag_id: &str) -> Vec<Tag> {
    doc.tags.retain(|t| t.id != tag_id);
    doc.tags.clone()
}

/// Adds a link; its URL must be http(s).
pub fn add_link(doc: &mut JobDoc, input: JobLinkIn) -> ApiResult<JobLink> {
    let title = validate::required("title", input.title, MAX_TEXT)?;
    let url = validate::required("url", input.url, 2048)?;
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.contains(char::is_whitespace)
    {
        return Err(ApiError::invalid("url", "must be an http or https URL"));
    }
    check_room("links", doc.links.len())?;
    let link = JobLink {
        id: new_id(LINK_PREFIX),
        title,
        url,
    };
    doc.links.push(link.clone());
    Ok(link)
}

/// Applies a materials bulk update: entries with a known `uuid` are replaced, entries without
/// one are added; materials the request does not name are kept (nothing is lost by omission).
pub fn update_materials(doc: &mut JobDoc, inputs: Vec<JobInputMaterialIn>) -> ApiResult<()> {
    for (i, input) in inputs.into_iter().enumerate() {
        let field = |name: &str| format!("job_input_materials[{i}].{name}");
        let existing = match input.uuid.as_deref().filter(|u| !u.is_empty()) {
            Some(uuid) => Some(
                doc.input_materials
                    .iter()
                    .position(|m| m.uuid == uuid)
                    .ok_or_else(|| {
                        ApiError::invalid(field("uuid"), "is not a material of this job")
                    })?,
            ),
            None => None,
        };
        let old = existing.map(|p| doc.input_materials[p].clone());
        let material = JobInputMaterial {
            uuid: old
                .as_ref()
                .map_or_else(|| new_id(MATERIAL_PREFIX), |m| m.uuid.clone()),
            name: match (input.name, &old) {
                (Some(n), _) => validate::required(&field("name"), Some(n), MAX_TEXT)?,
                (None, Some(m)) => m.name.clone(),
                (None, None) => return Err(ApiError::invalid(field("name"), "is missing")),
            },
            description: match input.description {
                Some(d) => validate::text(&field("description"), Some(d), MAX_NOTES)?,
                None => old.as_ref().and_then(|m| m.description.clone()),
            },
            part_number: match input.part_number {
                Some(p) => validate::text(&field("part_number"), Some(p), MAX_TEXT)?,
                None => old.as_ref().and_then(|m| m.part_number.clone()),
            },
            unit_cost: match input.unit_cost {
                Some(c) => cents(&field("unit_cost"), c)?,
                None => old.as_ref().map_or(0, |m| m.unit_cost),
            },
            quantity: match input.quantity {
                Some(q) => quantity(&field("quantity"), q)?,
                None => old.as_ref().map_or(1.0, |m| m.quantity),
            },
        };
        match existing {
            Some(p) => doc.input_materials[p] = material,
            None => {
                check_room("job_input_materials", doc.input_materials.len())?;
                doc.input_materials.push(material);
            }
        }
    }
    Ok(())
}

/// Lists an uploaded file on the job.
pub fn add_attachment(doc: &mut JobDoc, attachment: Attachment) -> ApiResult<()> {
    check_room("attachments", doc.attachments.len())?;
    doc.attachments.push(attachment);
    Ok(())
}

/// Locks a job (idempotent): a locked job refuses every change.
pub fn lock(doc: &mut JobDoc) {
    doc.locked_at.get_or_insert_with(now_micros);
}
