//! Query strings as HCP reads them: scalars, `name[]=` arrays, paging and sorting.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use fieldwork_store::docs::{DocQuery, DocSort};
use fieldwork_store::{ListParams, Sort, SortDirection, SortField};

use crate::error::ApiError;
use crate::state::AppState;

/// The raw pairs of a query string, with typed accessors that answer 400 on bad values.
#[derive(Debug, Clone, Default)]
pub struct HcpQuery {
    pairs: Vec<(String, String)>,
    max_page_size: u32,
}

impl FromRequestParts<AppState> for HcpQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let raw = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw).map_err(|_| ApiError::BadRequest {
                field: None,
                reason: "Malformed query string".into(),
            })?;
        if let Some((name, _)) = pairs
            .iter()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(ApiError::bad_field(
                name.replace('\0', ""),
                "must not contain NUL characters",
            ));
        }
        Ok(Self {
            pairs,
            max_page_size: state.config.max_page_size,
        })
    }
}

impl HcpQuery {
    /// A query over explicit pairs (tests).
    pub fn from_pairs(pairs: &[(&str, &str)], max_page_size: u32) -> Self {
        Self {
            pairs: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            max_page_size,
        }
    }

    /// The last value of a scalar parameter, if present.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A non-empty, trimmed scalar parameter.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.str(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// A whole-number parameter within `min..=max`, or `None` when absent/empty.
    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        let Some(raw) = self.text(name) else {
            return Ok(None);
        };
        // HCP's spec types these as `number`; accept `2.0` as 2 but not 2.5.
        let value = raw
            .parse::<i64>()
            .ok()
            .or_else(|| {
                raw.parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0 && f.is_finite())
                    .map(|f| f as i64)
            })
            .ok_or_else(|| ApiError::bad_field(name, "must be a whole number"))?;
        if value < min || value > max {
            return Err(ApiError::bad_field(
                name,
                format!("must be between {min} and {max}"),
            ));
        }
        Ok(Some(value))
    }

    /// An array parameter sent as repeated `name[]=`. A plain `name=` is refused with 400,
    /// as HCP refuses it on its list endpoints.
    pub fn array(&self, name: &str) -> Result<Vec<String>, ApiError> {
        if self.pairs.iter().any(|(k, _)| k == name) {
            return Err(ApiError::bad_field(
                name,
                format!("must be sent as an array parameter: {name}[]=value"),
            ));
        }
        // Compared in place rather than against `format!("{name}[]")`: every `GET` of one
        // object asks for `expand[]`, mostly with no query at all.
        let is_key = |k: &str| k.strip_suffix("[]") == Some(name);
        Ok(self
            .pairs
            .iter()
            .filter(|(k, v)| is_key(k) && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect())
    }

    /// `expand[]` values, each checked against what the resource can expand.
    pub fn expand(&self, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
        let values = self.array("expand")?;
        if let Some(bad) = values.iter().find(|v| !allowed.contains(&v.as_str())) {
            return Err(ApiError::bad_field(
                "expand",
                format!(
                    "has an unknown value {bad:?} (allowed: {})",
                    allowed.join(", ")
                ),
            ));
        }
        Ok(values)
    }

    /// `page`, `page_size`, `sort_by` (one of `sortable`) and `sort_direction`.
    pub fn list(&self, sortable: &[&str]) -> Result<ListParams, ApiError> {
        let page = self.int("page", 1, i64::from(u32::MAX))?.unwrap_or(1);
        let page_size = self.int("page_size", 1, i64::from(u32::MAX))?.unwrap_or(10);
        let field = match self.text("sort_by") {
            None => SortField::CreatedAt,
            Some(s) => SortField::parse(s)
                .filter(|_| sortable.contains(&s))
                .ok_or_else(|| {
                    ApiError::bad_field(
                        "sort_by",
                        format!("must be one of: {}", sortable.join(", ")),
                    )
                })?,
        };
        let direction = match self.text("sort_direction") {
            None => SortDirection::Desc,
            Some(s) if s.eq_ignore_ascii_case("asc") => SortDirection::Asc,
            Some(s) if s.eq_ignore_ascii_case("desc") => SortDirection::Desc,
            Some(_) => return Err(ApiError::bad_field("sort_direction", "must be asc or desc")),
        };
        Ok(ListParams {
            page: u32::try_from(page).unwrap_or(u32::MAX),
            page_size: u32::try_from(page_size)
                .unwrap_or(u32::MAX)
                .min(self.max_page_size),
            sort: Sort { field, direction },
        })
    }

    /// `page`, `page_size`, `sort_by` (one of `sortable`) and `sort_direction` of a document
    /// list; the filter is left empty for the caller.
    pub fn doc_query(&self, sortable: &[(&str, DocSort)]) -> Result<DocQuery, ApiError> {
        let names: Vec<&str> = sortable.iter().map(|(n, _)| *n).collect();
        // The same checks as `list`, with every name allowed as far as it is concerned.
        let list = self.list_checked_paging()?;
        let sort = match self.text("sort_by") {
            None => DocSort::CreatedAt,
            Some(s) => sortable
                .iter()
                .find(|(n, _)| *n == s)
                .map(|(_, f)| *f)
                .ok_or_else(|| {
                    ApiError::bad_field("sort_by", format!("must be one of: {}", names.join(", ")))
                })?,
        };
        Ok(DocQuery {
            sort,
            descending: list.sort.direction == SortDirection::Desc,
            page: list.page,
            page_size: list.page_size,
            ..DocQuery::default()
        })
    }

    /// Paging and direction only (`sort_by` is checked by the caller).
    fn list_checked_paging(&self) -> Result<ListParams, ApiError> {
        let mut without_sort = self.clone();
        without_sort.pairs.retain(|(k, _)| k != "sort_by");
        without_sort.list(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_need_brackets() {
        let q = HcpQuery::from_pairs(
            &[("expand[]", "attachments"), ("expand[]", "do_not_service")],
            200,
        );
        assert_eq!(
            q.array("expand").unwrap(),
            vec!["attachments", "do_not_service"]
        );
        let q = HcpQuery::from_pairs(&[("expand", "attachments")], 200);
        assert!(matches!(
            q.array("expand"),
            Err(ApiError::BadRequest { .. })
        ));
    }

    #[test]
    fn list_params_validate() {
        let q = HcpQuery::from_pairs(
            &[
                ("page", "2"),
                ("page_size", "500"),
                ("sort_by", "updated_at"),
                ("sort_direction", "asc"),
            ],
            200,
        );
        let l = q.list(&["created_at", "updated_at"]).unwrap();
        assert_eq!((l.page, l.page_size), (2, 200));
        assert_eq!(l.sort.field, SortField::UpdatedAt);
        assert_eq!(l.sort.direction, SortDirection::Asc);
        for bad in [
            ("page", "0"),
            ("page", "x"),
            ("page_size", "2.5"),
            ("sort_by", "nope"),
            ("sort_direction", "up"),
        ] {
            let q = HcpQuery::from_pairs(&[bad], 200);
            assert!(q.list(&["created_at"]).is_err(), "{bad:?}");
        }
    }
}
