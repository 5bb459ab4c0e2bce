//! Small helpers shared by the table modules: JSON columns, ordering, paging, patterns.

use std::error::Error;

use fieldwork_store::{ListParams, SortDirection, SortField};
use serde::de::DeserializeOwned;
use tokio_postgres::types::{FromSql, Type};

/// A JSON column read leniently: a value that does not parse reads as `None`, so a corrupt
/// value never fails a list (as in the SQLite store).
pub(crate) struct JsonCol<T>(pub(crate) Option<T>);

impl<T> JsonCol<T> {
    /// The value, or `T::default()` when it did not parse.
    pub(crate) fn or_default(self) -> T
    where
        T: Default,
    {
        self.0.unwrap_or_default()
    }
}

impl<'a, T: DeserializeOwned> FromSql<'a> for JsonCol<T> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        // jsonb's binary form is a version byte (1) followed by the JSON text.
        let text = match (ty, raw.split_first()) {
            (&Type::JSONB, Some((1, rest))) => rest,
            _ => raw,
        };
        Ok(Self(serde_json::from_slice(text).ok()))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::JSON | Type::JSONB)
    }
}

/// `order by` body for a list: the sort column of `alias`, then insertion order.
///
/// Matches SQLite's ordering: text compares byte-wise (`collate "C"`) and nulls sort first
/// ascending, last descending. Time columns are never null and keep their index order.
pub(crate) fn order_by(list: &ListParams, alias: &str) -> String {
    order_by_dir(list, alias, list.sort.direction)
}

/// [`order_by`] with an explicit direction (a page read from the far end runs reversed).
pub(crate) fn order_by_dir(list: &ListParams, alias: &str, direction: SortDirection) -> String {
    let (dir, nulls) = match direction {
        SortDirection::Asc => ("asc", "nulls first"),
        SortDirection::Desc => ("desc", "nulls last"),
    };
    let col = list.sort.field.column();
    match list.sort.field {
        SortField::CreatedAt | SortField::UpdatedAt => {
            format!("{alias}.{col} {dir}, {alias}.seq {dir}")
        }
        _ => format!("{alias}.{col} collate \"C\" {dir} {nulls}, {alias}.seq {dir}"),
    }
}

/// `limit` and `offset` values for a page.
pub(crate) fn limit_offset(list: &ListParams) -> (i64, i64) {
    (
        i64::from(list.page_size),
        i64::try_from(list.offset()).unwrap_or(i64::MAX),
    )
}

/// A row count as the store reports it.
pub(crate) fn to_total(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// One term of a customer search: the pattern rows must match, and a part of it for the
/// trigram index to look up.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SearchTerm {
    /// `%term%`, with backslashes escaped (PostgreSQL's `like` treats them as escapes, SQLite's
    /// does not).
    pub(crate) pattern: String,
    /// `%part%` of the term's longest run of letters and digits (one with a digit first), or
    /// the whole pattern. An email address's trigrams include those of `example` and `com`,
    /// which nearly every row has; `smith1234` alone finds the same rows much faster.
    pub(crate) lookup: String,
}

/// The terms of a customer `q=` value, as `fieldwork_store::rules::search_patterns` makes them
/// (lowercased `%term%`, matched with `like` against the lowercased search text).
pub(crate) fn search_terms(q: &str) -> Vec<SearchTerm> {
    fieldwork_store::rules::search_patterns(q)
        .iter()
        .map(|p| {
            let term = p.trim_matches('%');
            let best = term
                .split(|c: char| !c.is_alphanumeric())
                .filter(|run| run.chars().count() >= 3)
                .max_by_key(|run| (run.chars().any(|c| c.is_ascii_digit()), run.chars().count()));
            let pattern = escape_like(p);
            let lookup = match best {
                Some(run) if run != term => format!("%{run}%"),
                _ => pattern.clone(),
            };
            SearchTerm { pattern, lookup }
        })
        .collect()
}

// Name filters use SQLite's `like`, which ignores case for ASCII letters only (`É` and `é`
// differ). To match it exactly, the pattern and the column are lowered for ASCII only and
// compared with PostgreSQL's case-sensitive `like`.

/// The `like` pattern of a name filter (lead sources, job types, vendors), to be matched
/// against [`ascii_lower`] of a column: the trimmed value without wildcards, as a substring;
/// `None` when nothing is left.
pub(crate) fn name_pattern(filter: Option<&str>) -> Option<String> {
    filter
        .map(|f| f.trim().replace(['%', '_'], ""))
        .filter(|f| !f.is_empty())
        .map(|f| format!("%{}%", escape_like(&f.to_ascii_lowercase())))
}

/// SQL for `col` with its ASCII letters lowered (and no other character changed).
pub(crate) fn ascii_lower(col: &str) -> String {
    format!("translate({col}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
}

/// Backslash is PostgreSQL's `like` escape character; SQLite has none, so it matches itself.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldwork_store::Sort;

    #[test]
    fn patterns_follow_sqlite() {
        let terms = |q: &str| {
            search_terms(q)
                .into_iter()
                .map(|t| (t.pattern, t.lookup))
                .collect::<Vec<_>>()
        };
        let same = |p: &str| (p.to_owned(), p.to_owned());
        assert_eq!(terms("  a%b  C_ % "), vec![same("%ab%"), same("%c%")]);
        assert_eq!(terms(r"A\b"), vec![same(r"%a\\b%")]);
        assert_eq!(
            terms("James.Smith12@example.com"),
            vec![("%james.smith12@example.com%".into(), "%smith12%".into())]
        );
        assert_eq!(
            terms("o'brien 12-34 main"),
            vec![
                ("%o'brien%".into(), "%brien%".into()),
                same("%12-34%"),
                same("%main%")
            ]
        );
        assert_eq!(name_pattern(Some(" X y ")), Some("%x y%".into()));
        assert_eq!(name_pattern(Some(" %_ ")), None);
        assert_eq!(name_pattern(None), None);
    }

    #[test]
    fn text_sorts_bytewise_with_sqlite_nulls() {
        let mut list = ListParams::default();
        assert_eq!(order_by(&list, "c"), "c.created_at desc, c.seq desc");
        list.sort = Sort {
            field: SortField::FirstName,
            direction: SortDirection::Asc,
        };
        assert_eq!(
            order_by(&list, "c"),
            "c.first_name collate \"C\" asc nulls first, c.seq asc"
        );
    }

    #[test]
    fn corrupt_json_reads_as_none() {
        let v = JsonCol::<Vec<String>>::from_sql(&Type::JSONB, b"\x01not json").unwrap();
        assert!(v.0.is_none());
        let v = JsonCol::<Vec<String>>::from_sql(&Type::JSONB, b"\x01[\"a\"]").unwrap();
        assert_eq!(v.or_default(), vec!["a".to_owned()]);
    }
}
