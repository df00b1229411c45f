//! `chatfn apps`: create applications (the key is printed once), list them,
//! change their platform API settings, rotate and add keys, delete them. These write the database
//! directly: running servers on PostgreSQL hear of a change at once, one
//! on SQLite within its lookup cache's lifetime (a few seconds).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};

use super::{UsageError, default_data_dir};
use crate::api::hash_key;
use crate::store::{self, Application, ApplicationPatch, Database, Store};

#[derive(Subcommand)]
pub(crate) enum AppsCommand {
    /// Create an application; prints its id, name and key (shown only now).
    Create(CreateArgs),
    /// List applications (ids, names and platform URLs; never keys or tokens).
    List(Storage),
    /// Change an application's name or platform API settings.
    Update(UpdateArgs),
    /// Give an application a new key and end its old ones (at once, or
    /// after --grace-seconds); prints the new key (shown only now).
    RotateKey(RotateKeyArgs),
    /// Add a key to an application: --read-only for dashboards (lists and
    /// records, never a deploy, trigger or change); prints it (shown only
    /// now).
    AddKey(AddKeyArgs),
    /// Delete an application with its keys, runtime, functions, versions,
    /// invocation records and queued jobs.
    Delete(DeleteArgs),
}

#[derive(Args)]
pub(crate) struct RotateKeyArgs {
    /// The application's id.
    id: i64,
    /// How long the old keys keep working, so clients can move over.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    grace_seconds: u32,
    #[command(flatten)]
    storage: Storage,
}

#[derive(Args)]
pub(crate) struct AddKeyArgs {
    /// The application's id.
    id: i64,
    /// The key only reads.
    #[arg(long)]
    read_only: bool,
    #[command(flatten)]
    storage: Storage,
}

#[derive(Args)]
pub(crate) struct DeleteArgs {
    /// The application's id.
    id: i64,
    /// Confirms the deletion (it cannot be undone).
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    storage: Storage,
}

/// Where the service's data is: as `chatfn serve` is told.
#[derive(Args)]
pub(crate) struct Storage {
    /// Where the service keeps its data [default: $CHATFN_DATA_DIR, else ~/.local/share/chatfn].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The database, as `chatfn serve --database` takes it [default: sqlite:DATA_DIR/chatfn.db].
    #[arg(
        long,
        value_name = "URL",
        env = "CHATFN_DATABASE_URL",
        hide_env_values = true
    )]
    database: Option<String>,
}

#[derive(Args)]
pub(crate) struct UpdateArgs {
    /// The application's id.
    id: i64,
    /// A new name.
    #[arg(long)]
    name: Option<String>,
    /// Base URL of the chat server's Platform API; "" removes it.
    #[arg(long, value_name = "URL")]
    platform_url: Option<String>,
    #[command(flatten)]
    token: PlatformToken,
    #[command(flatten)]
    storage: Storage,
}

/// The Platform API's bearer token, on the command line (visible to other
/// users in the process list) or, better, read from a file.
#[derive(Args)]
struct PlatformToken {
    /// Bearer token for the Platform API ("" removes it); prefer
    /// --platform-token-file, as arguments show in the process list.
    #[arg(long, value_name = "TOKEN")]
    platform_token: Option<String>,
    /// A file holding the Platform API's bearer token (trailing newline
    /// ignored).
    #[arg(long, value_name = "PATH", conflicts_with = "platform_token")]
    platform_token_file: Option<std::path::PathBuf>,
}

impl PlatformToken {
    fn read(self) -> Result<Option<String>> {
        match self.platform_token_file {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()))
            }
            None => Ok(self.platform_token),
        }
    }
}

#[derive(Args)]
pub(crate) struct CreateArgs {
    /// The application's name.
    name: String,
    /// Base URL of the chat server's Platform API, for `context.get*Api()`.
    #[arg(long, value_name = "URL")]
    platform_url: Option<String>,
    #[command(flatten)]
    token: PlatformToken,
    #[command(flatten)]
    storage: Storage,
}

pub(crate) fn run(command: AppsCommand) -> Result<ExitCode> {
    match command {
        AppsCommand::Create(args) => create(args),
        AppsCommand::List(dir) => list(dir),
        AppsCommand::Update(args) => update(args),
        AppsCommand::RotateKey(args) => rotate_key(args),
        AppsCommand::AddKey(args) => add_key(args),
        AppsCommand::Delete(args) => delete(args),
    }
}

fn no_application(id: i64) -> anyhow::Error {
    UsageError(format!("there is no application {id}")).into()
}

fn rotate_key(args: RotateKeyArgs) -> Result<ExitCode> {
    let store = open(args.storage)?;
    let key = new_key()?;
    let until = crate::time::now_ms() + i64::from(args.grace_seconds) * 1000;
    if !store.rotate_key(args.id, &hash_key(&key), until)? {
        return Err(no_application(args.id));
    }
    println!(
        "{}",
        serde_json::json!({
            "id": args.id,
            "key": key,
            "oldKeysUntil": crate::time::iso(until),
        })
    );
    eprintln!("keep the key: it is stored hashed and cannot be shown again");
    Ok(ExitCode::SUCCESS)
}

fn add_key(args: AddKeyArgs) -> Result<ExitCode> {
    let store = open(args.storage)?;
    let key = new_key()?;
    if !store.add_key(args.id, &hash_key(&key), args.read_only)? {
        return Err(no_application(args.id));
    }
    println!(
        "{}",
        serde_json::json!({ "id": args.id, "key": key, "readOnly": args.read_only })
    );
    eprintln!("keep the key: it is stored hashed and cannot be shown again");
    Ok(ExitCode::SUCCESS)
}

fn delete(args: DeleteArgs) -> Result<ExitCode> {
    if !args.yes {
        return Err(UsageError(format!(
            "deleting application {} removes all its data for good; add --yes to confirm",
            args.id
        ))
        .into());
    }
    if !open(args.storage)?.delete_application(args.id)? {
        return Err(no_application(args.id));
    }
    eprintln!("application {} deleted", args.id);
    Ok(ExitCode::SUCCESS)
}

fn open(storage: Storage) -> Result<Arc<dyn Store>> {
    let database = match storage.database {
        Some(url) => Database::parse(&url).map_err(|e| UsageError(e.to_string()))?,
        None => Database::in_data_dir(&storage.data_dir.unwrap_or_else(default_data_dir)),
    };
    store::open(&database).with_context(|| format!("opening the database {database}"))
}

fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(UsageError("the name must be 1 to 200 characters".into()).into());
    }
    Ok(name)
}

/// An absolute http(s) URL with a host and no query: the platform API's base.
fn check_platform_url(url: &str) -> Result<String> {
    let bad = || {
        UsageError(format!(
            "--platform-url must be an http:// or https:// URL such as https://api.chatkitty.com, not '{url}'"
        ))
    };
    let uri: hyper::http::Uri = url.parse().map_err(|_| bad())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    if !scheme_ok || uri.host().is_none_or(str::is_empty) || uri.query().is_some() {
        return Err(bad().into());
    }
    Ok(url.trim_end_matches('/').to_owned())
}

fn print(app: &Application, key: Option<&str>) {
    let mut json = serde_json::json!({
        "id": app.id,
        "name": app.name,
        "platformUrl": app.platform_url,
        "platformToken": app.platform_token.is_some(),
        "createdTime": crate::time::iso(app.created_ms),
    });
    if let Some(key) = key {
        json["key"] = key.into();
    }
    println!("{json}");
}

fn create(args: CreateArgs) -> Result<ExitCode> {
    let name = check_name(&args.name)?;
    let url = args
        .platform_url
        .as_deref()
        .map(check_platform_url)
        .transpose()?;
    let token = args.token.read()?.filter(|t| !t.is_empty());
    let store = open(args.storage)?;
    let key = new_key()?;
    let app = store.create_application(name, &hash_key(&key), url.as_deref(), token.as_deref())?;
    print(&app, Some(&key));
    eprintln!("keep the key: it is stored hashed and cannot be shown again");
    Ok(ExitCode::SUCCESS)
}

fn list(storage: Storage) -> Result<ExitCode> {
    for app in open(storage)?.applications()? {
        print(&app, None);
    }
    Ok(ExitCode::SUCCESS)
}

fn update(args: UpdateArgs) -> Result<ExitCode> {
    let empty_is_none = |v: String| if v.is_empty() { None } else { Some(v) };
    let patch = ApplicationPatch {
        name: args
            .name
            .as_deref()
            .map(check_name)
            .transpose()?
            .map(str::to_owned),
        platform_url: match args.platform_url {
            Some(url) if url.is_empty() => Some(None),
            Some(url) => Some(Some(check_platform_url(&url)?)),
            None => None,
        },
        platform_token: args.token.read()?.map(empty_is_none),
    };
    match open(args.storage)?.update_application(args.id, patch)? {
        Some(app) => {
            print(&app, None);
            Ok(ExitCode::SUCCESS)
        }
        None => Err(no_application(args.id)),
    }
}

/// 32 random bytes, hex: unguessable, so a fast hash is enough to store it.
pub(crate) fn new_key() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
    Ok(format!(
        "chatfn_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}
