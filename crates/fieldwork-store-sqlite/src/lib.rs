//! The embedded SQLite store of Fieldwork.

mod changes;
mod companies;
mod customers;
mod db;
mod doc_update;
mod docs;
mod employees;
mod error;
mod files;
mod keys;
mod migrate;
mod packed;
mod read_pool;
mod readers;
mod reference;
mod sql;
mod start_days;
mod usage;
mod vendors;
mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use fieldwork_store::OutboxEvent;
use fieldwork_store::reference::{Epochs, ReferenceCache};
use fieldwork_store::webhooks::{
    Attempt, AttemptResult, ClaimRequest, ClaimedDelivery, CompletionRules, Endpoint,
    EndpointPatch, Message, MessageQuery, NewEndpoint,
};
use fieldwork_store::{
    ApiKeyRecord, CompanyLimits, CompanyRecord, Doc, DocKind, DocQuery, DocWrite, FileRecord,
    KeyAuth, ListParams, NewCompany, Page, Plan, Store, StoreError, StoreResult, UsageDelta,
    UsageMinute, UserRecord,
};
use fieldwork_types::{
    Address, AddressIn, Company, Customer, CustomerIn, CustomerPatch, Employee, EmployeeIn,
    JobType, LeadSource, ScheduleAvailability, Tag, Vendor, VendorIn, VendorPatch,
};
use tokio::sync::watch;

use crate::db::Db;

/// The SQLite store; cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Db>,
    /// Bumped after every commit that recorded events (see `Store::outbox_signal`).
    outbox: Arc<watch::Sender<u64>>,
    /// Bumped after every commit that may have queued deliveries (`Store::deliveries_signal`).
    deliveries: Arc<watch::Sender<u64>>,
    auth_cache: Arc<keys::AuthCache>,
    /// Where customers read before are stored (`customers::get_json`).
    customer_seqs: Arc<customers::SeqHints>,
    reference_cache: Arc<ReferenceCache>,
    /// Whether the last claim found deliveries: then the next one goes straight to the writer
    /// (there is likely more), without first looking for due work on a reader.
    claim_found_last: Arc<AtomicBool>,
}

impl SqliteStore {
    /// The newest migration this binary knows: the schema it writes.
    pub fn latest_migration() -> &'static str {
        migrate::latest()
    }

    /// Opens a `sqlite://PATH` URL (or a bare path), creating the file if missing.
    ///
    /// With `migrate`, pending migrations are applied first; without, a database that lacks
    /// migrations is refused with a message saying to run `fieldwork migrate`.
    pub fn open(url: &str, migrate: bool) -> StoreResult<Self> {
        let path = path_from_url(url)?;
        Ok(Self {
            db: Arc::new(Db::open(&path, migrate)?),
            outbox: Arc::new(watch::channel(0).0),
            deliveries: Arc::new(watch::channel(0).0),
            auth_cache: Arc::default(),
            customer_seqs: Arc::default(),
            reference_cache: Arc::default(),
            claim_found_last: Arc::default(),
        })
    }

    /// Wakes whoever waits for new deliveries or messages (called after the commit).
    fn signal_outbox(&self) {
        self.signal_messages();
        self.deliveries.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Wakes whoever waits for new messages only: the commit queued no delivery.
    fn signal_messages(&self) {
        self.outbox.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Awaits a write that records the events `emit` names in its transaction, then wakes the
    /// worker if there were any.
    async fn emitting<T>(
        &self,
        emit: &[&str],
        write: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        let out = write.await?;
        if !emit.is_empty() {
            self.signal_outbox();
        }
        Ok(out)
    }
}

/// Event names owned, to move into the writer's closure.
fn names(emit: &[&str]) -> Vec<String> {
    emit.iter().map(|&e| e.to_owned()).collect()
}

/// Turns `sqlite://relative.db`, `sqlite:///abs/path.db` or `sqlite:path` into a path.
fn path_from_url(url: &str) -> StoreResult<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let rest = rest.split('?').next().unwrap_or_default();
    if rest.is_empty() || rest == ":memory:" {
        return Err(StoreError::Unavailable(format!(
            "{url}: give a file path, e.g. sqlite://fieldwork.db (in-memory databases are not supported)"
        )));
    }
    Ok(Path::new(rest).to_owned())
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn epochs(&self, company_id: &str) -> StoreResult<Epochs> {
        self.db.read(|c| companies::epochs(c, company_id))
    }
    fn reference_cache(&self) -> &ReferenceCache {
        &self.reference_cache
    }

    async fn create_company(&self, new: NewCompany) -> StoreResult<CompanyRecord> {
        companies::create(&self.db, new).await
    }
    async fn get_company(&self, company_id: &str) -> StoreResult<CompanyRecord> {
        self.db.read(|c| companies::get(c, company_id))
    }
    async fn find_company_by_name(&self, name: &str) -> StoreResult<Option<CompanyRecord>> {
        self.db.read(|c| companies::find_by_name(c, name))
    }
    async fn list_companies(&self) -> StoreResult<Vec<CompanyRecord>> {
        self.db.read(companies::list)
    }
    async fn set_company_plan(&self, company_id: &str, plan: Plan) -> StoreResult<CompanyRecord> {
        companies::set_column(&self.db, company_id, "plan", plan.as_str().to_owned()).await
    }
    async fn set_company_limits(
        &self,
        company_id: &str,
        limits: CompanyLimits,
    ) -> StoreResult<CompanyRecord> {
        companies::set_limits(&self.db, company_id, limits).await
    }
    async fn set_company_profile(&self, company_id: &str, profile: Company) -> StoreResult<()> {
        companies::set_column(&self.db, company_id, "profile", sql::to_json(&profile))
            .await
            .map(drop)
    }
    async fn set_application_state(
        &self,
        company_id: &str,
        state: &str,
    ) -> StoreResult<CompanyRecord> {
        companies::set_column(&self.db, company_id, "application_state", state.to_owned()).await
    }
    async fn set_schedule_availability(
        &self,
        company_id: &str,
        availability: ScheduleAvailability,
    ) -> StoreResult<ScheduleAvailability> {
        companies::set_column(
            &self.db,
            company_id,
            "availability",
            sql::to_json(&availability),
        )
        .await
        .map(|c| c.availability)
    }

    async fn create_user(
        &self,
        company_id: &str,
        email: &str,
        name: &str,
        is_admin: bool,
    ) -> StoreResult<UserRecord> {
        keys::create_user(&self.db, company_id, email, name, is_admin).await
    }
    async fn list_users(&self, company_id: &str) -> StoreResult<Vec<UserRecord>> {
        self.db.read(|c| keys::list_users(c, company_id))
    }
    async fn create_api_key(
        &self,
        company_id: &str,
        name: &str,
        key_hash: &str,
        key_prefix: &str,
    ) -> StoreResult<ApiKeyRecord> {
        keys::create(&self.db, company_id, name, key_hash, key_prefix).await
    }
    async fn list_api_keys(&self, company_id: &str) -> StoreResult<Vec<ApiKeyRecord>> {
        self.db.read(|c| keys::list(c, company_id))
    }
    async fn revoke_api_key(&self, key_id: &str) -> StoreResult<ApiKeyRecord> {
        keys::revoke(&self.db, key_id).await
    }
    async fn authenticate(&self, key_hash: &str) -> StoreResult<Option<KeyAuth>> {
        // Read before any transaction: a commit after it makes the cache look again.
        let seen = self.db.changes();
        if let Some(auth) = self.auth_cache.unchanged(key_hash, seen) {
            return Ok(Some(auth));
        }
        self.db
            .read(|c| keys::authenticate(c, &self.auth_cache, key_hash, seen))
    }
    async fn record_key_usage(&self, uses: Vec<(String, i64)>) -> StoreResult<()> {
        keys::record_usage(&self.db, uses).await
    }

    async fn add_usage(
        &self,
        deltas: Vec<UsageDelta>,
        prune_before: Option<i64>,
    ) -> StoreResult<()> {
        usage::add(&self.db, deltas, prune_before).await
    }
    async fn list_usage(
        &self,
        company_id: &str,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<UsageMinute>> {
        self.db.read(|c| usage::list(c, company_id, from, to))
    }

    async fn create_employee(
        &self,
        company_id: &str,
        new: EmployeeIn,
        emit: &[&str],
    ) -> StoreResult<Employee> {
        let write = employees::create(&self.db, company_id, new, names(emit));
        self.emitting(emit, write).await
    }
    async fn list_employees(
        &self,
        company_id: &str,
        list: &ListParams,
    ) -> StoreResult<Page<Employee>> {
        self.db.read(|c| employees::list(c, company_id, list))
    }

    async fn create_customer(
        &self,
        company_id: &str,
        new: CustomerIn,
        emit: &[&str],
    ) -> StoreResult<Customer> {
        let write = customers::create(&self.db, company_id, new, names(emit));
        self.emitting(emit, write).await
    }
    async fn get_customer(&self, company_id: &str, customer_id: &str) -> StoreResult<Customer> {
        self.db.read(|c| customers::get(c, company_id, customer_id))
    }
    async fn get_customer_json(&self, company_id: &str, customer_id: &str) -> StoreResult<String> {
        self.db
            .read(|c| customers::get_json(c, &self.customer_seqs, company_id, customer_id))
    }
    async fn get_customers_json(
        &self,
        company_id: &str,
        ids: &[String],
    ) -> StoreResult<Vec<String>> {
        self.db
            .read(|c| customers::get_many_json(c, &self.customer_seqs, company_id, ids))
    }
    async fn update_customer(
        &self,
        company_id: &str,
        customer_id: &str,
        patch: CustomerPatch,
        emit: &[&str],
    ) -> StoreResult<Customer> {
        let write = customers::update(&self.db, company_id, customer_id, patch, names(emit));
        self.emitting(emit, write).await
    }
    async fn list_customers(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<Customer>> {
        let (company_id, q, list) = (company_id.to_owned(), q.map(str::to_owned), *list);
        self.db
            .read_long(move |c| customers::list(c, &company_id, q.as_deref(), &list))
            .await
    }
    async fn list_customers_json(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<String>> {
        let (company_id, q, list) = (company_id.to_owned(), q.map(str::to_owned), *list);
        self.db
            .read_long(move |c| customers::list_json(c, &company_id, q.as_deref(), &list))
            .await
    }
    async fn list_addresses(
        &self,
        company_id: &str,
        customer_id: &str,
        list: &ListParams,
    ) -> StoreResult<Page<Address>> {
        self.db
            .read(|c| customers::list_addresses(c, company_id, customer_id, list))
    }
    async fn create_address(
        &self,
        company_id: &str,
        customer_id: &str,
        new: AddressIn,
        emit: &[&str],
    ) -> StoreResult<Address> {
        let write = customers::create_address(&self.db, company_id, customer_id, new, names(emit));
        self.emitting(emit, write).await
    }
    async fn get_address(
        &self,
        company_id: &str,
        customer_id: &str,
        address_id: &str,
    ) -> StoreResult<Address> {
        self.db
            .read(|c| customers::get_address(c, company_id, customer_id, address_id))
    }

    async fn list_tags(&self, company_id: &str, list: &ListParams) -> StoreResult<Page<Tag>> {
        self.db.read(|c| reference::list_tags(c, company_id, list))
    }
    async fn get_tag(&self, company_id: &str, tag_id: &str) -> StoreResult<Tag> {
        self.db.read(|c| reference::get_tag(c, company_id, tag_id))
    }
    async fn create_tag(&self, company_id: &str, name: &str) -> StoreResult<Tag> {
        reference::create_tag(&self.db, company_id, name).await
    }
    async fn update_tag(&self, company_id: &str, tag_id: &str, name: &str) -> StoreResult<Tag> {
        reference::update_tag(&self.db, company_id, tag_id, name).await
    }
    async fn list_lead_sources(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<LeadSource>> {
        self.db
            .read(|c| reference::list_lead_sources(c, company_id, q, list))
    }
    async fn create_lead_source(&self, company_id: &str, name: &str) -> StoreResult<LeadSource> {
        reference::create_lead_source(&self.db, company_id, name, true).await
    }
    async fn get_lead_source(&self, company_id: &str, id: &str) -> StoreResult<LeadSource> {
        self.db
            .read(|c| reference::get_lead_source(c, company_id, id))
    }
    async fn update_lead_source(
        &self,
        company_id: &str,
        id: &str,
        name: &str,
    ) -> StoreResult<LeadSource> {
        reference::update_lead_source(&self.db, company_id, id, name).await
    }
    async fn create_builtin_lead_source(
        &self,
        company_id: &str,
        name: &str,
    ) -> StoreResult<LeadSource> {
        reference::create_lead_source(&self.db, company_id, name, false).await
    }
    async fn list_job_types(
        &self,
        company_id: &str,
        name: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<JobType>> {
        self.db
            .read(|c| reference::list_job_types(c, company_id, name, list))
    }
    async fn create_job_type(&self, company_id: &str, name: &str) -> StoreResult<JobType> {
        reference::create_job_type(&self.db, company_id, name).await
    }
    async fn update_job_type(
        &self,
        company_id: &str,
        id: &str,
        name: &str,
    ) -> StoreResult<JobType> {
        reference::update_job_type(&self.db, company_id, id, name).await
    }

    async fn list_vendors(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<Vendor>> {
        let (company_id, q, list) = (company_id.to_owned(), q.map(str::to_owned), *list);
        self.db
            .read_long(move |c| vendors::list(c, &company_id, q.as_deref(), &list))
            .await
    }
    async fn create_vendor(&self, company_id: &str, new: VendorIn) -> StoreResult<Vendor> {
        vendors::create(&self.db, company_id, new).await
    }
    async fn get_vendor(&self, company_id: &str, vendor_id: &str) -> StoreResult<Vendor> {
        self.db.read(|c| vendors::get(c, company_id, vendor_id))
    }
    async fn update_vendor(
        &self,
        company_id: &str,
        vendor_id: &str,
        patch: VendorPatch,
    ) -> StoreResult<Vendor> {
        vendors::update(&self.db, company_id, vendor_id, patch).await
    }
    async fn delete_vendor(&self, company_id: &str, vendor_id: &str) -> StoreResult<()> {
        vendors::delete(&self.db, company_id, vendor_id).await
    }

    async fn get_doc(&self, company_id: &str, kind: DocKind, id: &str) -> StoreResult<Doc> {
        self.db.read(|c| docs::get(c, company_id, kind, id))
    }
    async fn get_docs(
        &self,
        company_id: &str,
        kind: DocKind,
        ids: &[String],
    ) -> StoreResult<Vec<Doc>> {
        self.db.read(|c| docs::get_many(c, company_id, kind, ids))
    }
    async fn list_docs(
        &self,
        company_id: &str,
        kind: DocKind,
        query: &DocQuery,
    ) -> StoreResult<Page<Doc>> {
        let (company_id, query) = (company_id.to_owned(), query.clone());
        self.db
            .read_long(move |c| docs::list(c, &company_id, kind, &query))
            .await
    }
    async fn write_docs(&self, company_id: &str, writes: Vec<DocWrite>) -> StoreResult<Vec<Doc>> {
        let company_id = company_id.to_owned();
        let emits = writes.iter().any(|w| matches!(w, DocWrite::Emit(_)));
        let (stored, queued) = self
            .db
            .write(move |c| docs::write(c, &company_id, writes))
            .await?;
        if queued {
            self.signal_outbox();
        } else if emits {
            self.signal_messages();
        }
        Ok(stored)
    }
    async fn next_number(&self, company_id: &str, counter: &str) -> StoreResult<i64> {
        let (company_id, counter) = (company_id.to_owned(), counter.to_owned());
        self.db
            .write(move |c| docs::next_number(c, &company_id, &counter))
            .await
    }

    async fn emit(&self, company_id: &str, events: Vec<OutboxEvent>) -> StoreResult<()> {
        let company_id = company_id.to_owned();
        self.db
            .write(move |c| webhooks::outbox::emit_all(c, &company_id, &events))
            .await?;
        self.signal_outbox();
        Ok(())
    }
    fn outbox_signal(&self) -> watch::Receiver<u64> {
        self.outbox.subscribe()
    }
    fn deliveries_signal(&self) -> watch::Receiver<u64> {
        self.deliveries.subscribe()
    }
    async fn create_webhook_endpoint(
        &self,
        company_id: &str,
        new: NewEndpoint,
    ) -> StoreResult<Endpoint> {
        let company_id = company_id.to_owned();
        self.db
            .write(move |c| webhooks::create(c, &company_id, new))
            .await
    }
    async fn list_webhook_endpoints(&self, company_id: &str) -> StoreResult<Vec<Endpoint>> {
        self.db.read(|c| webhooks::list(c, company_id))
    }
    async fn get_webhook_endpoint(&self, company_id: &str, id: &str) -> StoreResult<Endpoint> {
        self.db.read(|c| webhooks::get(c, company_id, id))
    }
    async fn update_webhook_endpoint(
        &self,
        company_id: &str,
        id: &str,
        patch: EndpointPatch,
    ) -> StoreResult<Endpoint> {
        let (company_id, id) = (company_id.to_owned(), id.to_owned());
        let updated = self
            .db
            .write(move |c| webhooks::update(c, &company_id, &id, patch))
            .await?;
        // Re-enabling makes paused deliveries due.
        self.signal_outbox();
        Ok(updated)
    }
    async fn delete_webhook_endpoint(&self, company_id: &str, id: &str) -> StoreResult<()> {
        let (company_id, id) = (company_id.to_owned(), id.to_owned());
        self.db
            .write(move |c| webhooks::delete(c, &company_id, &id))
            .await
    }
    async fn rotate_webhook_secret(
        &self,
        company_id: &str,
        id: &str,
        secret: &str,
        previous_expires_at: Option<i64>,
    ) -> StoreResult<Endpoint> {
        let (company_id, id, secret) = (company_id.to_owned(), id.to_owned(), secret.to_owned());
        self.db
            .write(move |c| webhooks::rotate(c, &company_id, &id, &secret, previous_expires_at))
            .await
    }
    async fn list_webhook_messages(
        &self,
        company_id: &str,
        query: &MessageQuery,
    ) -> StoreResult<Page<Message>> {
        self.db
            .read(|c| webhooks::outbox::list(c, company_id, query))
    }
    async fn webhook_messages_after(
        &self,
        company_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.db
            .read(|c| webhooks::outbox::after(c, company_id, after_seq, limit))
    }
    async fn last_webhook_message_seq(&self, company_id: &str) -> StoreResult<i64> {
        self.db.read(|c| webhooks::outbox::last_seq(c, company_id))
    }
    async fn resend_webhook_message(&self, company_id: &str, message_id: &str) -> StoreResult<u64> {
        let (company_id, message_id) = (company_id.to_owned(), message_id.to_owned());
        let n = self
            .db
            .write(move |c| webhooks::outbox::resend(c, &company_id, &message_id))
            .await?;
        self.signal_outbox();
        Ok(n)
    }
    async fn recover_webhook_endpoint(
        &self,
        company_id: &str,
        endpoint_id: &str,
        since: i64,
    ) -> StoreResult<u64> {
        let (company_id, endpoint_id) = (company_id.to_owned(), endpoint_id.to_owned());
        let n = self
            .db
            .write(move |c| webhooks::outbox::recover(c, &company_id, &endpoint_id, since))
            .await?;
        self.signal_outbox();
        Ok(n)
    }
    async fn emit_to_endpoint(
        &self,
        company_id: &str,
        endpoint_id: &str,
        event: OutboxEvent,
    ) -> StoreResult<()> {
        let (company_id, endpoint_id) = (company_id.to_owned(), endpoint_id.to_owned());
        self.db
            .write(move |c| webhooks::outbox::emit_to(c, &company_id, &endpoint_id, &event))
            .await?;
        self.signal_outbox();
        Ok(())
    }
    async fn list_webhook_attempts(
        &self,
        company_id: &str,
        endpoint_id: &str,
        list: &ListParams,
    ) -> StoreResult<Page<Attempt>> {
        self.db
            .read(|c| webhooks::delivery::attempts(c, company_id, endpoint_id, list))
    }
    async fn tidy(&self) -> StoreResult<()> {
        self.db.truncate_wal()
    }
    async fn claim_deliveries(&self, request: &ClaimRequest) -> StoreResult<Vec<ClaimedDelivery>> {
        // Looked for on a reader first: the worker polls even when nothing is due, and a
        // writer job per poll kept the writer from ever being idle (so it never merged the
        // search index). Not while claims keep finding work: then the look costs a reader
        // transaction per claim for nothing (6 % of the server with 100 busy endpoints).
        if !self.claim_found_last.load(Ordering::Relaxed)
            && !self
                .db
                .read(|c| webhooks::delivery::any_due(c, request.now))?
        {
            return Ok(Vec::new());
        }
        let request = request.clone();
        let claimed = self
            .db
            .write(move |c| webhooks::delivery::claim(c, &request))
            .await?;
        self.claim_found_last
            .store(!claimed.is_empty(), Ordering::Relaxed);
        Ok(claimed)
    }
    async fn complete_deliveries(
        &self,
        results: Vec<AttemptResult>,
        rules: CompletionRules,
    ) -> StoreResult<()> {
        self.db
            .write(move |c| webhooks::delivery::complete(c, &results, rules))
            .await
    }
    async fn purge_webhook_history(&self, before: i64, limit: u32) -> StoreResult<u64> {
        self.db
            .write(move |c| webhooks::retention::purge(c, before, limit))
            .await
    }
    async fn put_file(&self, company_id: &str, file: FileRecord) -> StoreResult<()> {
        files::put(&self.db, company_id, file).await
    }
    async fn get_file(&self, company_id: &str, id: &str) -> StoreResult<FileRecord> {
        self.db.read(|c| files::get(c, company_id, id))
    }
}
