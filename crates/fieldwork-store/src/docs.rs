//! Work documents: jobs, estimates, leads, invoices and calendar events.
//!
//! Each is stored as a JSON body plus the few indexed columns its lists filter and sort on.
//! The store knows nothing of their shape: the domain rules (totals, status transitions) live
//! in the server's services, which read a document, change it and write it back with the
//! version they read, so two concurrent changes cannot silently overwrite each other.

/// The kinds of work document; each has its own table with the same columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    Job,
    Estimate,
    Lead,
    Invoice,
    Event,
}

impl DocKind {
    /// Every kind, for migrations and tests.
    pub const ALL: [DocKind; 5] = [
        Self::Job,
        Self::Estimate,
        Self::Lead,
        Self::Invoice,
        Self::Event,
    ];

    /// The table holding this kind.
    pub fn table(self) -> &'static str {
        match self {
            Self::Job => "jobs",
            Self::Estimate => "estimates",
            Self::Lead => "leads",
            Self::Invoice => "invoices",
            Self::Event => "events",
        }
    }

    /// The name used in "… not found" messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Job => "job",
            Self::Estimate => "estimate",
            Self::Lead => "lead",
            Self::Invoice => "invoice",
            Self::Event => "event",
        }
    }

    /// The key of this kind's number sequence (`invoice_number`, `estimate_number`, …).
    pub fn counter(self) -> &'static str {
        self.table()
    }
}

/// The indexed columns of a document. Times are unix microseconds, amounts cents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocIndex {
    pub customer_id: Option<String>,
    /// `work_status` of jobs and estimates, `status` of leads and invoices.
    pub status: Option<String>,
    /// Scheduled start (jobs, estimates, events).
    pub starts_at: Option<i64>,
    /// Scheduled end (jobs, estimates, events).
    pub ends_at: Option<i64>,
    /// Due time (invoices).
    pub due_at: Option<i64>,
    /// Payment time (invoices).
    pub paid_at: Option<i64>,
    /// Amount due in cents (invoices).
    pub amount: Option<i64>,
    /// The document this one belongs to: an invoice's job, a converted lead's result, …
    pub parent_id: Option<String>,
    /// The company-wide number (`invoice_number`, `estimate_number`, lead `number`). `None` on
    /// insert asks the store for the next one of the kind's sequence; a given number must be
    /// unique within the company and kind (`Conflict` otherwise) and moves the sequence past it.
    pub number: Option<i64>,
    /// A text sort key (a job's description, an event's name).
    pub sort_text: Option<String>,
    /// Multi-valued filter keys, such as `emp:pro_…`, `tag:tag_…`, `source:Google`.
    pub keys: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub kind: DocKind,
    pub id: String,
    /// Starts at 1; every update adds one.
    pub version: i64,
    pub index: DocIndex,
    /// The JSON body, opaque to the store.
    pub body: String,
    /// More JSON that lists which do not render it can leave unread ([`DocQuery::without_detail`]):
    /// a job's lines, most of its bytes. `None` where the kind keeps everything in `body`, and
    /// in lists read without it. Opaque to the store.
    pub detail: Option<String>,
}

/// One change of an atomic [`DocWrite`] batch.
#[derive(Debug, Clone)]
pub enum DocWrite {
    /// A new document (its `version` is ignored and stored as 1).
    Insert(Doc),
    /// Replaces a document if it is still at `doc.version`; stores `doc.version + 1`.
    /// A document changed meanwhile fails the whole batch with `Conflict { constraint:
    /// "version" }`; a missing one with `NotFound`.
    Update(Doc),
    /// Removes a document.
    Delete { kind: DocKind, id: String },
    /// Records an event in the outbox with one delivery per matching enabled endpoint (see
    /// [`crate::events`]); returns nothing in the batch's result.
    Emit(crate::events::OutboxEvent),
}

/// The constraint name of a lost optimistic-concurrency race.
pub const VERSION_CONFLICT: &str = "version";

/// Range-filterable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeField {
    StartsAt,
    EndsAt,
    DueAt,
    PaidAt,
    Amount,
    CreatedAt,
}

impl RangeField {
    /// The column.
    pub fn column(self) -> &'static str {
        match self {
            Self::StartsAt => "starts_at",
            Self::EndsAt => "ends_at",
            Self::DueAt => "due_at",
            Self::PaidAt => "paid_at",
            Self::Amount => "amount",
            Self::CreatedAt => "created_at",
        }
    }
}

/// An inclusive range on a column; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub field: RangeField,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// Which documents a list returns. Empty vectors mean "no filter"; all filters must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocFilter {
    /// Any of these customers.
    pub customer_ids: Vec<String>,
    /// Any of these statuses.
    pub statuses: Vec<String>,
    pub parent_id: Option<String>,
    pub ranges: Vec<Range>,
    /// Each group must match: the document has at least one key of every group.
    pub key_groups: Vec<Vec<String>>,
}

/// Sort orders of document lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocSort {
    #[default]
    CreatedAt,
    UpdatedAt,
    Id,
    Number,
    SortText,
    Status,
    StartsAt,
    DueAt,
    PaidAt,
    Amount,
}

impl DocSort {
    /// The column.
    pub fn column(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
            Self::Id => "id",
            Self::Number => "number",
            Self::SortText => "sort_text",
            Self::Status => "status",
            Self::StartsAt => "starts_at",
            Self::DueAt => "due_at",
            Self::PaidAt => "paid_at",
            Self::Amount => "amount",
        }
    }
}

/// A document list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocQuery {
    pub filter: DocFilter,
    pub sort: DocSort,
    pub descending: bool,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
    /// Leave [`Doc::detail`] unread (`None` in the page).
    pub without_detail: bool,
}

impl Default for DocQuery {
    fn default() -> Self {
        Self {
            filter: DocFilter::default(),
            sort: DocSort::default(),
            descending: true,
            page: 1,
            page_size: 10,
            without_detail: false,
        }
    }
}

impl DocQuery {
    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.page_size)
    }
}

/// Microseconds in a start day (UTC): the divisor of the stores' per-day job index.
pub const START_DAY: i64 = 86_400_000_000;
/// Longest span of days a job list reads day by day.
const MAX_SPAN_DAYS: i64 = 62;
/// Deepest page end a job list reads day by day.
const MAX_SPAN_PAGE_END: i64 = 1_000;

impl DocQuery {
    /// The scheduled-start span (`min`, `max`) when this is a job list filtered on that span
    /// alone and sorted by creation: the stores read such a list day by day, each day already
    /// in page order on a (company, start day, created_at, seq) index, and merge the days
    /// (sorting a week's ~9,600 matches at 1,000,000 jobs was most of the request). Long spans
    /// and deep pages take the general plan.
    pub fn start_span(&self, kind: DocKind) -> Option<(i64, i64)> {
        let DocFilter {
            customer_ids,
            statuses,
            parent_id,
            ranges,
            key_groups,
        } = &self.filter;
        let only_span = customer_ids.is_empty()
            && statuses.is_empty()
            && parent_id.is_none()
            && key_groups.is_empty();
        let [
            Range {
                field: RangeField::StartsAt,
                min: Some(min),
                max: Some(max),
            },
        ] = ranges.as_slice()
        else {
            return None;
        };
        // Day 0 holds two days (division truncates toward zero), so spans start after it.
        let fits = *min >= START_DAY
            && min <= max
            && max / START_DAY - min / START_DAY < MAX_SPAN_DAYS
            && self.offset() + i64::from(self.page_size) <= MAX_SPAN_PAGE_END;
        (kind == DocKind::Job && only_span && fits && self.sort == DocSort::CreatedAt)
            .then_some((*min, *max))
    }
}

/// How the stores count the jobs starting in a span `DocQuery::start_span` accepted: whole
/// days from their per-day counts, plus or minus parts of the edge days counted on the
/// `starts_at` index — the smaller side of each edge day (what is in, or what is out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartSpanCount {
    /// First and last day (`starts_at / START_DAY`) whose counts are summed; none if first >
    /// last.
    pub days: (i64, i64),
    /// `(sign, from, to)`: jobs starting in `[from, to]`, added (`1`) or taken away (`-1`).
    pub spans: Vec<(i64, i64, i64)>,
}

impl StartSpanCount {
    /// The plan for `[min, max]`.
    pub fn new(min: i64, max: i64) -> Self {
        let (first, last) = (min / START_DAY, max / START_DAY);
        let mut plan = Self {
            days: (first + 1, last - 1),
            spans: Vec::new(),
        };
        let edges = if first == last {
            vec![first]
        } else {
            vec![first, last]
        };
        for day in edges {
            let (start, end) = (day * START_DAY, day * START_DAY + START_DAY - 1);
            let (from, to) = (min.max(start), max.min(end));
            if to - from < START_DAY / 2 {
                plan.spans.push((1, from, to));
                continue;
            }
            plan.days = (plan.days.0.min(day), plan.days.1.max(day));
            for (a, b) in [(start, from - 1), (to + 1, end)] {
                if a <= b {
                    plan.spans.push((-1, a, b));
                }
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = START_DAY;

    #[test]
    fn start_span_counts_whole_days_and_the_smaller_side_of_each_edge() {
        // A week of whole days: seven days' counts, nothing on the index.
        let week = StartSpanCount::new(10 * D, 17 * D - 1);
        assert_eq!(
            week,
            StartSpanCount {
                days: (10, 16),
                spans: vec![]
            }
        );
        // Mostly whole edges: their counts less what lies outside the span.
        let wide = StartSpanCount::new(10 * D + 5, 12 * D + 7);
        assert_eq!(wide.days, (10, 11));
        assert_eq!(
            wide.spans,
            [(-1, 10 * D, 10 * D + 4), (1, 12 * D, 12 * D + 7)]
        );
        // A short span inside one day: counted on the index alone.
        let short = StartSpanCount::new(10 * D + 5, 10 * D + 9);
        assert!(short.days.0 > short.days.1);
        assert_eq!(short.spans, [(1, 10 * D + 5, 10 * D + 9)]);
    }
}
