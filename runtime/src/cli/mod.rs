//! Command-line parsing and dispatch.
//!
//! Exit codes: 0 when everything succeeded, 1 when an invocation (or image
//! build) failed, 2 for usage errors.

mod apps;
mod check;
mod deps;
mod invoke;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for usage errors (bad flags, unreadable files, invalid JSON).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code when a run failed.
pub(crate) const EXIT_FAILED: u8 = 1;

#[derive(Parser)]
#[command(
    name = "chatfn",
    version,
    about = "A self-hostable runtime for chat functions"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service: the HTTP API, triggers and invocation logs.
    Serve(serve::ServeArgs),
    /// Manage applications (tenants) and their keys.
    #[command(subcommand)]
    Apps(apps::AppsCommand),
    /// Build a handler's image and run `handleEvent(event, context)` locally.
    Invoke(invoke::InvokeArgs),
    /// Compile scripts and print their diagnostics (exit 1 if any has errors).
    Check(check::CheckArgs),
}

/// Where images are cached unless `--cache-dir` says otherwise.
pub(crate) fn default_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CHATFN_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("chatfn"))
}

/// Where the service keeps its database and images unless `--data-dir`
/// says otherwise: `$CHATFN_DATA_DIR`, else `~/.local/share/chatfn`.
pub(crate) fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CHATFN_DATA_DIR") {
        return PathBuf::from(dir);
    }
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
        .map_or_else(|| PathBuf::from("chatfn-data"), |base| base.join("chatfn"))
}

/// A usage error: printed, exit code 2.
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

/// Runs the `chatfn` command line and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // clap prints help/version to stdout (exit 0) and errors to stderr
        // (exit 2).
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Apps(command) => apps::run(command),
        Command::Invoke(args) => invoke::run(args),
        Command::Check(args) => check::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if let Some(usage) = e.downcast_ref::<UsageError>() {
                eprintln!("error: {}", usage.0);
                return ExitCode::from(EXIT_USAGE);
            }
            if let Some(config) = e.downcast_ref::<crate::ConfigError>() {
                eprintln!("error: {config}");
                return ExitCode::from(EXIT_USAGE);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
