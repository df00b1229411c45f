//! `chatfn logs`: invocations with their log lines, from the invocation log;
//! `--follow` goes on with the live tail (`GET /v1/invocations/stream`),
//! reconnecting with `Last-Event-ID` when the connection breaks.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;

use super::client::ApiClient;
use super::functions::{all_functions, find_function, print_invocation};
use super::output;
use super::profile::Remote;
use super::{Failure, block_on};

const STATUSES: [&str; 5] = ["QUEUED", "RUNNING", "RETRYING", "SUCCEEDED", "FAILED"];

#[derive(clap::Args, Debug)]
pub(crate) struct LogsArgs {
    /// Only this function's invocations (its id or name).
    function: Option<String>,
    /// Only invocations in this state (SUCCEEDED, FAILED, …).
    #[arg(long, value_name = "STATUS")]
    status: Option<String>,
    /// Only invocations from this long ago on: `30s`, `15m`, `1h`, `2d`.
    #[arg(long, value_name = "AGE")]
    since: Option<String>,
    /// The most invocations shown before following.
    #[arg(long, value_name = "N", default_value_t = 50)]
    limit: usize,
    /// Keep printing invocations as they end (until interrupted).
    #[arg(long, short = 'f')]
    follow: bool,
    /// One JSON object (the invocation record) per line.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    remote: Remote,
}

/// `30s`, `15m`, `1h`, `2d` as a duration.
fn age(text: &str) -> Result<Duration, Failure> {
    let bad = || Failure::Usage(format!("{text:?} is not an age like 30s, 15m, 1h or 2d"));
    let unit = text.chars().last().ok_or_else(bad)?;
    let count: u64 = text[..text.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| bad())?;
    let seconds = match unit {
        's' => count,
        'm' => count.saturating_mul(60),
        'h' => count.saturating_mul(3600),
        'd' => count.saturating_mul(86_400),
        _ => return Err(bad()),
    };
    Ok(Duration::from_secs(seconds))
}

fn iso_ago(age: Duration) -> String {
    let now = crate::time::now_ms();
    crate::time::iso(now.saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX)))
}

pub(crate) fn run(args: &LogsArgs) -> Result<ExitCode, Failure> {
    let status = args
        .status
        .as_deref()
        .map(|s| {
            let upper = s.to_ascii_uppercase();
            STATUSES
                .contains(&upper.as_str())
                .then_some(upper)
                .ok_or_else(|| {
                    Failure::Usage(format!("--status must be one of {}", STATUSES.join(", ")))
                })
        })
        .transpose()?;
    let since = args.since.as_deref().map(age).transpose()?;
    let client = args.remote.client()?;
    block_on(async {
        let function = match &args.function {
            Some(wanted) => Some(find_function(&client, wanted).await?),
            None => None,
        };
        let names: HashMap<i64, String> = all_functions(&client)
            .await?
            .into_iter()
            .filter_map(|f| Some((f["id"].as_i64()?, f["name"].as_str()?.to_owned())))
            .collect();
        let mut filters = Vec::new();
        if let Some(f) = &function {
            filters.push(format!("functionId={}", f["id"]));
        }
        if let Some(s) = &status {
            filters.push(format!("status={s}"));
        }
        let printer = Printer {
            names,
            json: args.json,
            colour: output::colour(),
        };
        let mut query = filters.clone();
        if let Some(age) = since {
            query.push(format!("from={}", iso_ago(age)));
        }
        // Newest first from the API, a page at a time; printed oldest first.
        let mut records = Vec::new();
        let mut after: Option<i64> = None;
        while records.len() < args.limit {
            let size = (args.limit - records.len()).min(100);
            let mut page_query = query.clone();
            page_query.push(format!("size={size}"));
            if let Some(id) = after {
                page_query.push(format!("after={id}"));
            }
            let page = client
                .get(&format!("/v1/invocations?{}", page_query.join("&")))
                .await?;
            let items = page["_embedded"]["invocations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            after = items.last().and_then(|r| r["id"].as_i64());
            let full = items.len() == size;
            records.extend(items);
            if !full {
                break;
            }
        }
        for record in records.iter().rev() {
            printer.print(record);
        }
        if args.follow {
            follow(&client, &filters, &printer, status.is_some()).await?;
        }
        Ok(ExitCode::SUCCESS)
    })?
}

struct Printer {
    names: HashMap<i64, String>,
    json: bool,
    colour: bool,
}

impl Printer {
    fn print(&self, record: &Value) {
        if self.json {
            println!("{record}");
            return;
        }
        let name = record["functionId"]
            .as_i64()
            .and_then(|id| self.names.get(&id))
            .map(String::as_str);
        print_invocation(record, name, self.colour);
    }
}

/// Prints invocations as they end (every change with `--json` or a status
/// filter), until interrupted; a broken stream is resumed.
async fn follow(
    client: &ApiClient,
    filters: &[String],
    printer: &Printer,
    every_change: bool,
) -> Result<(), Failure> {
    let path = if filters.is_empty() {
        "/v1/invocations/stream".to_owned()
    } else {
        format!("/v1/invocations/stream?{}", filters.join("&"))
    };
    let mut last: Option<String> = None;
    let mut failures = 0;
    loop {
        let mut stream = match client.events(&path, last.as_deref()).await {
            Ok(stream) => {
                failures = 0;
                stream
            }
            // A refusal (a bad key, too many streams) will not get better.
            Err(e) if e.status().is_some_and(|s| s != 503) => return Err(e.into()),
            Err(e) => {
                failures += 1;
                eprintln!("logs: {e}; reconnecting");
                tokio::time::sleep(Duration::from_secs(failures.min(5))).await;
                continue;
            }
        };
        while let Some(event) = stream.next().await {
            if event.id.is_some() {
                last.clone_from(&event.id);
            }
            match event.event.as_str() {
                "invocation" => {
                    let Ok(record) = serde_json::from_str::<Value>(&event.data) else {
                        continue;
                    };
                    let ended = matches!(record["status"].as_str(), Some("SUCCEEDED" | "FAILED"));
                    if ended || every_change || printer.json {
                        printer.print(&record);
                    }
                }
                "gap" => eprintln!(
                    "logs: some invocations may have been missed: {}",
                    event.data
                ),
                _ => {}
            }
        }
        eprintln!("logs: the stream ended; reconnecting");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_durations() {
        assert_eq!(age("30s").ok(), Some(Duration::from_secs(30)));
        assert_eq!(age("15m").ok(), Some(Duration::from_secs(900)));
        assert_eq!(age("1h").ok(), Some(Duration::from_secs(3600)));
        assert_eq!(age("2d").ok(), Some(Duration::from_secs(172_800)));
        for bad in ["", "h", "1", "1w", "-1h", "1.5h", "ह"] {
            assert!(age(bad).is_err(), "{bad:?}");
        }
    }
}
