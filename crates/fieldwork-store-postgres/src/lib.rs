//! The PostgreSQL store of Fieldwork: a deadpool of tokio-postgres connections with cached
//! prepared statements, behaving exactly as the SQLite store does.

mod addresses;
mod companies;
mod customers;
mod db;
mod docs;
mod employees;
mod error;
mod files;
mod keys;
mod migrate;
mod notify;
mod rate_windows;
mod reference;
mod sql;
mod start_days;
#[cfg(feature = "testing")]
pub mod testing;
mod usage;
mod vendors;
mod webhooks;

use std::sync::Arc;

use async_trait::async_trait;
use fieldwork_store::OutboxEvent;
use fieldwork_store::reference::{Epochs, ReferenceCache};
use fieldwork_store::webhooks::{
    Attempt, AttemptResult, ClaimRequest, ClaimedDelivery, CompletionRules, Endpoint,
    EndpointPatch, Message, MessageQuery, NewEndpoint,
};
use fieldwork_store::{
    ApiKeyRecord, CompanyLimits, CompanyRecord, Doc, DocKind, DocQuery, DocWrite, FileRecord,
    KeyAuth, ListParams, NewCompany, Page, Plan, SharedRateWindows, Store, StoreResult, UsageDelta,
    UsageMinute, UserRecord, WindowCount, WindowRule,
};
use fieldwork_types::{
    Address, AddressIn, Company, Customer, CustomerIn, CustomerPatch, Employee, EmployeeIn,
    JobType, LeadSource, ScheduleAvailability, Tag, Vendor, VendorIn, VendorPatch,
};
use tokio::sync::watch;

use crate::companies::Column;
pub use crate::db::PoolSettings;
use crate::db::{Db, Role};

/// Connections of a process's webhook worker, besides `database_pool_size`: one claims while
/// the other records outcomes.
pub const WORKER_CONNECTIONS: usize = 2;

/// The PostgreSQL store; cheap to clone (clones share one pool).
#[derive(Clone)]
pub struct PostgresStore {
    db: Arc<Db>,
    /// The webhook worker's own connections (claims and recording, [`WORKER_CONNECTIONS`]),
    /// opened at its first claim: on the shared pool, every claim waited behind the API's
    /// requests for a connection (~20 ms at 32 concurrent writes), which held one endpoint's
    /// deliveries below the rate its events were made (BENCHMARKS.md, issue 5). Their
    /// commits do not wait for the WAL flush, and they plan without bitmap or sequential scans
    /// ([`Role::WebhookWorker`]).
    worker_db: Arc<Db>,
    /// What this store's recent fan-out claims found (endpoints per message, whether any), to
    /// size its next claims and skip them on an empty queue.
    fanout_hints: Arc<webhooks::fanout::ClaimHints>,
    /// Bumped after every commit of this process that recorded events, and by `NOTIFY`s from
    /// other processes (see `notify`).
    wakeups: Arc<notify::Wakeups>,
    /// Set by this process's own commits that recorded events (to `true` when they may have
    /// queued deliveries): asks the notify task to tell the other processes (see `notify`).
    notify_others: Arc<watch::Sender<bool>>,
    reference_cache: Arc<ReferenceCache>,
    /// Bumped after each customer created: wakes the task that numbers new customers'
    /// positions (see `customers::positions`).
    customers_created: Arc<watch::Sender<u64>>,
    /// Words known to be in the search vocabulary (see `customers::words`).
    known_words: Arc<customers::KnownWords>,
}

impl PostgresStore {
    /// The newest migration this binary knows: the schema it writes.
    pub fn latest_migration() -> &'static str {
        migrate::latest()
    }

    /// Connects to a `postgres://` URL and checks that the server answers.
    ///
    /// With `migrate`, pending migrations are applied first; without, a database that lacks
    /// migrations is refused with a message saying to run `fieldwork migrate`, and one with
    /// migrations this binary does not know with one saying to upgrade. An unreachable server
    /// is `Unavailable` after at most `settings.connect_timeout`.
    pub async fn connect(url: &str, settings: PoolSettings, migrate: bool) -> StoreResult<Self> {
        let db = Db::connect(url, &settings).await?;
        let worker_db = Arc::new(Db::build(
            url,
            &PoolSettings {
                max_connections: WORKER_CONNECTIONS,
                ..settings.clone()
            },
            Role::WebhookWorker,
        )?);
        if migrate {
            migrate::apply(&db).await?;
        }
        migrate::check_current(&db).await?;
        tracing::debug!(database = %db.target, "connected to PostgreSQL");
        let wakeups = Arc::new(notify::Wakeups::default());
        if let Ok(config) = url.parse::<tokio_postgres::Config>() {
            let mut config = config;
            config
                .connect_timeout(settings.connect_timeout)
                .application_name("fieldwork-outbox-listener");
            notify::spawn_listener(config, Arc::downgrade(&wakeups));
        }
        let db = Arc::new(db);
        let notify_others = Arc::new(watch::channel(false).0);
        notify::spawn_sender(db.clone(), &notify_others);
        let customers_created = Arc::new(watch::channel(0).0);
        customers::spawn_positioner(db.clone(), customers_created.subscribe());
        Ok(Self {
            db,
            worker_db,
            fanout_hints: Arc::default(),
            wakeups,
            notify_others,
            reference_cache: Arc::default(),
            customers_created,
            known_words: Arc::default(),
        })
    }

    /// Applies the migrations the database lacks (what `fieldwork migrate` runs).
    ///
    /// Safe to run from several processes at once: they take turns on an advisory lock.
    pub async fn migrate(&self) -> StoreResult<()> {
        migrate::apply(&self.db).await
    }

    /// A setting of `current_setting(name)` on an API connection and on one of the worker's.
    #[cfg(feature = "testing")]
    pub async fn settings_of_api_and_worker(&self, name: &str) -> StoreResult<(String, String)> {
        let sql = "select current_setting($1)";
        let api = self.db.query(sql, &[&name]).await?;
        let worker = self.worker_db.query(sql, &[&name]).await?;
        Ok((api[0].get(0), worker[0].get(0)))
    }

    /// Waits (up to 5 s) until this store's listener listens; says whether it does.
    #[cfg(feature = "testing")]
    pub async fn wait_listening(&self) -> bool {
        for _ in 0..500 {
            if self
                .wakeups
                .listening
                .load(std::sync::atomic::Ordering::SeqCst)
            {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        false
    }

    /// Numbers the customers queued for a position now (what the background task does after
    /// creates), after a run in progress elsewhere; returns how many positions were written.
    #[cfg(feature = "testing")]
    pub async fn position_customers(&self) -> StoreResult<u64> {
        customers::position_all(&self.db, customers::Busy::Wait).await
    }

    /// Wakes whoever waits for new messages, and (when `deliveries` may have been queued) the
    /// webhook workers, in this process at once and in the others through a `NOTIFY` (called
    /// after the commit).
    fn signal_outbox(&self, deliveries: bool) {
        self.wakeups.bump(deliveries);
        self.notify_others.send_modify(|d| *d |= deliveries);
    }

    /// Runs a write that records the events `emit` names in its transaction (within the call
    /// deadline), then wakes the workers if there were any.
    async fn emitting<T>(
        &self,
        emit: &[&str],
        write: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        let out = self.db.run(write).await?;
        if !emit.is_empty() {
            self.signal_outbox(true);
        }
        Ok(out)
    }
}

#[async_trait]
impl SharedRateWindows for PostgresStore {
    async fn authenticate_and_count(
        &self,
        key_hash: &str,
        rule: WindowRule,
    ) -> StoreResult<Option<(KeyAuth, Option<WindowCount>)>> {
        let count = rate_windows::authenticate_and_count(&self.db, key_hash, rule);
        self.db.run(count).await
    }
    async fn uncount(&self, key_id: &str, sec: i64) -> StoreResult<()> {
        self.db
            .run(rate_windows::uncount(&self.db, key_id, sec))
            .await
    }
    async fn prune_rate_windows(&self, idle_secs: u64) -> StoreResult<u64> {
        self.db.run(rate_windows::prune(&self.db, idle_secs)).await
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }
    fn shared_rate_windows(&self) -> Option<Arc<dyn SharedRateWindows>> {
        Some(Arc::new(self.clone()))
    }

    async fn epochs(&self, company_id: &str) -> StoreResult<Epochs> {
        self.db.run(companies::epochs(&self.db, company_id)).await
    }
    fn reference_cache(&self) -> &ReferenceCache {
        &self.reference_cache
    }

    async fn create_company(&self, new: NewCompany) -> StoreResult<CompanyRecord> {
        self.db.run(companies::create(&self.db, new)).await
    }
    async fn get_company(&self, company_id: &str) -> StoreResult<CompanyRecord> {
        self.db.run(companies::get(&self.db, company_id)).await
    }
    async fn find_company_by_name(&self, name: &str) -> StoreResult<Option<CompanyRecord>> {
        self.db.run(companies::find_by_name(&self.db, name)).await
    }
    async fn list_companies(&self) -> StoreResult<Vec<CompanyRecord>> {
        self.db.run(companies::list(&self.db)).await
    }
    async fn set_company_plan(&self, company_id: &str, plan: Plan) -> StoreResult<CompanyRecord> {
        let set = companies::set_column(&self.db, company_id, Column::Plan(plan));
        self.db.run(set).await
    }
    async fn set_company_limits(
        &self,
        company_id: &str,
        limits: CompanyLimits,
    ) -> StoreResult<CompanyRecord> {
        let set = companies::set_limits(&self.db, company_id, limits);
        self.db.run(set).await
    }
    async fn set_company_profile(&self, company_id: &str, profile: Company) -> StoreResult<()> {
        let set = companies::set_column(&self.db, company_id, Column::Profile(&profile));
        self.db.run(set).await.map(drop)
    }
    async fn set_application_state(
        &self,
        company_id: &str,
        state: &str,
    ) -> StoreResult<CompanyRecord> {
        let set = companies::set_column(&self.db, company_id, Column::ApplicationState(state));
        self.db.run(set).await
    }
    async fn set_schedule_availability(
        &self,
        company_id: &str,
        availability: ScheduleAvailability,
    ) -> StoreResult<ScheduleAvailability> {
        let set = companies::set_column(&self.db, company_id, Column::Availability(&availability));
        self.db.run(set).await.map(|c| c.availability)
    }

    async fn create_user(
        &self,
        company_id: &str,
        email: &str,
        name: &str,
        is_admin: bool,
    ) -> StoreResult<UserRecord> {
        let create = keys::create_user(&self.db, company_id, email, name, is_admin);
        self.db.run(create).await
    }
    async fn list_users(&self, company_id: &str) -> StoreResult<Vec<UserRecord>> {
        self.db.run(keys::list_users(&self.db, company_id)).await
    }
    async fn create_api_key(
        &self,
        company_id: &str,
        name: &str,
        key_hash: &str,
        key_prefix: &str,
    ) -> StoreResult<ApiKeyRecord> {
        let create = keys::create(&self.db, company_id, name, key_hash, key_prefix);
        self.db.run(create).await
    }
    async fn list_api_keys(&self, company_id: &str) -> StoreResult<Vec<ApiKeyRecord>> {
        self.db.run(keys::list(&self.db, company_id)).await
    }
    async fn revoke_api_key(&self, key_id: &str) -> StoreResult<ApiKeyRecord> {
        self.db.run(keys::revoke(&self.db, key_id)).await
    }
    async fn authenticate(&self, key_hash: &str) -> StoreResult<Option<KeyAuth>> {
        self.db.run(keys::authenticate(&self.db, key_hash)).await
    }
    async fn record_key_usage(&self, uses: Vec<(String, i64)>) -> StoreResult<()> {
        self.db.run(keys::record_usage(&self.db, uses)).await
    }

    async fn add_usage(
        &self,
        deltas: Vec<UsageDelta>,
        prune_before: Option<i64>,
    ) -> StoreResult<()> {
        self.db
            .run(usage::add(&self.db, deltas, prune_before))
            .await
    }
    async fn list_usage(
        &self,
        company_id: &str,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<UsageMinute>> {
        self.db
            .run(usage::list(&self.db, company_id, from, to))
            .await
    }

    async fn create_employee(
        &self,
        company_id: &str,
        new: EmployeeIn,
        emit: &[&str],
    ) -> StoreResult<Employee> {
        let write = employees::create(&self.db, company_id, new, emit);
        self.emitting(emit, write).await
    }
    async fn list_employees(
        &self,
        company_id: &str,
        list: &ListParams,
    ) -> StoreResult<Page<Employee>> {
        self.db
            .run(employees::list(&self.db, company_id, list))
            .await
    }

    async fn create_customer(
        &self,
        company_id: &str,
        new: CustomerIn,
        emit: &[&str],
    ) -> StoreResult<Customer> {
        let write = customers::create(&self.db, &self.known_words, company_id, new, emit);
        let created = self.emitting(emit, write).await?;
        self.customers_created
            .send_modify(|n| *n = n.wrapping_add(1));
        Ok(created)
    }
    async fn get_customer(&self, company_id: &str, customer_id: &str) -> StoreResult<Customer> {
        self.db
            .run(customers::get(&self.db, company_id, customer_id))
            .await
    }
    async fn get_customer_json(&self, company_id: &str, customer_id: &str) -> StoreResult<String> {
        self.db
            .run(customers::get_json(&self.db, company_id, customer_id))
            .await
    }
    async fn get_customers_json(
        &self,
        company_id: &str,
        ids: &[String],
    ) -> StoreResult<Vec<String>> {
        self.db
            .run(customers::get_many_json(&self.db, company_id, ids))
            .await
    }
    async fn update_customer(
        &self,
        company_id: &str,
        customer_id: &str,
        patch: CustomerPatch,
        emit: &[&str],
    ) -> StoreResult<Customer> {
        let write = customers::update(
            &self.db,
            &self.known_words,
            company_id,
            customer_id,
            patch,
            emit,
        );
        self.emitting(emit, write).await
    }
    async fn list_customers(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<Customer>> {
        self.db
            .run(customers::list(&self.db, company_id, q, list))
            .await
    }
    async fn list_customers_json(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<String>> {
        self.db
            .run(customers::list_json(&self.db, company_id, q, list))
            .await
    }
    async fn list_addresses(
        &self,
        company_id: &str,
        customer_id: &str,
        list: &ListParams,
    ) -> StoreResult<Page<Address>> {
        let list = addresses::list(&self.db, company_id, customer_id, list);
        self.db.run(list).await
    }
    async fn create_address(
        &self,
        company_id: &str,
        customer_id: &str,
        new: AddressIn,
        emit: &[&str],
    ) -> StoreResult<Address> {
        let write = addresses::create(
            &self.db,
            &self.known_words,
            company_id,
            customer_id,
            new,
            emit,
        );
        self.emitting(emit, write).await
    }
    async fn get_address(
        &self,
        company_id: &str,
        customer_id: &str,
        address_id: &str,
    ) -> StoreResult<Address> {
        let get = addresses::get(&self.db, company_id, customer_id, address_id);
        self.db.run(get).await
    }

    async fn list_tags(&self, company_id: &str, list: &ListParams) -> StoreResult<Page<Tag>> {
        self.db
            .run(reference::list_tags(&self.db, company_id, list))
            .await
    }
    async fn get_tag(&self, company_id: &str, tag_id: &str) -> StoreResult<Tag> {
        self.db
            .run(reference::get_tag(&self.db, company_id, tag_id))
            .await
    }
    async fn create_tag(&self, company_id: &str, name: &str) -> StoreResult<Tag> {
        self.db
            .run(reference::create_tag(&self.db, company_id, name))
            .await
    }
    async fn update_tag(&self, company_id: &str, tag_id: &str, name: &str) -> StoreResult<Tag> {
        self.db
            .run(reference::update_tag(&self.db, company_id, tag_id, name))
            .await
    }
    async fn list_lead_sources(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<LeadSource>> {
        let list = reference::list_lead_sources(&self.db, company_id, q, list);
        self.db.run(list).await
    }
    async fn create_lead_source(&self, company_id: &str, name: &str) -> StoreResult<LeadSource> {
        let create = reference::create_lead_source(&self.db, company_id, name, true);
        self.db.run(create).await
    }
    async fn get_lead_source(&self, company_id: &str, id: &str) -> StoreResult<LeadSource> {
        self.db
            .run(reference::get_lead_source(&self.db, company_id, id))
            .await
    }
    async fn update_lead_source(
        &self,
        company_id: &str,
        id: &str,
        name: &str,
    ) -> StoreResult<LeadSource> {
        let update = reference::update_lead_source(&self.db, company_id, id, name);
        self.db.run(update).await
    }
    async fn create_builtin_lead_source(
        &self,
        company_id: &str,
        name: &str,
    ) -> StoreResult<LeadSource> {
        let create = reference::create_lead_source(&self.db, company_id, name, false);
        self.db.run(create).await
    }
    async fn list_job_types(
        &self,
        company_id: &str,
        name: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<JobType>> {
        let list = reference::list_job_types(&self.db, company_id, name, list);
        self.db.run(list).await
    }
    async fn create_job_type(&self, company_id: &str, name: &str) -> StoreResult<JobType> {
        self.db
            .run(reference::create_job_type(&self.db, company_id, name))
            .await
    }
    async fn update_job_type(
        &self,
        company_id: &str,
        id: &str,
        name: &str,
    ) -> StoreResult<JobType> {
        self.db
            .run(reference::update_job_type(&self.db, company_id, id, name))
            .await
    }

    async fn list_vendors(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<Vendor>> {
        self.db
            .run(vendors::list(&self.db, company_id, q, list))
            .await
    }
    async fn create_vendor(&self, company_id: &str, new: VendorIn) -> StoreResult<Vendor> {
        self.db
            .run(vendors::create(&self.db, company_id, new))
            .await
    }
    async fn get_vendor(&self, company_id: &str, vendor_id: &str) -> StoreResult<Vendor> {
        self.db
            .run(vendors::get(&self.db, company_id, vendor_id))
            .await
    }
    async fn update_vendor(
        &self,
        company_id: &str,
        vendor_id: &str,
        patch: VendorPatch,
    ) -> StoreResult<Vendor> {
        let update = vendors::update(&self.db, company_id, vendor_id, patch);
        self.db.run(update).await
    }
    async fn delete_vendor(&self, company_id: &str, vendor_id: &str) -> StoreResult<()> {
        self.db
            .run(vendors::delete(&self.db, company_id, vendor_id))
            .await
    }

    async fn get_doc(&self, company_id: &str, kind: DocKind, id: &str) -> StoreResult<Doc> {
        self.db.run(docs::get(&self.db, company_id, kind, id)).await
    }
    async fn get_doc_with_epochs(
        &self,
        company_id: &str,
        kind: DocKind,
        id: &str,
    ) -> StoreResult<(Doc, Epochs)> {
        let get = docs::get_with_epochs(&self.db, company_id, kind, id);
        self.db.run(get).await
    }
    async fn get_docs(
        &self,
        company_id: &str,
        kind: DocKind,
        ids: &[String],
    ) -> StoreResult<Vec<Doc>> {
        self.db
            .run(docs::get_many(&self.db, company_id, kind, ids))
            .await
    }
    async fn list_docs(
        &self,
        company_id: &str,
        kind: DocKind,
        query: &DocQuery,
    ) -> StoreResult<Page<Doc>> {
        self.db
            .run(docs::list(&self.db, company_id, kind, query))
            .await
    }
    async fn list_docs_with_epochs(
        &self,
        company_id: &str,
        kind: DocKind,
        query: &DocQuery,
    ) -> StoreResult<(Page<Doc>, Epochs)> {
        let list = docs::list_with_epochs(&self.db, company_id, kind, query);
        self.db.run(list).await
    }
    async fn write_docs(&self, company_id: &str, writes: Vec<DocWrite>) -> StoreResult<Vec<Doc>> {
        let emits = writes.iter().any(|w| matches!(w, DocWrite::Emit(_)));
        let (stored, queued) = self
            .db
            .run(docs::write(&self.db, company_id, writes))
            .await?;
        if emits {
            self.signal_outbox(queued);
        }
        Ok(stored)
    }
    async fn next_number(&self, company_id: &str, counter: &str) -> StoreResult<i64> {
        self.db
            .run(docs::next_number(&self.db, company_id, counter))
            .await
    }

    async fn emit(&self, company_id: &str, events: Vec<OutboxEvent>) -> StoreResult<()> {
        self.db
            .run(webhooks::outbox::emit_all(&self.db, company_id, &events))
            .await?;
        self.signal_outbox(true);
        Ok(())
    }
    fn outbox_signal(&self) -> watch::Receiver<u64> {
        self.wakeups.outbox.subscribe()
    }
    fn deliveries_signal(&self) -> watch::Receiver<u64> {
        self.wakeups.deliveries.subscribe()
    }
    async fn create_webhook_endpoint(
        &self,
        company_id: &str,
        new: NewEndpoint,
    ) -> StoreResult<Endpoint> {
        self.db
            .run(webhooks::create(&self.db, company_id, new))
            .await
    }
    async fn list_webhook_endpoints(&self, company_id: &str) -> StoreResult<Vec<Endpoint>> {
        self.db.run(webhooks::list(&self.db, company_id)).await
    }
    async fn get_webhook_endpoint(&self, company_id: &str, id: &str) -> StoreResult<Endpoint> {
        self.db.run(webhooks::get(&self.db, company_id, id)).await
    }
    async fn update_webhook_endpoint(
        &self,
        company_id: &str,
        id: &str,
        patch: EndpointPatch,
    ) -> StoreResult<Endpoint> {
        let updated = self
            .db
            .run(webhooks::update(&self.db, company_id, id, patch))
            .await?;
        // Re-enabling makes paused deliveries due.
        self.signal_outbox(true);
        Ok(updated)
    }
    async fn delete_webhook_endpoint(&self, company_id: &str, id: &str) -> StoreResult<()> {
        self.db
            .run(webhooks::delete(&self.db, company_id, id))
            .await
    }
    async fn rotate_webhook_secret(
        &self,
        company_id: &str,
        id: &str,
        secret: &str,
        previous_expires_at: Option<i64>,
    ) -> StoreResult<Endpoint> {
        let rotate = webhooks::rotate(&self.db, company_id, id, secret, previous_expires_at);
        self.db.run(rotate).await
    }
    async fn list_webhook_messages(
        &self,
        company_id: &str,
        query: &MessageQuery,
    ) -> StoreResult<Page<Message>> {
        self.db
            .run(webhooks::outbox::list(&self.db, company_id, query))
            .await
    }
    async fn webhook_messages_after(
        &self,
        company_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let after = webhooks::outbox::after(&self.db, company_id, after_seq, limit);
        self.db.run(after).await
    }
    async fn last_webhook_message_seq(&self, company_id: &str) -> StoreResult<i64> {
        self.db
            .run(webhooks::outbox::last_seq(&self.db, company_id))
            .await
    }
    async fn resend_webhook_message(&self, company_id: &str, message_id: &str) -> StoreResult<u64> {
        let n = self
            .db
            .run(webhooks::outbox::resend(&self.db, company_id, message_id))
            .await?;
        self.signal_outbox(true);
        Ok(n)
    }
    async fn recover_webhook_endpoint(
        &self,
        company_id: &str,
        endpoint_id: &str,
        since: i64,
    ) -> StoreResult<u64> {
        let recover = webhooks::outbox::recover(&self.db, company_id, endpoint_id, since);
        let n = self.db.run(recover).await?;
        self.signal_outbox(true);
        Ok(n)
    }
    async fn emit_to_endpoint(
        &self,
        company_id: &str,
        endpoint_id: &str,
        event: OutboxEvent,
    ) -> StoreResult<()> {
        let emit = webhooks::outbox::emit_to(&self.db, company_id, endpoint_id, &event);
        self.db.run(emit).await?;
        self.signal_outbox(true);
        Ok(())
    }
    async fn list_webhook_attempts(
        &self,
        company_id: &str,
        endpoint_id: &str,
        list: &ListParams,
    ) -> StoreResult<Page<Attempt>> {
        let attempts = webhooks::delivery::attempts(&self.db, company_id, endpoint_id, list);
        self.db.run(attempts).await
    }
    async fn claim_deliveries(&self, request: &ClaimRequest) -> StoreResult<Vec<ClaimedDelivery>> {
        self.worker_db
            .run(webhooks::delivery::claim(
                &self.worker_db,
                &self.fanout_hints,
                request,
            ))
            .await
    }
    async fn complete_deliveries(
        &self,
        results: Vec<AttemptResult>,
        rules: CompletionRules,
    ) -> StoreResult<()> {
        self.worker_db
            .run(webhooks::delivery::complete(
                &self.worker_db,
                &results,
                rules,
            ))
            .await
    }
    async fn purge_webhook_history(&self, before: i64, limit: u32) -> StoreResult<u64> {
        self.db
            .run(webhooks::retention::purge(&self.db, before, limit))
            .await
    }
    async fn put_file(&self, company_id: &str, file: FileRecord) -> StoreResult<()> {
        self.db.run(files::put(&self.db, company_id, file)).await
    }
    async fn get_file(&self, company_id: &str, id: &str) -> StoreResult<FileRecord> {
        self.db.run(files::get(&self.db, company_id, id)).await
    }
}
