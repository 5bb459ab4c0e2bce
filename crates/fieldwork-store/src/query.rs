//! Paging and sorting of list calls.

/// Sort direction; HCP defaults to `desc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    Asc,
    #[default]
    Desc,
}

/// Fields a list can be sorted by; each resource accepts a subset (checked at the HTTP edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortField {
    #[default]
    CreatedAt,
    UpdatedAt,
    Name,
    FirstName,
    LastName,
    Email,
}

impl SortField {
    /// Parses a `sort_by` value.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "created_at" => Self::CreatedAt,
            "updated_at" => Self::UpdatedAt,
            "name" => Self::Name,
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "email" => Self::Email,
            _ => return None,
        })
    }

    /// The column this field sorts on.
    pub fn column(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
            Self::Name => "name",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Email => "email",
        }
    }
}

/// A sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub field: SortField,
    pub direction: SortDirection,
}

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListParams {
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
    pub sort: Sort,
}

impl Default for ListParams {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: 10,
            sort: Sort::default(),
        }
    }
}

impl ListParams {
    /// One page of up to 10,000 rows in the default order: for reading a company's small
    /// reference lists (employees, tags, job types) whole.
    pub fn all() -> Self {
        Self {
            page: 1,
            page_size: 10_000,
            ..Self::default()
        }
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.page_size)
    }
}

/// One page of results plus the total across pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Page<T> {
    /// The same page with every item transformed.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
        }
    }
}
