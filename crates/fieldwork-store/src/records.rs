//! Records that are not wire types: companies with their plan, users, API keys.

use fieldwork_types::{Company, ScheduleAvailability};

/// A subscription plan; only `max` opens the API and webhooks, as on HCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Basic,
    Essentials,
    Max,
}

impl Plan {
    /// The plan's name as stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Essentials => "essentials",
            Self::Max => "max",
        }
    }
}

impl std::str::FromStr for Plan {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "basic" => Ok(Self::Basic),
            "essentials" => Ok(Self::Essentials),
            "max" => Ok(Self::Max),
            other => Err(format!(
                "unknown plan {other:?} (expected basic, essentials or max)"
            )),
        }
    }
}

impl std::fmt::Display for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is needed to create a company.
#[derive(Debug, Clone)]
pub struct NewCompany {
    pub name: String,
    pub plan: Plan,
    /// IANA time zone.
    pub time_zone: String,
}

/// A company with its plan and settings.
#[derive(Debug, Clone)]
pub struct CompanyRecord {
    pub id: String,
    pub name: String,
    pub plan: Plan,
    /// `enabled` or `disabled`.
    pub application_state: String,
    pub created_at: i64,
    /// What `GET /company` returns.
    pub profile: Company,
    pub availability: ScheduleAvailability,
    /// The company's own request limits; unset ones follow the server's settings.
    pub limits: CompanyLimits,
}

/// A company's request limits; `None` means the server-wide default applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompanyLimits {
    /// Requests each API key may make per rate-limit window (60 s unless configured).
    pub per_minute: Option<u32>,
    /// Requests of the company that may be in progress at once.
    pub concurrency: Option<u32>,
}

/// A console user of a company.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: String,
    pub company_id: String,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub created_at: i64,
}

/// An API key as listed (never the key itself).
#[derive(Debug, Clone)]
pub struct ApiKeyRecord {
    pub id: String,
    pub company_id: String,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Who a request is, once its key checked out.
#[derive(Debug, Clone)]
pub struct KeyAuth {
    pub key_id: String,
    pub key_name: String,
    pub company_id: String,
    pub plan: Plan,
    /// Read with the key on every request, so a changed limit applies without a restart.
    pub limits: CompanyLimits,
}
