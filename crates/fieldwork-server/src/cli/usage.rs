//! `fieldwork usage`: a company's API usage per key and minute, as a table.

use anyhow::Context;
use fieldwork_store::time::{format_ts, now_micros};
use fieldwork_types::UsageTotals;

use crate::config::Config;
use crate::services::usage::{UsageRange, parse_instant, summarize};

/// Flags of `fieldwork usage`.
#[derive(Debug, clap::Args)]
pub struct UsageArgs {
    /// Company id, or `demo`.
    #[arg(long)]
    pub company: String,
    /// Start: RFC 3339, unix seconds, or an age such as 90m, 6h or 7d [default: 24h].
    #[arg(long)]
    pub since: Option<String>,
    /// End: RFC 3339, unix seconds, or an age [default: now].
    #[arg(long)]
    pub until: Option<String>,
    /// One line per key and minute instead of one per key.
    #[arg(long)]
    pub by_minute: bool,
}

/// Prints the table. Figures a running server gathered in the last `key_usage_flush_secs`
/// seconds are not written yet (`GET /usage` includes them).
pub async fn run(config: &Config, args: UsageArgs) -> anyhow::Result<()> {
    let store = super::admin::open(config).await?;
    let company_id = super::admin::company_id(store.as_ref(), &args.company).await?;
    let now = now_micros();
    let given = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<String>> {
        v.as_deref()
            .map(|raw| {
                instant(raw, now)
                    .map(|t| (t / 1_000_000).to_string())
                    .with_context(|| {
                        format!("--{flag} {raw:?}: give RFC 3339, unix seconds or an age like 6h")
                    })
            })
            .transpose()
    };
    let (since, until) = (given("since", &args.since)?, given("until", &args.until)?);
    let range = UsageRange::parse(since.as_deref(), until.as_deref(), now)
        .map_err(|e| anyhow::anyhow!("{}", e.body()["message"].as_str().unwrap_or("bad range")))?;
    let (from, to) = range.minutes();
    let usage = summarize(range, store.list_usage(&company_id, from, to).await?);

    let mut rows = vec![row(
        ["MINUTE", "KEY", "REQUESTS", "429", "4XX", "5XX"].map(str::to_owned)
    )];
    for key in &usage.keys {
        if args.by_minute {
            for m in &key.minutes {
                rows.push(line(&m.minute, &key.key_name, &m.totals));
            }
        } else {
            rows.push(line("", &key.key_name, &key.totals));
        }
    }
    rows.push(line("", "total", &usage.totals));
    if !args.by_minute {
        for r in &mut rows {
            r.remove(0);
        }
    }
    println!(
        "Usage of company {company_id} from {} to {}",
        format_ts(range.start),
        format_ts(range.end)
    );
    print!("{}", table(&rows));
    Ok(())
}

/// `90m`, `6h`, `7d` before `now`, or an absolute time.
fn instant(raw: &str, now: i64) -> Option<i64> {
    let unit = match raw.chars().last()? {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return parse_instant(raw),
    };
    let n: i64 = raw[..raw.len() - 1].parse().ok()?;
    Some(now - n.checked_mul(unit)?.checked_mul(1_000_000)?)
}

fn line(minute: &str, key: &str, t: &UsageTotals) -> Vec<String> {
    row([
        minute.to_owned(),
        key.to_owned(),
        t.requests.to_string(),
        t.rate_limited.to_string(),
        t.client_errors.to_string(),
        t.server_errors.to_string(),
    ])
}

fn row(cells: [String; 6]) -> Vec<String> {
    cells.into()
}

/// Left-aligned text columns, right-aligned numbers, two spaces apart.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let numeric = |c: usize| rows.iter().skip(1).all(|r| r[c].parse::<i64>().is_ok());
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if numeric(c) {
                    format!("{v:>w$}", w = widths[c])
                } else {
                    format!("{v:<w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_absolute_times() {
        let now = 10_000_000_000;
        assert_eq!(instant("90m", now), Some(now - 5_400_000_000));
        assert_eq!(instant("1d", now), Some(now - 86_400_000_000));
        assert_eq!(instant("1700000000", now), Some(1_700_000_000_000_000));
        assert_eq!(instant("soon", now), None);
    }

    #[test]
    fn tables_align_numbers_right() {
        let rows = vec![
            vec!["KEY".to_owned(), "REQUESTS".to_owned()],
            vec!["zapier".to_owned(), "7".to_owned()],
            vec!["total".to_owned(), "12".to_owned()],
        ];
        assert_eq!(
            table(&rows),
            "KEY     REQUESTS\nzapier         7\ntotal         12\n"
        );
    }
}
