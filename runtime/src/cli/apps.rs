//! `chatfn apps create`: a new application and its key, printed once.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};

use super::{UsageError, default_data_dir};
use crate::api::hash_key;
use crate::store::{SqliteStore, Store};

#[derive(Subcommand)]
pub(crate) enum AppsCommand {
    /// Create an application; prints its id, name and key (shown only now).
    Create(CreateArgs),
}

#[derive(Args)]
pub(crate) struct CreateArgs {
    /// The application's name.
    name: String,
    /// Base URL of the chat server's Platform API, for `context.get*Api()`.
    #[arg(long, value_name = "URL")]
    platform_url: Option<String>,
    /// Bearer token for the Platform API.
    #[arg(long, value_name = "TOKEN")]
    platform_token: Option<String>,
    /// Where the service keeps its data [default: $CHATFN_DATA_DIR, else ~/.local/share/chatfn].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

pub(crate) fn run(command: AppsCommand) -> Result<ExitCode> {
    let AppsCommand::Create(args) = command;
    if args.name.trim().is_empty() || args.name.len() > 200 {
        return Err(UsageError("the name must be 1 to 200 characters".into()).into());
    }
    if let Some(url) = &args.platform_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(UsageError(format!(
            "--platform-url must be an http:// or https:// URL, not '{url}'"
        ))
        .into());
    }
    let dir = args.data_dir.unwrap_or_else(default_data_dir);
    let store = SqliteStore::open(&dir)
        .with_context(|| format!("opening the data directory {}", dir.display()))?;
    let key = new_key()?;
    let app = store.create_application(
        args.name.trim(),
        &hash_key(&key),
        args.platform_url
            .as_deref()
            .map(|u| u.trim_end_matches('/')),
        args.platform_token.as_deref(),
    )?;
    println!(
        "{}",
        serde_json::json!({ "id": app.id, "name": app.name, "key": key })
    );
    eprintln!("keep the key: it is stored hashed and cannot be shown again");
    Ok(ExitCode::SUCCESS)
}

/// 32 random bytes, hex: unguessable, so a fast hash is enough to store it.
fn new_key() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
    Ok(format!(
        "chatfn_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}
