//! Uploaded files, stored whole.

use fieldwork_store::time::now_micros;
use fieldwork_store::{FileRecord, StoreResult};
use rusqlite::{Connection, params};

use crate::db::Db;
use crate::error::{map_err, not_found};

pub(crate) async fn put(db: &Db, company_id: &str, file: FileRecord) -> StoreResult<()> {
    let company_id = company_id.to_owned();
    db.write(move |c| {
        c.execute(
            "insert into files (company_id, id, file_name, content_type, bytes, created_at)
             values (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                company_id,
                file.id,
                file.file_name,
                file.content_type,
                file.bytes,
                now_micros()
            ],
        )
        .map_err(map_err)?;
        Ok(())
    })
    .await
}

pub(crate) fn get(c: &Connection, company_id: &str, id: &str) -> StoreResult<FileRecord> {
    c.prepare_cached(
        "select id, file_name, content_type, bytes from files where company_id = ?1 and id = ?2",
    )
    .and_then(|mut s| {
        s.query_row([company_id, id], |r| {
            Ok(FileRecord {
                id: r.get(0)?,
                file_name: r.get(1)?,
                content_type: r.get(2)?,
                bytes: r.get(3)?,
            })
        })
    })
    .map_err(not_found("attachment"))
}
