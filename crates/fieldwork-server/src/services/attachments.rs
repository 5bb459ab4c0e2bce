//! Uploaded files shared by every resource that takes attachments (estimate options, jobs):
//! stored whole in the database and served back at `/attachments/{id}/{file_name}`.

use fieldwork_store::ids::new_id;
use fieldwork_store::{FileRecord, Store};
use fieldwork_types::Attachment;

use crate::error::{ApiError, ApiResult};

/// Prefix of attachment ids.
pub const PREFIX: &str = "att";
/// Longest file name kept.
const MAX_NAME: usize = 255;

/// A file as received, before it is stored.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// Stores an upload and returns the attachment that points at it. An empty file is a 422.
pub async fn save(store: &dyn Store, company_id: &str, upload: Upload) -> ApiResult<Attachment> {
    if upload.bytes.is_empty() {
        return Err(ApiError::invalid("file", "is empty"));
    }
    let file_name = upload
        .file_name
        .map(|n| {
            n.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_NAME)
                .collect::<String>()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "file".to_owned());
    let content_type = upload
        .content_type
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|t| t.parse::<mime_check::Plain>().is_ok())
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let id = new_id(PREFIX);
    let url = url(&id, &file_name);
    store
        .put_file(
            company_id,
            FileRecord {
                id: id.clone(),
                file_name: file_name.clone(),
                content_type: content_type.clone(),
                bytes: upload.bytes,
            },
        )
        .await?;
    Ok(Attachment {
        id,
        file_name,
        url,
        file_type: Some(content_type),
    })
}

/// Reads a stored file back; the name in the URL must be the one [`url`] made for it.
pub async fn load(
    store: &dyn Store,
    company_id: &str,
    id: &str,
    url_name: &str,
) -> ApiResult<FileRecord> {
    let file = store.get_file(company_id, id).await?;
    if url_segment(&file.file_name) != url_name {
        return Err(ApiError::NotFound("attachment".into()));
    }
    Ok(file)
}

/// Where a file is served (relative to the API's base URL).
pub fn url(id: &str, file_name: &str) -> String {
    format!("/attachments/{id}/{}", url_segment(file_name))
}

/// The file name as a URL path segment: characters outside `[A-Za-z0-9._-]` become `_`.
pub fn url_segment(file_name: &str) -> String {
    file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Just enough of a media type check to keep a header value well-formed.
mod mime_check {
    /// A `type/subtype` made of token characters (parameters are dropped by the caller).
    pub struct Plain;

    impl std::str::FromStr for Plain {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            let token = |p: &str| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
            };
            match s.split_once('/') {
                Some((a, b)) if token(a) && token(b) => Ok(Plain),
                _ => Err(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_segments_are_safe() {
        assert_eq!(url_segment("quote v2 (final).pdf"), "quote_v2__final_.pdf");
        assert_eq!(url_segment("../etc/passwd"), ".._etc_passwd");
        assert_eq!(url("att_1", "a b.png"), "/attachments/att_1/a_b.png");
    }

    #[test]
    fn media_types_are_checked() {
        assert!("image/png".parse::<mime_check::Plain>().is_ok());
        assert!(
            "text/plain; charset=utf-8"
                .parse::<mime_check::Plain>()
                .is_err()
        );
        assert!("nonsense".parse::<mime_check::Plain>().is_err());
        assert!("a/b\r\nX: y".parse::<mime_check::Plain>().is_err());
    }
}
