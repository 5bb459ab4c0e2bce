//! The storage trait of Fieldwork: one implementation per database, every call scoped by company.

pub mod docs;
pub mod error;
pub mod events;
pub mod files;
pub mod ids;
pub mod query;
pub mod rate;
pub mod records;
pub mod reference;
pub mod request;
pub mod rules;
pub mod time;
pub mod usage;
pub mod webhooks;

use async_trait::async_trait;
use fieldwork_types::{
    Address, AddressIn, Company, Customer, CustomerIn, CustomerPatch, Employee, EmployeeIn,
    JobType, LeadSource, ScheduleAvailability, Tag, Vendor, VendorIn, VendorPatch,
};
use webhooks::{
    Attempt, AttemptResult, ClaimRequest, ClaimedDelivery, CompletionRules, Endpoint,
    EndpointPatch, Message, MessageQuery, NewEndpoint,
};

pub use docs::{Doc, DocKind, DocQuery, DocWrite};
pub use error::{StoreError, StoreResult};
pub use events::OutboxEvent;
pub use files::FileRecord;
pub use query::{ListParams, Page, Sort, SortDirection, SortField};
pub use rate::{SharedRateWindows, WindowCount, WindowRule};
pub use records::{
    ApiKeyRecord, CompanyLimits, CompanyRecord, KeyAuth, NewCompany, Plan, UserRecord,
};
pub use usage::{UsageCounts, UsageDelta, UsageMinute};

/// Everything Fieldwork persists. Every method that touches company data takes the company id.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Short name of the backend (`sqlite`, `postgres`) for logs and `--help`.
    fn backend(&self) -> &'static str;

    /// The request windows shared by every server on this database, if the backend can be
    /// shared by several servers (see [`rate`]); `None` by default.
    fn shared_rate_windows(&self) -> Option<std::sync::Arc<dyn SharedRateWindows>> {
        None
    }

    // Reference data (see `reference`) --------------------------------------------------------
    /// The company's epochs (see [`reference::Epochs`]), read in one go. 0 before any change.
    async fn epochs(&self, company_id: &str) -> StoreResult<reference::Epochs>;
    /// This store's cache of reference data, used by [`reference::load`].
    fn reference_cache(&self) -> &reference::ReferenceCache;

    // Companies -----------------------------------------------------------------------------
    /// Creates a company with default settings and schedule availability.
    async fn create_company(&self, new: NewCompany) -> StoreResult<CompanyRecord>;
    /// One company, or `NotFound`.
    async fn get_company(&self, company_id: &str) -> StoreResult<CompanyRecord>;
    /// The first company with exactly this name, if any.
    async fn find_company_by_name(&self, name: &str) -> StoreResult<Option<CompanyRecord>>;
    /// All companies, oldest first.
    async fn list_companies(&self) -> StoreResult<Vec<CompanyRecord>>;
    /// Moves a company to another plan.
    async fn set_company_plan(&self, company_id: &str, plan: Plan) -> StoreResult<CompanyRecord>;
    /// Replaces the company's own request limits (`None` fields follow the server's settings).
    async fn set_company_limits(
        &self,
        company_id: &str,
        limits: CompanyLimits,
    ) -> StoreResult<CompanyRecord>;
    /// Replaces the company's public profile (`GET /company`).
    async fn set_company_profile(&self, company_id: &str, profile: Company) -> StoreResult<()>;
    /// Sets the API application state (`enabled`, `disabled`).
    async fn set_application_state(
        &self,
        company_id: &str,
        state: &str,
    ) -> StoreResult<CompanyRecord>;
    /// Replaces the weekly schedule availability.
    async fn set_schedule_availability(
        &self,
        company_id: &str,
        availability: ScheduleAvailability,
    ) -> StoreResult<ScheduleAvailability>;

    // Users and API keys --------------------------------------------------------------------
    /// Creates a console user of a company.
    async fn create_user(
        &self,
        company_id: &str,
        email: &str,
        name: &str,
        is_admin: bool,
    ) -> StoreResult<UserRecord>;
    /// The users of a company.
    async fn list_users(&self, company_id: &str) -> StoreResult<Vec<UserRecord>>;
    /// Stores a new key; only its SHA-256 hash and a display prefix are kept.
    async fn create_api_key(
        &self,
        company_id: &str,
        name: &str,
        key_hash: &str,
        key_prefix: &str,
    ) -> StoreResult<ApiKeyRecord>;
    /// The keys of a company, oldest first.
    async fn list_api_keys(&self, company_id: &str) -> StoreResult<Vec<ApiKeyRecord>>;
    /// Revokes a key by id (idempotent).
    async fn revoke_api_key(&self, key_id: &str) -> StoreResult<ApiKeyRecord>;
    /// Looks up an active key by hash, with its company's plan.
    async fn authenticate(&self, key_hash: &str) -> StoreResult<Option<KeyAuth>>;
    /// Leaves the database compact for the next start, before the process exits (SQLite:
    /// copies the WAL into the database file and truncates it; PostgreSQL: nothing). The store
    /// stays usable.
    async fn tidy(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Records last-used times gathered in memory: `(key id, unix micros)`.
    async fn record_key_usage(&self, uses: Vec<(String, i64)>) -> StoreResult<()>;

    // Usage figures -------------------------------------------------------------------------
    /// Adds counts gathered in memory to the stored per-key minutes (creating missing ones), in
    /// one transaction; with `prune_before`, first deletes minutes older than it (unix micros).
    async fn add_usage(
        &self,
        deltas: Vec<UsageDelta>,
        prune_before: Option<i64>,
    ) -> StoreResult<()>;
    /// A company's stored minutes in `[from, to)` (unix micros), by minute then key name.
    async fn list_usage(
        &self,
        company_id: &str,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<UsageMinute>>;

    // Employees -----------------------------------------------------------------------------
    /// Creates an employee (HCP has no API for it; the CLI and demo use this). `emit` names
    /// the events (`employee.created`) recorded with it in its transaction; see
    /// [`events::employee_events`].
    async fn create_employee(
        &self,
        company_id: &str,
        new: EmployeeIn,
        emit: &[&str],
    ) -> StoreResult<Employee>;
    /// Active employees, paged.
    async fn list_employees(
        &self,
        company_id: &str,
        list: &ListParams,
    ) -> StoreResult<Page<Employee>>;

    // Customers -----------------------------------------------------------------------------
    /// Creates a customer with its addresses; the input is already validated. `emit` names
    /// the events (`customer.created`) recorded with it in its transaction; see
    /// [`events::customer_events`].
    async fn create_customer(
        &self,
        company_id: &str,
        new: CustomerIn,
        emit: &[&str],
    ) -> StoreResult<Customer>;
    /// One customer with its addresses.
    async fn get_customer(&self, company_id: &str, customer_id: &str) -> StoreResult<Customer>;
    /// The customer's JSON as `GET /customers/{id}` answers it without `expand[]`
    /// ([`rules::customer_json`]); a store that keeps it rendered answers without rendering.
    async fn get_customer_json(&self, company_id: &str, customer_id: &str) -> StoreResult<String> {
        let customer = self.get_customer(company_id, customer_id).await?;
        Ok(rules::customer_json(&customer))
    }
    /// The JSON ([`Store::get_customer_json`]'s) of the customers with these ids that exist in
    /// the company, in no particular order: one round trip for a page of jobs, whose customers
    /// are embedded from it without being parsed whole.
    async fn get_customers_json(
        &self,
        company_id: &str,
        ids: &[String],
    ) -> StoreResult<Vec<String>>;
    /// Applies a validated partial update; `emit` as for [`Store::create_customer`].
    async fn update_customer(
        &self,
        company_id: &str,
        customer_id: &str,
        patch: CustomerPatch,
        emit: &[&str],
    ) -> StoreResult<Customer>;
    /// Customers matching `q` (names, email, phones, address text), paged and sorted.
    async fn list_customers(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<Customer>>;
    /// [`Store::list_customers`] with each customer as [`Store::get_customer_json`] gives it.
    async fn list_customers_json(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<String>> {
        let page = self.list_customers(company_id, q, list).await?;
        Ok(Page {
            items: page.items.iter().map(rules::customer_json).collect(),
            total: page.total,
        })
    }
    /// A customer's addresses, paged.
    async fn list_addresses(
        &self,
        company_id: &str,
        customer_id: &str,
        list: &ListParams,
    ) -> StoreResult<Page<Address>>;
    /// Adds a validated address to a customer. `emit` names the events
    /// (`customer.updated`) recorded in its transaction, carrying the whole customer.
    async fn create_address(
        &self,
        company_id: &str,
        customer_id: &str,
        new: AddressIn,
        emit: &[&str],
    ) -> StoreResult<Address>;
    /// One address of a customer.
    async fn get_address(
        &self,
        company_id: &str,
        customer_id: &str,
        address_id: &str,
    ) -> StoreResult<Address>;

    // Tags, lead sources, job types ---------------------------------------------------------
    /// Tags, paged.
    async fn list_tags(&self, company_id: &str, list: &ListParams) -> StoreResult<Page<Tag>>;
    /// One tag; `NotFound("tag")` when the company has none with this id.
    async fn get_tag(&self, company_id: &str, tag_id: &str) -> StoreResult<Tag>;
    /// Creates a tag; `Conflict` when the name exists.
    async fn create_tag(&self, company_id: &str, name: &str) -> StoreResult<Tag>;
    /// Renames a tag.
    async fn update_tag(&self, company_id: &str, tag_id: &str, name: &str) -> StoreResult<Tag>;
    /// Lead sources whose name contains `q`, paged.
    async fn list_lead_sources(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<LeadSource>>;
    /// Creates an editable lead source.
    async fn create_lead_source(&self, company_id: &str, name: &str) -> StoreResult<LeadSource>;
    /// One lead source.
    async fn get_lead_source(&self, company_id: &str, id: &str) -> StoreResult<LeadSource>;
    /// Renames a lead source (the caller checks `editable`).
    async fn update_lead_source(
        &self,
        company_id: &str,
        id: &str,
        name: &str,
    ) -> StoreResult<LeadSource>;
    /// Creates a built-in, non-editable lead source (demo and new companies).
    async fn create_builtin_lead_source(
        &self,
        company_id: &str,
        name: &str,
    ) -> StoreResult<LeadSource>;
    /// Job types whose name contains `name`, paged.
    async fn list_job_types(
        &self,
        company_id: &str,
        name: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<JobType>>;
    /// Creates a job type.
    async fn create_job_type(&self, company_id: &str, name: &str) -> StoreResult<JobType>;
    /// Renames a job type.
    async fn update_job_type(&self, company_id: &str, id: &str, name: &str)
    -> StoreResult<JobType>;

    // Vendors -------------------------------------------------------------------------------
    /// Vendors whose name, contact or email contains `q`, paged.
    async fn list_vendors(
        &self,
        company_id: &str,
        q: Option<&str>,
        list: &ListParams,
    ) -> StoreResult<Page<Vendor>>;
    /// Creates a validated vendor.
    async fn create_vendor(&self, company_id: &str, new: VendorIn) -> StoreResult<Vendor>;
    /// One vendor.
    async fn get_vendor(&self, company_id: &str, vendor_id: &str) -> StoreResult<Vendor>;
    /// Applies a validated partial update.
    async fn update_vendor(
        &self,
        company_id: &str,
        vendor_id: &str,
        patch: VendorPatch,
    ) -> StoreResult<Vendor>;
    /// Deletes a vendor.
    async fn delete_vendor(&self, company_id: &str, vendor_id: &str) -> StoreResult<()>;

    // Work documents (jobs, estimates, leads, invoices, events) -----------------------------
    /// One document, or `NotFound(kind.label())`.
    async fn get_doc(&self, company_id: &str, kind: DocKind, id: &str) -> StoreResult<Doc>;
    /// [`Store::get_doc`] and the company's epochs, read with it (one round trip on
    /// PostgreSQL): rendering the document then needs no read of its own for them.
    async fn get_doc_with_epochs(
        &self,
        company_id: &str,
        kind: DocKind,
        id: &str,
    ) -> StoreResult<(Doc, reference::Epochs)> {
        let epochs = self.epochs(company_id).await?;
        Ok((self.get_doc(company_id, kind, id).await?, epochs))
    }
    /// The documents with these ids that exist, in no particular order.
    async fn get_docs(
        &self,
        company_id: &str,
        kind: DocKind,
        ids: &[String],
    ) -> StoreResult<Vec<Doc>>;
    /// Documents matching a filter, paged and sorted (ties in insertion order).
    async fn list_docs(
        &self,
        company_id: &str,
        kind: DocKind,
        query: &DocQuery,
    ) -> StoreResult<Page<Doc>>;
    /// [`Store::list_docs`] and the company's epochs, read before the page (PostgreSQL reads
    /// them in the page's round trip): a list can then take the reference data it cached,
    /// confirmed by these epochs, instead of reading the epochs first.
    async fn list_docs_with_epochs(
        &self,
        company_id: &str,
        kind: DocKind,
        query: &DocQuery,
    ) -> StoreResult<(Page<Doc>, reference::Epochs)> {
        let epochs = self.epochs(company_id).await?;
        Ok((self.list_docs(company_id, kind, query).await?, epochs))
    }
    /// Applies the writes atomically: all or none. Returns the stored form (version, number)
    /// of every inserted or updated document, in order.
    async fn write_docs(&self, company_id: &str, writes: Vec<DocWrite>) -> StoreResult<Vec<Doc>>;

    /// The next number of a company's sequence (`jobs` for invoice numbers, …), for callers
    /// that must know a number before their batch commits. A batch that then fails leaves a gap.
    async fn next_number(&self, company_id: &str, counter: &str) -> StoreResult<i64>;

    // Webhooks ------------------------------------------------------------------------------
    /// Records events outside a document batch, atomically (see [`events`]).
    async fn emit(&self, company_id: &str, events: Vec<OutboxEvent>) -> StoreResult<()>;
    /// A receiver whose value changes after every commit that recorded events or deliveries,
    /// so the worker and live streams wake at once (they poll as well).
    fn outbox_signal(&self) -> tokio::sync::watch::Receiver<u64>;
    /// A receiver whose value changes after every commit that queued deliveries (the
    /// webhook worker's wake-up; most events of a company without endpoints queue none). By
    /// default [`Store::outbox_signal`]'s: waking for nothing costs a look, never a delivery.
    fn deliveries_signal(&self) -> tokio::sync::watch::Receiver<u64> {
        self.outbox_signal()
    }
    /// Creates an endpoint; a second primary endpoint is `Conflict { constraint: "primary" }`.
    async fn create_webhook_endpoint(
        &self,
        company_id: &str,
        new: NewEndpoint,
    ) -> StoreResult<Endpoint>;
    /// The company's endpoints, oldest first.
    async fn list_webhook_endpoints(&self, company_id: &str) -> StoreResult<Vec<Endpoint>>;
    /// One endpoint, or `NotFound("webhook endpoint")`.
    async fn get_webhook_endpoint(&self, company_id: &str, id: &str) -> StoreResult<Endpoint>;
    /// Applies a validated partial update.
    async fn update_webhook_endpoint(
        &self,
        company_id: &str,
        id: &str,
        patch: EndpointPatch,
    ) -> StoreResult<Endpoint>;
    /// Deletes an endpoint with its deliveries and attempts.
    async fn delete_webhook_endpoint(&self, company_id: &str, id: &str) -> StoreResult<()>;
    /// Replaces the secret; the old one keeps signing until `previous_expires_at` (if any).
    async fn rotate_webhook_secret(
        &self,
        company_id: &str,
        id: &str,
        secret: &str,
        previous_expires_at: Option<i64>,
    ) -> StoreResult<Endpoint>;
    /// The message log, newest first.
    async fn list_webhook_messages(
        &self,
        company_id: &str,
        query: &MessageQuery,
    ) -> StoreResult<Page<Message>>;
    /// Messages recorded after `after_seq`, oldest first (live streams).
    async fn webhook_messages_after(
        &self,
        company_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// The `seq` of the company's newest message (0 when none).
    async fn last_webhook_message_seq(&self, company_id: &str) -> StoreResult<i64>;
    /// Makes a message due again now for every enabled endpoint whose filter matches (new
    /// deliveries, or old ones reset); returns how many deliveries were queued.
    async fn resend_webhook_message(&self, company_id: &str, message_id: &str) -> StoreResult<u64>;
    /// Makes every delivery of the endpoint created since `since` that has failed at least
    /// once and not succeeded due again now; returns how many.
    async fn recover_webhook_endpoint(
        &self,
        company_id: &str,
        endpoint_id: &str,
        since: i64,
    ) -> StoreResult<u64>;
    /// Records an event delivered to one endpoint only (the test ping).
    async fn emit_to_endpoint(
        &self,
        company_id: &str,
        endpoint_id: &str,
        event: OutboxEvent,
    ) -> StoreResult<()>;
    /// An endpoint's attempts, newest first.
    async fn list_webhook_attempts(
        &self,
        company_id: &str,
        endpoint_id: &str,
        list: &ListParams,
    ) -> StoreResult<Page<Attempt>>;
    /// Claims due deliveries of enabled endpoints of companies on the `max` plan for
    /// `request.lease_micros`, at most `per_endpoint` (or the endpoint's `available` slots) per
    /// endpoint. Concurrent claimers never receive the same delivery while its lease lasts.
    async fn claim_deliveries(&self, request: &ClaimRequest) -> StoreResult<Vec<ClaimedDelivery>>;
    /// Records attempts and their outcomes: delivery states, the attempt log, and endpoint
    /// health (a success ends a failure run; `Gone` or a run longer than the rules allow
    /// disables the endpoint with a reason).
    async fn complete_deliveries(
        &self,
        results: Vec<AttemptResult>,
        rules: CompletionRules,
    ) -> StoreResult<()>;
    /// Deletes up to `limit` webhook messages created before `before` (unix microseconds) that
    /// have no pending delivery, with their deliveries and attempts; returns how many messages
    /// were deleted (fewer than `limit`: nothing more is due).
    async fn purge_webhook_history(&self, before: i64, limit: u32) -> StoreResult<u64>;
    // Files ---------------------------------------------------------------------------------
    /// Stores an uploaded file under its id (`Conflict` if the id exists).
    async fn put_file(&self, company_id: &str, file: FileRecord) -> StoreResult<()>;
    /// One file, or `NotFound("attachment")`.
    async fn get_file(&self, company_id: &str, id: &str) -> StoreResult<FileRecord>;
}
