//! Input cleaning shared by the services: trimming, lengths, simple formats.

use crate::error::{ApiError, ApiResult};

/// Longest single-line text field accepted.
pub const MAX_TEXT: usize = 255;
/// Longest free-text field (notes) accepted.
pub const MAX_NOTES: usize = 10_000;
/// Most tags on one object.
pub const MAX_TAGS: usize = 100;

/// Trims a text field; blank becomes `None`. Longer than `max` characters is a 422.
pub fn text(field: &str, value: Option<String>, max: usize) -> ApiResult<Option<String>> {
    let Some(v) = value else { return Ok(None) };
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("is too long (maximum is {max} characters)"),
        ));
    }
    Ok(Some(v.to_owned()))
}

/// Like [`text`], for the `Option<Option<_>>` fields of a patch (absent / null / value).
pub fn patch_text(
    field: &str,
    value: Option<Option<String>>,
    max: usize,
) -> ApiResult<Option<Option<String>>> {
    value.map(|v| text(field, v, max)).transpose()
}

/// A required text field: missing or blank is a 422 "is missing".
pub fn required(field: &str, value: Option<String>, max: usize) -> ApiResult<String> {
    text(field, value, max)?.ok_or_else(|| ApiError::invalid(field, "is missing"))
}

/// Checks an email address's shape (something@domain.tld); blank is allowed.
pub fn email(field: &str, value: Option<String>) -> ApiResult<Option<String>> {
    let value = text(field, value, MAX_TEXT)?;
    if let Some(v) = &value {
        let valid = v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.contains(char::is_whitespace)
        });
        if !valid {
            return Err(ApiError::invalid(field, "is not a valid email address"));
        }
    }
    Ok(value)
}

/// Trims tag names, drops blanks and duplicates, bounds count and length.
pub fn tags(field: &str, value: Option<Vec<String>>) -> ApiResult<Option<Vec<String>>> {
    let Some(list) = value else { return Ok(None) };
    if list.len() > MAX_TAGS {
        return Err(ApiError::invalid(
            field,
            format!("has more than {MAX_TAGS} entries"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for tag in list {
        if let Some(t) = text(field, Some(tag), MAX_TEXT)?
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_blanks() {
        assert_eq!(
            text("f", Some("  a ".into()), 5).unwrap().as_deref(),
            Some("a")
        );
        assert_eq!(text("f", Some("   ".into()), 5).unwrap(), None);
        assert!(text("f", Some("toolong".into()), 3).is_err());
        assert!(required("f", None, 3).is_err());
    }

    #[test]
    fn emails() {
        assert!(email("e", Some("a@b.co".into())).is_ok());
        for bad in ["ab.co", "@b.co", "a@b", "a b@c.d", "a@.co"] {
            assert!(email("e", Some(bad.into())).is_err(), "{bad}");
        }
    }

    #[test]
    fn tag_lists() {
        let t = tags("tags", Some(vec![" vip ".into(), "vip".into(), "".into()])).unwrap();
        assert_eq!(t, Some(vec!["vip".to_owned()]));
    }
}
