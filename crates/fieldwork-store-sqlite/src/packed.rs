//! Document details as stored: LZ4-compressed blobs. A job's detail (its lines) is most of what
//! a change of its lines writes: 50 lines are ~16 kB of JSON and ~4 kB packed, and on SQLite
//! those bytes go through the WAL and the checkpoint on every change (BENCHMARKS.md). Details
//! written as text before are read as they are.

use rusqlite::types::{FromSqlError, ValueRef};

/// The blob stored for a detail.
pub(crate) fn pack(detail: Option<&str>) -> Option<Vec<u8>> {
    detail.map(|d| lz4_flex::compress_prepend_size(d.as_bytes()))
}

/// A detail as read from column `column`: a packed blob, text from before packing, or none.
pub(crate) fn unpack(value: ValueRef<'_>, column: usize) -> rusqlite::Result<Option<String>> {
    let bad = |e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(column, value.data_type(), e)
    };
    match value {
        ValueRef::Null => Ok(None),
        ValueRef::Text(text) => Ok(Some(
            String::from_utf8(text.to_vec()).map_err(|e| bad(Box::new(e)))?,
        )),
        ValueRef::Blob(blob) => {
            let bytes = lz4_flex::decompress_size_prepended(blob).map_err(|e| bad(Box::new(e)))?;
            Ok(Some(
                String::from_utf8(bytes).map_err(|e| bad(Box::new(e)))?,
            ))
        }
        _ => Err(bad(Box::new(FromSqlError::InvalidType))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_back_packed_or_as_text() {
        let detail = format!(
            "{{\"line_items\":[{}]}}",
            ["{\"name\":\"Pipe ½in\"}"; 50].join(",")
        );
        let packed = pack(Some(&detail)).unwrap();
        assert!(
            packed.len() * 4 < detail.len(),
            "{} of {}",
            packed.len(),
            detail.len()
        );
        assert_eq!(
            unpack(ValueRef::Blob(&packed), 0).unwrap(),
            Some(detail.clone())
        );
        assert_eq!(
            unpack(ValueRef::Text(detail.as_bytes()), 0).unwrap(),
            Some(detail)
        );
        assert_eq!(pack(None), None);
        assert_eq!(unpack(ValueRef::Null, 0).unwrap(), None);
        assert!(unpack(ValueRef::Blob(b"\x05\x00\x00\x00junk"), 0).is_err());
    }
}
