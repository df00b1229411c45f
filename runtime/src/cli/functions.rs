//! Everyday commands on a server's functions: list them and their
//! versions, roll back, enable and disable, test-run, and trigger.
//! FUNCTION is a function's id or its name.

use std::process::ExitCode;

use hyper::Method;
use serde_json::{Value, json};

use super::client::{ApiClient, ClientError};
use super::output::{self, table};
use super::profile::Remote;
use super::{EXIT_FAILED, Failure, block_on};

/// Every item of a paged list: `path` (with its own query, if any) read
/// 100 at a time, the items under `_embedded.<key>`.
async fn all_items(client: &ApiClient, path: &str, key: &str) -> Result<Vec<Value>, ClientError> {
    let joiner = if path.contains('?') { '&' } else { '?' };
    let mut all = Vec::new();
    for page in 0.. {
        let list = client
            .get(&format!("{path}{joiner}page={page}&size=100"))
            .await?;
        if let Some(items) = list["_embedded"][key].as_array() {
            all.extend(items.iter().cloned());
        }
        if page + 1 >= list["page"]["totalPages"].as_i64().unwrap_or(0) {
            break;
        }
    }
    Ok(all)
}

/// Every function of the application.
pub(crate) async fn all_functions(client: &ApiClient) -> Result<Vec<Value>, ClientError> {
    all_items(client, "/v1/runtimes/nodejs/functions", "functions").await
}

/// The function `wanted` names: an id, or a name (exactly one function's).
pub(crate) async fn find_function(client: &ApiClient, wanted: &str) -> Result<Value, Failure> {
    let functions = all_functions(client).await?;
    if let Ok(id) = wanted.parse::<i64>()
        && let Some(found) = functions.iter().find(|f| f["id"] == id)
    {
        return Ok(found.clone());
    }
    let named: Vec<&Value> = functions.iter().filter(|f| f["name"] == wanted).collect();
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Failure::Usage(format!(
            "no function is named or numbered {wanted:?}; `chatfn functions` lists them"
        ))),
        several => Err(Failure::Usage(format!(
            "{} functions are named {wanted:?} (ids {}): give an id",
            several.len(),
            several
                .iter()
                .map(|f| f["id"].to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Every version of a function, newest first.
async fn all_versions(client: &ApiClient, function: i64) -> Result<Vec<Value>, ClientError> {
    let path = format!("/v1/functions/{function}/versions?sort=versionNumber,desc");
    all_items(client, &path, "versions").await
}

/// An event given as JSON text or `@FILE`.
fn event(text: &str) -> Result<Value, Failure> {
    let (source, text) = match text.strip_prefix('@') {
        Some(path) => (
            path.to_owned(),
            std::fs::read_to_string(path)
                .map_err(|e| Failure::Usage(format!("cannot read {path}: {e}")))?,
        ),
        None => ("--event".to_owned(), text.to_owned()),
    };
    serde_json::from_str(&text).map_err(|e| Failure::Usage(format!("{source} is not JSON: {e}")))
}

#[derive(clap::Args, Debug)]
pub(crate) struct ListArgs {
    /// Print JSON (the API's function resources) instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    remote: Remote,
}

pub(crate) fn list(args: &ListArgs) -> Result<ExitCode, Failure> {
    let client = args.remote.client()?;
    let functions = block_on(all_functions(&client))??;
    if args.json {
        println!("{}", Value::Array(functions));
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = functions
        .iter()
        .map(|f| {
            vec![
                f["id"].to_string(),
                f["name"].as_str().unwrap_or_default().to_owned(),
                f["type"].as_str().unwrap_or_default().to_owned(),
                if f["enabled"] == true { "yes" } else { "no" }.to_owned(),
                f["currentVersionNumber"]
                    .as_i64()
                    .map_or_else(|| "-".to_owned(), |v| format!("v{v}")),
                format!("{} ms", f["timeoutMs"]),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["ID", "NAME", "TRIGGER", "ENABLED", "VERSION", "TIMEOUT"],
            &rows
        )
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args, Debug)]
pub(crate) struct VersionsArgs {
    /// The function: its id or name.
    function: String,
    /// Print JSON (the API's version resources, handlers included).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    remote: Remote,
}

pub(crate) fn versions(args: &VersionsArgs) -> Result<ExitCode, Failure> {
    let client = args.remote.client()?;
    block_on(async {
        let function = find_function(&client, &args.function).await?;
        let id = function["id"].as_i64().unwrap_or_default();
        let versions = all_versions(&client, id).await?;
        if args.json {
            println!("{}", Value::Array(versions));
            return Ok(ExitCode::SUCCESS);
        }
        let rows: Vec<Vec<String>> = versions
            .iter()
            .map(|v| {
                let current = v["versionNumber"] == function["currentVersionNumber"];
                vec![
                    format!("v{}", v["versionNumber"]),
                    v["createdTime"].as_str().unwrap_or_default().to_owned(),
                    if current { "current" } else { "" }.to_owned(),
                ]
            })
            .collect();
        print!("{}", table(&["VERSION", "DEPLOYED", ""], &rows));
        Ok(ExitCode::SUCCESS)
    })?
}

#[derive(clap::Args, Debug)]
pub(crate) struct RollbackArgs {
    /// The function: its id or name.
    function: String,
    /// The version to make current (`3` or `v3`).
    version: String,
    #[command(flatten)]
    remote: Remote,
}

fn version_number(text: &str) -> Result<i64, Failure> {
    text.trim_start_matches('v')
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Failure::Usage(format!("{text:?} is not a version number")))
}

pub(crate) fn rollback(args: &RollbackArgs) -> Result<ExitCode, Failure> {
    let number = version_number(&args.version)?;
    let client = args.remote.client()?;
    block_on(async {
        let function = find_function(&client, &args.function).await?;
        let id = &function["id"];
        let from = function["currentVersionNumber"].clone();
        client
            .call(
                Method::PUT,
                &format!("/v1/functions/{id}/current-version"),
                Some(&json!({ "versionNumber": number })),
            )
            .await?;
        println!(
            "{}: v{number} is current (was v{from})",
            function["name"].as_str().unwrap_or_default()
        );
        Ok(ExitCode::SUCCESS)
    })?
}

#[derive(clap::Args, Debug)]
pub(crate) struct ToggleArgs {
    /// The function: its id or name.
    function: String,
    #[command(flatten)]
    remote: Remote,
}

pub(crate) fn toggle(args: &ToggleArgs, enabled: bool) -> Result<ExitCode, Failure> {
    let client = args.remote.client()?;
    block_on(async {
        let function = find_function(&client, &args.function).await?;
        let id = &function["id"];
        client
            .call(
                Method::PATCH,
                &format!("/v1/functions/{id}"),
                Some(&json!({ "enabled": enabled })),
            )
            .await?;
        println!(
            "{}: {}",
            function["name"].as_str().unwrap_or_default(),
            if enabled { "enabled" } else { "disabled" }
        );
        Ok(ExitCode::SUCCESS)
    })?
}

#[derive(clap::Args, Debug)]
pub(crate) struct RunArgs {
    /// The function: its id or name.
    function: String,
    /// The event: JSON, or @FILE.
    #[arg(long, value_name = "JSON|@FILE")]
    event: String,
    /// The version to run [default: the current one].
    #[arg(long, value_name = "N")]
    version: Option<String>,
    /// Print the invocation record as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    remote: Remote,
}

pub(crate) fn run(args: &RunArgs) -> Result<ExitCode, Failure> {
    let event = event(&args.event)?;
    let wanted = args.version.as_deref().map(version_number).transpose()?;
    let client = args.remote.client()?;
    block_on(async {
        let function = find_function(&client, &args.function).await?;
        let id = function["id"].as_i64().unwrap_or_default();
        let version = match wanted {
            Some(number) => all_versions(&client, id)
                .await?
                .into_iter()
                .find(|v| v["versionNumber"] == number)
                .ok_or_else(|| Failure::Usage(format!("the function has no version {number}")))?,
            None => {
                client
                    .get(&format!("/v1/functions/{id}/current-version"))
                    .await?
            }
        };
        let record = client
            .call(
                Method::POST,
                &format!("/v1/function-versions/{}/invocations", version["id"]),
                Some(&event),
            )
            .await?;
        if args.json {
            println!("{record}");
        } else {
            print_invocation(&record, None, output::colour());
            if let Some(payload) = record["result"].get("payload") {
                println!(
                    "{}",
                    serde_json::to_string_pretty(payload).unwrap_or_default()
                );
            }
        }
        Ok(if record["status"] == "FAILED" {
            ExitCode::from(EXIT_FAILED)
        } else {
            ExitCode::SUCCESS
        })
    })?
}

#[derive(clap::Args, Debug)]
pub(crate) struct TriggerArgs {
    /// The trigger type, e.g. `user.attempted.start_session`.
    #[arg(value_name = "TYPE")]
    trigger: String,
    /// The event: JSON, or @FILE.
    #[arg(long, value_name = "JSON|@FILE")]
    event: String,
    #[command(flatten)]
    remote: Remote,
}

pub(crate) fn trigger(args: &TriggerArgs) -> Result<ExitCode, Failure> {
    let event = event(&args.event)?;
    let client = args.remote.client()?;
    let path = format!("/v1/triggers/{}", args.trigger);
    match block_on(client.call(Method::POST, &path, Some(&event)))? {
        Ok(Value::Null) => {
            println!("no enabled function for {}", args.trigger);
            Ok(ExitCode::SUCCESS)
        }
        Ok(answer) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&answer).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        // A blocking trigger's handler threw: the chat server would deny.
        Err(ClientError::Api {
            status: 422, body, ..
        }) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            );
            Ok(ExitCode::from(EXIT_FAILED))
        }
        Err(e) => Err(e.into()),
    }
}

/// An invocation as `logs` and `run` show it: a heading line, then its
/// log lines and error, indented.
pub(crate) fn print_invocation(record: &Value, function: Option<&str>, colour: bool) {
    let time = record["endedTime"]
        .as_str()
        .or(record["createdTime"].as_str())
        .unwrap_or_default();
    let duration = record["durationMs"]
        .as_f64()
        .map_or_else(String::new, |ms| format!("{ms:.1} ms"));
    let name = function.map_or_else(
        || format!("function {}", record["functionId"]),
        str::to_owned,
    );
    println!(
        "{}  {name} v{}  {}  {duration}  #{}{}",
        output::dim(time, colour),
        record["versionNumber"],
        output::status(record["status"].as_str().unwrap_or_default(), colour),
        record["id"],
        if record["test"] == true {
            "  (test)"
        } else {
            ""
        }
    );
    for entry in record["logs"].as_array().into_iter().flatten() {
        println!(
            "    {:<5} {}",
            entry["level"].as_str().unwrap_or("log"),
            entry["message"].as_str().unwrap_or_default()
        );
    }
    let error = &record["error"];
    if error.is_object() {
        let place = match (error["file"].as_str(), error["line"].as_u64()) {
            (Some(file), Some(line)) => format!(" ({file}:{line}:{})", error["column"]),
            _ => String::new(),
        };
        println!(
            "    {} {}: {}: {}{place}",
            output::status("error", colour),
            error["type"].as_str().unwrap_or_default(),
            error["name"].as_str().unwrap_or_default(),
            error["message"].as_str().unwrap_or_default(),
        );
    }
}
