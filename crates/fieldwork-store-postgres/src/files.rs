//! Uploaded files, stored whole.

use fieldwork_store::time::now_micros;
use fieldwork_store::{FileRecord, StoreResult};

use crate::db::Db;
use crate::error::found;

pub(crate) async fn put(db: &Db, company_id: &str, file: FileRecord) -> StoreResult<()> {
    db.execute(
        "insert into files (company_id, id, file_name, content_type, bytes, created_at)
         values ($1, $2, $3, $4, $5, $6)",
        &[
            &company_id,
            &file.id,
            &file.file_name,
            &file.content_type,
            &file.bytes,
            &now_micros(),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn get(db: &Db, company_id: &str, id: &str) -> StoreResult<FileRecord> {
    let row = db
        .query_opt(
            "select id, file_name, content_type, bytes from files where company_id = $1 and id = $2",
            &[&company_id, &id],
        )
        .await?;
    found(
        row.map(|r| FileRecord {
            id: r.get(0),
            file_name: r.get(1),
            content_type: r.get(2),
            bytes: r.get(3),
        }),
        "attachment",
    )
}
