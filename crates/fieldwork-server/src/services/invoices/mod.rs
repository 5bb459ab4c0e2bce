//! Invoices: made from a job's line items when it is finished (or on request), paid in parts,
//! voided; listed with HCP's filters and previewed as a printable HTML page.

pub mod build;
pub mod create;
pub mod doc;
pub mod list;
pub mod pay;
pub mod preview;
pub mod render;

use fieldwork_store::Store;
use fieldwork_store::docs::DocKind;

pub use build::Terms;
pub use doc::{InvoiceDoc, StoredInvoice, status};

use crate::error::ApiResult;

/// How often a change is retried when another change of the same documents won the race.
const MAX_ATTEMPTS: usize = 5;

/// Reads one invoice.
pub async fn load(store: &dyn Store, company_id: &str, id: &str) -> ApiResult<StoredInvoice> {
    Ok(StoredInvoice::from_doc(
        store.get_doc(company_id, DocKind::Invoice, id).await?,
    ))
}
