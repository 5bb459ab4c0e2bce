//! Admin commands that work on the database directly: companies, keys, employees.

use anyhow::Context;
use clap::Subcommand;
use fieldwork_store::time::format_ts;
use fieldwork_store::{NewCompany, Plan, Store};
use fieldwork_types::{EmployeeIn, Permissions};

use crate::config::Config;
use crate::demo::DEMO_COMPANY_NAME;

#[derive(Debug, Subcommand)]
pub enum CompaniesCommand {
    /// Create a company; prints its id as the last word.
    Create {
        #[arg(long)]
        name: String,
        /// basic, essentials or max (the API needs max).
        #[arg(long, default_value = "max")]
        plan: Plan,
        /// IANA time zone of the business.
        #[arg(long, default_value = "America/Los_Angeles")]
        time_zone: String,
    },
    /// List companies: id, plan, name.
    List,
    /// Move a company to another plan.
    SetPlan { id: String, plan: Plan },
    /// Set a company's own request limits (they apply at once, without a restart).
    #[command(arg_required_else_help = true)]
    SetLimit {
        id: String,
        /// Requests per API key in any rolling minute, or `default` for the server's
        /// rate_limit_per_minute.
        #[arg(long, value_name = "N|default")]
        per_minute: Option<LimitArg>,
        /// Requests of the company in progress at once, or `default` for the server's
        /// max_concurrent_requests_per_company.
        #[arg(long, value_name = "N|default")]
        concurrency: Option<LimitArg>,
    },
}

/// A limit on the command line: a positive number, or `default` (the server's setting).
#[derive(Debug, Clone, Copy)]
pub struct LimitArg(Option<u32>);

impl std::str::FromStr for LimitArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "default" {
            return Ok(Self(None));
        }
        match s.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Self(Some(n))),
            _ => Err(format!(
                "{s:?} is not a whole number of at least 1 or \"default\""
            )),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an API key; prints only the key (it cannot be shown again).
    Create {
        /// Company id, or `demo`.
        #[arg(long)]
        company: String,
        #[arg(long)]
        name: String,
    },
    /// List keys: id, name, created, last used, state (tab-separated).
    List {
        /// Company id, or `demo`.
        #[arg(long)]
        company: String,
    },
    /// Revoke a key by id; it stops working at once.
    Revoke { key_id: String },
}

#[derive(Debug, Subcommand)]
pub enum EmployeesCommand {
    /// Create an employee; prints its id as the last word.
    Create {
        /// Company id, or `demo`.
        #[arg(long)]
        company: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        mobile_number: Option<String>,
        /// e.g. "field tech", "dispatcher", "office manager".
        #[arg(long, default_value = "field tech")]
        role: String,
        /// Six hex digits, without '#'.
        #[arg(long)]
        color_hex: Option<String>,
        /// Grant every permission (an office admin).
        #[arg(long)]
        admin: bool,
    },
}

pub(super) async fn open(config: &Config) -> anyhow::Result<crate::DynStore> {
    crate::store::open(config, true).await
}

/// Resolves `demo` to the demo company's id; anything else must be an existing company id.
pub(super) async fn company_id(store: &dyn Store, given: &str) -> anyhow::Result<String> {
    if given == "demo" {
        let company = store
            .find_company_by_name(DEMO_COMPANY_NAME)
            .await?
            .context("there is no demo company yet: run `fieldwork serve --demo` once")?;
        return Ok(company.id);
    }
    Ok(store
        .get_company(given)
        .await
        .with_context(|| format!("company {given}"))?
        .id)
}

pub async fn companies(config: &Config, cmd: CompaniesCommand) -> anyhow::Result<()> {
    let store = open(config).await?;
    match cmd {
        CompaniesCommand::Create {
            name,
            plan,
            time_zone,
        } => {
            anyhow::ensure!(!name.trim().is_empty(), "--name must not be blank");
            time_zone
                .parse::<chrono_tz::Tz>()
                .map_err(|_| anyhow::anyhow!("unknown time zone {time_zone:?}"))?;
            let c = store
                .create_company(NewCompany {
                    name: name.trim().to_owned(),
                    plan,
                    time_zone,
                })
                .await?;
            println!("Created company {:?} on plan {}: {}", c.name, c.plan, c.id);
        }
        CompaniesCommand::List => {
            for c in store.list_companies().await? {
                println!("{}\t{}\t{}", c.id, c.plan, c.name);
            }
        }
        CompaniesCommand::SetPlan { id, plan } => {
            let c = store
                .set_company_plan(&id, plan)
                .await
                .with_context(|| format!("company {id}"))?;
            println!("Company {} is now on plan {}", c.id, c.plan);
        }
        CompaniesCommand::SetLimit {
            id,
            per_minute,
            concurrency,
        } => {
            anyhow::ensure!(
                per_minute.is_some() || concurrency.is_some(),
                "give --per-minute and/or --concurrency"
            );
            let mut limits = store
                .get_company(&id)
                .await
                .with_context(|| format!("company {id}"))?
                .limits;
            if let Some(LimitArg(n)) = per_minute {
                limits.per_minute = n;
            }
            if let Some(LimitArg(n)) = concurrency {
                limits.concurrency = n;
            }
            let c = store
                .set_company_limits(&id, limits)
                .await
                .with_context(|| format!("company {id}"))?;
            let shown = |n: Option<u32>, setting: &str| match n {
                Some(n) => n.to_string(),
                None => format!("the server's {setting}"),
            };
            println!(
                "Company {}: {} requests per API key per minute, {} requests in progress at once",
                c.id,
                shown(c.limits.per_minute, "rate_limit_per_minute"),
                shown(c.limits.concurrency, "max_concurrent_requests_per_company"),
            );
        }
    }
    Ok(())
}

pub async fn keys(config: &Config, cmd: KeysCommand) -> anyhow::Result<()> {
    let store = open(config).await?;
    match cmd {
        KeysCommand::Create { company, name } => {
            let company_id = company_id(store.as_ref(), &company).await?;
            anyhow::ensure!(!name.trim().is_empty(), "--name must not be blank");
            let key = crate::keys::generate_key();
            store
                .create_api_key(
                    &company_id,
                    name.trim(),
                    &crate::keys::hash_key(&key),
                    &crate::keys::key_prefix(&key),
                )
                .await?;
            println!("{key}");
        }
        KeysCommand::List { company } => {
            let company_id = company_id(store.as_ref(), &company).await?;
            for k in store.list_api_keys(&company_id).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    k.id,
                    k.name,
                    format_ts(k.created_at),
                    k.last_used_at
                        .map(format_ts)
                        .unwrap_or_else(|| "never".into()),
                    if k.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
        }
        KeysCommand::Revoke { key_id } => {
            let k = store
                .revoke_api_key(&key_id)
                .await
                .with_context(|| format!("key {key_id}"))?;
            println!("Revoked key {} ({})", k.id, k.name);
        }
    }
    Ok(())
}

pub async fn employees(config: &Config, cmd: EmployeesCommand) -> anyhow::Result<()> {
    let store = open(config).await?;
    match cmd {
        EmployeesCommand::Create {
            company,
            first_name,
            last_name,
            email,
            mobile_number,
            role,
            color_hex,
            admin,
        } => {
            let company_id = company_id(store.as_ref(), &company).await?;
            if let Some(c) = &color_hex {
                anyhow::ensure!(
                    c.len() == 6 && c.chars().all(|ch| ch.is_ascii_hexdigit()),
                    "--color-hex must be six hex digits, without '#'"
                );
            }
            let e = store
                .create_employee(
                    &company_id,
                    EmployeeIn {
                        first_name: Some(first_name),
                        last_name: Some(last_name),
                        email,
                        mobile_number,
                        color_hex,
                        role: Some(role),
                        tags: Vec::new(),
                        permissions: if admin {
                            Permissions::admin()
                        } else {
                            Permissions::field_tech()
                        },
                    },
                    &["employee.created"],
                )
                .await?;
            println!(
                "Created employee {} {}: {}",
                e.first_name.unwrap_or_default(),
                e.last_name.unwrap_or_default(),
                e.id
            );
        }
    }
    Ok(())
}
