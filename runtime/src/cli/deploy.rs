//! `chatfn deploy`: makes the server's runtime and functions match a
//! project folder. It compiles every script here first and has the server
//! check that changed handlers load, printing errors as
//! `file:line:column: message`, before it changes anything; then it prints
//! the plan and applies it: runtime settings, new functions, settings, and
//! a new version for each handler that changed (and only those).
//!
//! Exit codes: 0 when applied (or nothing to change), 1 when a check found
//! errors (nothing was changed), 2 for a bad project, 3 when the server
//! refused a step or could not be reached (steps before it are applied;
//! deploying again goes on from there).

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use hyper::Method;
use serde_json::{Map, Value, json};

use super::client::{ApiClient, ClientError};
use super::functions::all_functions;
use super::profile::Remote;
use super::project::Loaded;
use super::{EXIT_FAILED, Failure, block_on};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  chatfn deploy\n  chatfn deploy my-chat-functions --dry-run\n\nExit codes: 0 deployed (or nothing to change), 1 a script does not compile or load (nothing changed), 2 a bad chatfn.toml, 3 the server refused a step or could not be reached."
)]
pub(crate) struct DeployArgs {
    /// The project folder [default: the current one].
    dir: Option<PathBuf>,
    /// Print the plan, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print each step as a JSON line (the default when output is not a
    /// terminal).
    #[arg(long, conflicts_with = "text")]
    json: bool,
    /// Print text even when output is not a terminal.
    #[arg(long)]
    text: bool,
    #[command(flatten)]
    remote: Remote,
}

/// What one function needs.
#[derive(Debug, PartialEq, Eq)]
enum FunctionPlan {
    Create,
    /// Existing: its id, settings to patch (if any), and whether its
    /// handler changed.
    Update {
        id: i64,
        settings: Option<Value>,
        handler_changed: bool,
    },
}

/// Everything a deploy would change.
#[derive(Debug, Default)]
struct Plan {
    dependencies: Option<Value>,
    initialization_script: Option<String>,
    environment: Option<Value>,
    functions: BTreeMap<String, FunctionPlan>,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.dependencies.is_none()
            && self.initialization_script.is_none()
            && self.environment.is_none()
            && self.functions.values().all(|f| {
                matches!(
                    f,
                    FunctionPlan::Update {
                        settings: None,
                        handler_changed: false,
                        ..
                    }
                )
            })
    }

    fn runtime_changes(&self) -> bool {
        self.dependencies.is_some()
            || self.initialization_script.is_some()
            || self.environment.is_some()
    }
}

/// Prints steps as text or JSON lines.
pub(crate) struct Reporter {
    json: bool,
    /// Output goes to a terminal: progress redraws one line.
    terminal: bool,
}

impl Reporter {
    pub(crate) fn text() -> Reporter {
        Reporter {
            json: false,
            terminal: false,
        }
    }

    fn step(&self, what: &str, detail: Value) {
        if self.json {
            let mut line = Map::new();
            line.insert("step".into(), what.into());
            if let Value::Object(fields) = detail {
                line.extend(fields);
            }
            println!("{}", Value::Object(line));
        } else {
            println!("{}", text_of(what, &detail));
        }
    }
}

fn text_of(what: &str, detail: &Value) -> String {
    let s = |k: &str| detail[k].as_str().unwrap_or_default().to_owned();
    match what {
        "plan" => format!("  {} {}", s("mark"), s("what")),
        "applied" => format!("✓ {}", s("what")),
        "installing" => format!("… installing {} dependencies", detail["count"]),
        "installed" => format!(
            "✓ dependencies installed in {:.1} s",
            detail["seconds"].as_f64().unwrap_or(0.0)
        ),
        "error" => format!(
            "{}:{}:{}: {}",
            s("file"),
            detail["line"],
            detail["column"],
            s("message")
        ),
        _ => format!("{what} {detail}"),
    }
}

pub(crate) fn run(args: &DeployArgs) -> Result<ExitCode, Failure> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    // A bad project is a usage error before any call.
    Loaded::read(&dir)?;
    let terminal = std::io::stdout().is_terminal();
    let reporter = Reporter {
        json: args.json || !(terminal || args.text),
        terminal,
    };
    let client = args.remote.client()?;
    block_on(deploy_folder(&client, &dir, args.dry_run, &reporter))?
}

/// Reads, compiles, checks and deploys the project in `dir`.
pub(crate) async fn deploy_folder(
    client: &ApiClient,
    dir: &Path,
    dry_run: bool,
    reporter: &Reporter,
) -> Result<ExitCode, Failure> {
    let loaded = Loaded::read(dir)?;
    // Scripts that do not compile stop the deploy before any call.
    let errors = compile_all(&loaded);
    if !errors.is_empty() {
        for (file, line, column, message) in &errors {
            reporter.step(
                "error",
                json!({ "file": file, "line": line, "column": column, "message": message }),
            );
        }
        eprintln!("deploy: {} error(s); nothing was changed", errors.len());
        return Ok(ExitCode::from(EXIT_FAILED));
    }
    deploy(client, &loaded, dry_run, reporter).await
}

/// Compiles the init script and handlers here, as the server would.
fn compile_all(loaded: &Loaded) -> Vec<(String, u32, u32, String)> {
    let compiler = compiler::Compiler::default();
    let mut errors = Vec::new();
    let scripts = loaded.init_script.iter().chain(loaded.handlers.values());
    for (path, text) in scripts {
        let name = display(&loaded.dir, path);
        if let Err(e) = compiler.compile(text, &name, compiler::SourceKind::Script) {
            for d in e.diagnostics {
                errors.push((d.file, d.line, d.column, d.message));
            }
        }
    }
    errors
}

/// A project file's path as the user would type it.
fn display(dir: &Path, file: &Path) -> String {
    if dir == Path::new(".") {
        file.display().to_string()
    } else {
        dir.join(file).display().to_string()
    }
}

async fn deploy(
    client: &ApiClient,
    loaded: &Loaded,
    dry_run: bool,
    reporter: &Reporter,
) -> Result<ExitCode, Failure> {
    let runtime = client.get("/v1/runtimes/nodejs").await?;
    let functions = all_functions(client).await?;
    let mut current_scripts: BTreeMap<String, String> = BTreeMap::new();
    for function in &functions {
        if function["currentVersionNumber"].is_number() {
            let version = client
                .get(&format!("/v1/functions/{}/current-version", function["id"]))
                .await?;
            if let (Some(trigger), Some(script)) =
                (function["type"].as_str(), version["handlerScript"].as_str())
            {
                current_scripts.insert(trigger.to_owned(), script.to_owned());
            }
        }
    }
    let plan = plan(loaded, &runtime, &functions, &current_scripts);
    print_plan(&plan, loaded, &functions, reporter);
    if plan.is_empty() {
        println!("No changes: the server matches {}.", loaded.dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    if dry_run {
        println!("Dry run: nothing was changed.");
        return Ok(ExitCode::SUCCESS);
    }
    // With the runtime as it is, changed handlers can be checked now;
    // with a runtime change, the server checks them when they deploy.
    if !plan.runtime_changes() {
        let mut failed = false;
        for (trigger, (path, text)) in &loaded.handlers {
            let changed = match plan.functions.get(trigger) {
                Some(FunctionPlan::Create) => true,
                Some(FunctionPlan::Update {
                    handler_changed, ..
                }) => *handler_changed,
                None => false,
            };
            if !changed {
                continue;
            }
            let check = client
                .call(
                    Method::POST,
                    "/v1/runtimes/nodejs/handler-checks",
                    Some(&json!({ "handlerScript": text })),
                )
                .await;
            if let Err(
                e @ ClientError::Api {
                    status: 400 | 422, ..
                },
            ) = check
            {
                report_refusal(reporter, &display(&loaded.dir, path), &e);
                failed = true;
            } else {
                check?;
            }
        }
        if failed {
            eprintln!("deploy: a handler does not load; nothing was changed");
            return Ok(ExitCode::from(EXIT_FAILED));
        }
    }
    apply(client, loaded, &plan, reporter).await
}

/// A refused script's error at its place in the project's file.
fn report_refusal(reporter: &Reporter, file: &str, error: &ClientError) {
    let ClientError::Api { body, message, .. } = error else {
        return;
    };
    let cause = &body["cause"];
    let text = match (cause["name"].as_str(), cause["message"].as_str()) {
        (Some(name), Some(m)) => format!("{name}: {m}"),
        _ => message.clone(),
    };
    reporter.step(
        "error",
        json!({
            "file": file,
            "line": cause["line"].as_u64().unwrap_or(1),
            "column": cause["column"].as_u64().unwrap_or(1),
            "message": text,
        }),
    );
}

fn plan(
    loaded: &Loaded,
    runtime: &Value,
    functions: &[Value],
    current_scripts: &BTreeMap<String, String>,
) -> Plan {
    let project = &loaded.project;
    let mut plan = Plan::default();
    let environment: Map<String, Value> = project
        .runtime
        .environment
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let server_environment = runtime["environmentVariables"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    // Values compare as text: the server keeps what it was given.
    let as_text = |m: &Map<String, Value>| -> BTreeMap<String, String> {
        m.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            })
            .collect()
    };
    if as_text(&environment) != as_text(&server_environment) {
        plan.environment = Some(Value::Object(environment));
    }
    let wanted_script = loaded
        .init_script
        .as_ref()
        .map(|(_, text)| text.clone())
        .unwrap_or_default();
    let server_script = runtime["initializationScript"]["script"]
        .as_str()
        .unwrap_or_default();
    if wanted_script != server_script {
        plan.initialization_script = Some(wanted_script);
    }
    let server_dependencies: BTreeMap<String, String> = runtime["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["defaultDependency"] != true)
        .filter_map(|d| {
            Some((
                d["name"].as_str()?.to_owned(),
                d["version"].as_str()?.to_owned(),
            ))
        })
        .collect();
    if server_dependencies != project.runtime.dependencies {
        let list: Vec<Value> = project
            .runtime
            .dependencies
            .iter()
            .map(|(name, version)| json!({ "name": name, "version": version }))
            .collect();
        plan.dependencies = Some(Value::Array(list));
    }
    for (trigger, wanted) in &project.functions {
        let existing = functions.iter().find(|f| f["type"] == trigger.as_str());
        let Some(existing) = existing else {
            plan.functions.insert(trigger.clone(), FunctionPlan::Create);
            continue;
        };
        let mut settings = Map::new();
        if existing["name"] != wanted.name.as_str() {
            settings.insert("name".into(), wanted.name.clone().into());
        }
        if let Some(timeout) = wanted.timeout_ms
            && existing["timeoutMs"] != timeout
        {
            settings.insert("timeoutMs".into(), timeout.into());
        }
        if let Some(reuse) = wanted.instance_reuse
            && existing["instanceReuse"] != reuse.as_str()
        {
            settings.insert("instanceReuse".into(), reuse.as_str().into());
        }
        let enabled = wanted.enabled.unwrap_or(true);
        if existing["enabled"] != enabled {
            settings.insert("enabled".into(), enabled.into());
        }
        if let Some(description) = &wanted.description
            && existing["description"] != description.as_str()
        {
            settings.insert("description".into(), description.clone().into());
        }
        let handler = loaded.handlers.get(trigger).map(|(_, text)| text);
        plan.functions.insert(
            trigger.clone(),
            FunctionPlan::Update {
                id: existing["id"].as_i64().unwrap_or_default(),
                settings: (!settings.is_empty()).then_some(Value::Object(settings)),
                handler_changed: handler != current_scripts.get(trigger),
            },
        );
    }
    plan
}

fn print_plan(plan: &Plan, loaded: &Loaded, server_functions: &[Value], reporter: &Reporter) {
    let line =
        |mark: &str, what: String| reporter.step("plan", json!({ "mark": mark, "what": what }));
    let runtime = [
        ("environment variables", plan.environment.is_some()),
        (
            "initialization script",
            plan.initialization_script.is_some(),
        ),
        ("dependencies", plan.dependencies.is_some()),
    ];
    for (what, changed) in runtime {
        if changed {
            line("~", format!("{what}: changed"));
        } else {
            line("=", format!("{what}: unchanged"));
        }
    }
    for (trigger, function) in &plan.functions {
        let name = &loaded.project.functions[trigger].name;
        match function {
            FunctionPlan::Create => line(
                "+",
                format!("function {name:?} ({trigger}): new, with its first version"),
            ),
            FunctionPlan::Update {
                settings,
                handler_changed,
                ..
            } => {
                let mut changes = Vec::new();
                if let Some(Value::Object(settings)) = settings {
                    changes.push(format!(
                        "settings ({})",
                        settings.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                }
                if *handler_changed {
                    changes.push("handler: a new version".into());
                }
                if changes.is_empty() {
                    line("=", format!("function {name:?} ({trigger}): unchanged"));
                } else {
                    line(
                        "~",
                        format!("function {name:?} ({trigger}): {}", changes.join("; ")),
                    );
                }
            }
        }
    }
    // Deploys add and change, never delete: a function the folder does not
    // name stays as it is, and the plan says so.
    for function in server_functions {
        let trigger = function["type"].as_str().unwrap_or_default();
        if !loaded.project.functions.contains_key(trigger) {
            line(
                "?",
                format!(
                    "function {:?} ({trigger}): on the server only, left as it is",
                    function["name"].as_str().unwrap_or_default()
                ),
            );
        }
    }
}

async fn apply(
    client: &ApiClient,
    loaded: &Loaded,
    plan: &Plan,
    reporter: &Reporter,
) -> Result<ExitCode, Failure> {
    let applied = |what: String| reporter.step("applied", json!({ "what": what }));
    // Packages first: the init script may require them.
    if let Some(list) = &plan.dependencies {
        let count = list.as_array().map_or(0, Vec::len);
        reporter.step("installing", json!({ "count": count }));
        let started = Instant::now();
        let installing = client.call(Method::PUT, "/v1/runtimes/nodejs/dependencies", Some(list));
        let installed = if reporter.terminal && !reporter.json {
            // The install is one call: show that it goes on, and for how long.
            let mut installing = std::pin::pin!(installing);
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
            let spinner = ['|', '/', '-', '\\'];
            let mut turn = 0;
            loop {
                tokio::select! {
                    answer = &mut installing => {
                        print!("\r\x1b[2K");
                        break answer;
                    }
                    _ = tick.tick() => {
                        turn += 1;
                        print!("\r{} installing {count} dependencies ({:.0} s)", spinner[turn % 4], started.elapsed().as_secs_f64());
                        let _ = std::io::Write::flush(&mut std::io::stdout());
                    }
                }
            }
        } else {
            installing.await
        };
        runtime_step(installed, reporter, loaded, None)?;
        reporter.step(
            "installed",
            json!({ "count": count, "seconds": started.elapsed().as_secs_f64() }),
        );
    }
    if let Some(script) = &plan.initialization_script {
        let saved = client
            .call(
                Method::PUT,
                "/v1/runtimes/nodejs/initialization-script",
                Some(&json!({ "script": script })),
            )
            .await;
        let file = loaded
            .init_script
            .as_ref()
            .map(|(p, _)| display(&loaded.dir, p));
        runtime_step(saved, reporter, loaded, file)?;
        applied("initialization script".into());
    }
    if let Some(environment) = &plan.environment {
        let saved = client
            .call(
                Method::PUT,
                "/v1/runtimes/nodejs/environment-variables",
                Some(environment),
            )
            .await;
        runtime_step(saved, reporter, loaded, None)?;
        applied("environment variables".into());
    }
    for (trigger, function) in &plan.functions {
        let wanted = &loaded.project.functions[trigger];
        let (path, text) = &loaded.handlers[trigger];
        let file = display(&loaded.dir, path);
        let (id, deploy_handler) = match function {
            FunctionPlan::Create => {
                let mut body = json!({ "type": trigger, "name": wanted.name });
                if let Some(t) = wanted.timeout_ms {
                    body["timeoutMs"] = t.into();
                }
                if let Some(reuse) = wanted.instance_reuse {
                    body["instanceReuse"] = reuse.as_str().into();
                }
                if let Some(d) = &wanted.description {
                    body["description"] = d.clone().into();
                }
                let created = client
                    .call(Method::POST, "/v1/runtimes/nodejs/functions", Some(&body))
                    .await?;
                applied(format!("function {:?} created", wanted.name));
                (created["id"].as_i64().unwrap_or_default(), true)
            }
            FunctionPlan::Update {
                id,
                handler_changed,
                ..
            } => (*id, *handler_changed),
        };
        if deploy_handler {
            let deployed = client
                .call(
                    Method::POST,
                    &format!("/v1/functions/{id}/versions"),
                    Some(&json!({ "handlerScript": text })),
                )
                .await;
            match deployed {
                Ok(version) => applied(format!(
                    "function {:?}: v{} deployed from {file}",
                    wanted.name, version["versionNumber"]
                )),
                Err(
                    e @ ClientError::Api {
                        status: 400 | 422, ..
                    },
                ) => {
                    report_refusal(reporter, &file, &e);
                    return Err(e.into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        let settings = match function {
            FunctionPlan::Update { settings, .. } => settings.clone(),
            // A new function is enabled; only a disabled one needs a patch.
            FunctionPlan::Create => {
                (wanted.enabled == Some(false)).then(|| json!({ "enabled": false }))
            }
        };
        if let Some(settings) = settings {
            client
                .call(
                    Method::PATCH,
                    &format!("/v1/functions/{id}"),
                    Some(&settings),
                )
                .await?;
            applied(format!("function {:?}: settings", wanted.name));
        }
    }
    println!("Deployed {}.", loaded.dir.display());
    Ok(ExitCode::SUCCESS)
}

/// A runtime change's answer: a refused change shows its error (at the init
/// script's line when it is the script's) and stops the deploy.
fn runtime_step(
    answer: Result<Value, ClientError>,
    reporter: &Reporter,
    loaded: &Loaded,
    file: Option<String>,
) -> Result<(), Failure> {
    match answer {
        Ok(_) => Ok(()),
        Err(e @ ClientError::Api { status: 422, .. }) => {
            let file = file.unwrap_or_else(|| {
                loaded
                    .dir
                    .join(super::project::PROJECT_FILE)
                    .display()
                    .to_string()
            });
            report_refusal(reporter, &file, &e);
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}
