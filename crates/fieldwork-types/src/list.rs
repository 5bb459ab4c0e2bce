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

impl ListOut<String> {
    /// The envelope as [`Serialize`] writes it, around items that are already JSON text
    /// (stored documents), copied as they are.
    pub fn to_json_around_rendered(&self) -> String {
        let items: usize = self.items.iter().map(|i| i.len() + 1).sum();
        let mut out = String::with_capacity(items + 96);
        out.push_str(&format!(
            "{{\"page\":{},\"page_size\":{},\"total_pages\":{},\"total_items\":{},\"{}\":[",
            self.page,
            self.page_size,
            self.total_pages(),
            self.total_items,
            self.key
        ));
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(item);
        }
        out.push_str("]}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::ListOut;

    #[test]
    fn rendered_items_make_the_same_text_as_serializing() {
        let items = vec![
            serde_json::json!({"id": "cus_1", "tags": ["a"], "notes": null}),
            serde_json::json!({"id": "cus_2", "name": "Ad\u{e9}le \"A\""}),
        ];
        fn list<T>(items: Vec<T>) -> ListOut<T> {
            ListOut {
                key: "customers",
                page: 2,
                page_size: 2,
                total_items: 5,
                items,
            }
        }
        for items in [items.clone(), Vec::new()] {
            let rendered: Vec<String> = items.iter().map(|i| i.to_string()).collect();
            assert_eq!(
                list(rendered).to_json_around_rendered(),
                serde_json::to_string(&list(items)).unwrap()
            );
        }
    }
}
