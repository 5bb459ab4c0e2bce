//! The HCP list envelope: `{page, page_size, total_pages, total_items, <key>: [...]}`.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// One page of a list, serialized under a resource-specific key (`customers`, `tags`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct ListOut<T> {
    /// JSON key of the items array.
    pub key: &'static str,
    /// 1-based page number.
    pub page: u32,
    /// Requested page size.
    pub page_size: u32,
    /// Number of items across all pages.
    pub total_items: u64,
    /// The items of this page.
    pub items: Vec<T>,
}

impl<T> ListOut<T> {
    /// Number of pages needed for `total_items` at `page_size` (0 for an empty list).
    pub fn total_pages(&self) -> u64 {
        if self.page_size == 0 {
            0
        } else {
            self.total_items.div_ceil(u64::from(self.page_size))
        }
    }
}

impl<T: Serialize> Serialize for ListOut<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("page", &self.page)?;
        map.serialize_entry("page_size", &self.page_size)?;
        map.serialize_entry("total_pages", &self.total_pages())?;
        map.serialize_entry("total_items", &self.total_items)?;
        map.serialize_entry(self.key, &self.items)?;
        map.end()
    }
}
