//! Command-line parsing and dispatch.
//!
//! Exit codes: 0 when everything succeeded, 1 when an invocation (or image
//! build) failed, 2 for usage errors, 3 when a server refused a request or
//! could not be reached.

mod apps;
mod check;
mod client;
mod deploy;
mod deps;
mod dev;
mod functions;
mod init;
mod invoke;
mod logs;
mod output;
mod profile;
mod project;
mod secrets;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for usage errors (bad flags, unreadable files, invalid JSON).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code when a run failed.
pub(crate) const EXIT_FAILED: u8 = 1;
/// Exit code when a server refused a request or could not be reached.
pub(crate) const EXIT_REMOTE: u8 = 3;

/// Why a remote command stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad flags or files: exit 2.
    Usage(String),
    /// The server refused, or could not be reached: exit 3.
    Remote(Box<client::ClientError>),
}

impl From<client::ClientError> for Failure {
    fn from(e: client::ClientError) -> Failure {
        Failure::Remote(Box::new(e))
    }
}

impl Failure {
    pub(crate) fn report(&self) -> ExitCode {
        match self {
            Failure::Usage(message) => {
                eprintln!("error: {message}");
                ExitCode::from(EXIT_USAGE)
            }
            Failure::Remote(e) => {
                eprintln!("error: {e}");
                if let Some(placed) = e.placed_cause() {
                    eprintln!("{placed}");
                }
                if e.status() == Some(401) {
                    eprintln!("hint: the key was refused; `chatfn login` saves a new one");
                }
                ExitCode::from(EXIT_REMOTE)
            }
        }
    }
}

/// Runs `future` on a multi-threaded runtime (for a local service).
pub(crate) fn block_on_multi<F: std::future::Future>(future: F) -> Result<F::Output, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Usage(format!("starting: {e}")))?;
    Ok(runtime.block_on(future))
}

/// Runs `future` to its end on a runtime of its own (the remote commands
/// are one conversation each).
pub(crate) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Usage(format!("starting: {e}")))?;
    Ok(runtime.block_on(future))
}

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
    #[command(
        after_help = "Examples:\n  chatfn serve --listen 127.0.0.1:8080\n  chatfn serve --database postgres://chatfn@db/chatfn --secrets-key-file /etc/chatfn/secrets.key"
    )]
    Serve(serve::ServeArgs),
    /// Manage applications (tenants) and their keys.
    #[command(
        subcommand,
        after_help = "Examples:\n  chatfn apps create \"My chat app\" --platform-url https://api.chatkitty.com --platform-token-file token.txt\n  chatfn apps add-key 1 --read-only"
    )]
    Apps(apps::AppsCommand),
    /// Build a handler's image and run `handleEvent(event, context)` locally.
    #[command(
        after_help = "Examples:\n  chatfn invoke handler.ts --event '{\"username\":\"ada\"}'\n  chatfn invoke handler.ts --init init.ts --env GREETING=Hi --event @event.json --repeat 3"
    )]
    Invoke(invoke::InvokeArgs),
    /// Compile scripts and print their diagnostics (exit 1 if any has errors).
    #[command(after_help = "Example:\n  chatfn check functions/*.ts init.ts")]
    Check(check::CheckArgs),
    #[command(flatten)]
    Workflow(WorkflowCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  chatfn completions bash > ~/.local/share/bash-completion/completions/chatfn\n  chatfn completions zsh > \"${fpath[1]}/_chatfn\"\n  chatfn completions fish > ~/.config/fish/completions/chatfn.fish"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// The developer's commands: a project folder, and a server's functions,
/// logs and secrets.
#[derive(Subcommand)]
enum WorkflowCommand {
    /// Make a project folder: chatfn.toml, example handlers, tsconfig.json and typings.
    Init(init::InitArgs),
    /// Make the server's runtime and functions match a project folder.
    Deploy(deploy::DeployArgs),
    /// Run a local server for a project folder, deploying it on every save.
    Dev(dev::DevArgs),
    /// Save a server and application key as a profile for the commands below.
    Login(profile::LoginArgs),
    /// Show the server, application and access the commands below use.
    #[command(after_help = "Examples:\n  chatfn whoami\n  chatfn whoami --profile staging")]
    Whoami(profile::Remote),
    /// List the application's functions.
    #[command(
        after_help = "Examples:\n  chatfn functions\n  chatfn functions --json | jq '.[].name'"
    )]
    Functions(functions::ListArgs),
    /// List a function's versions (newest first).
    #[command(after_help = "Example:\n  chatfn versions \"Check sign-ins\"")]
    Versions(functions::VersionsArgs),
    /// Make an earlier version of a function current again.
    #[command(after_help = "Example:\n  chatfn rollback \"Check sign-ins\" 3")]
    Rollback(functions::RollbackArgs),
    /// Let a function run on its trigger again.
    #[command(after_help = "Example:\n  chatfn enable 12")]
    Enable(functions::ToggleArgs),
    /// Stop a function from running on its trigger.
    #[command(after_help = "Example:\n  chatfn disable \"Welcome messages\"")]
    Disable(functions::ToggleArgs),
    /// Test-run a function's version on an event, on the server (exit 1 if it fails).
    #[command(
        after_help = "Examples:\n  chatfn run \"Check sign-ins\" --event '{\"username\":\"ada\"}'\n  chatfn run 12 --event @event.json --version 3"
    )]
    Run(functions::RunArgs),
    /// Send an event to a trigger, as the chat server would (exit 1 if a blocking one denies).
    #[command(
        after_help = "Examples:\n  chatfn trigger user.attempted.start_session --event '{\"username\":\"ada\"}'\n  chatfn trigger user.sent.message --event @message.json"
    )]
    Trigger(functions::TriggerArgs),
    /// Show invocations and their log lines; --follow streams new ones.
    #[command(
        after_help = "Examples:\n  chatfn logs\n  chatfn logs \"Check sign-ins\" --status FAILED --since 1h\n  chatfn logs --follow\n  chatfn logs --json --since 15m"
    )]
    Logs(logs::LogsArgs),
    /// Set, list and unset the runtime's secrets.
    #[command(subcommand)]
    Secrets(secrets::SecretsCommand),
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
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into memory first: the generator panics on a failed write
            // (a closed pipe), where a command should just stop.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "chatfn", &mut script);
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            return ExitCode::SUCCESS;
        }
        Command::Workflow(command) => {
            return run_remote(command).unwrap_or_else(|failure| failure.report());
        }
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

fn run_remote(command: WorkflowCommand) -> Result<ExitCode, Failure> {
    use WorkflowCommand as Command;
    match command {
        Command::Init(args) => init::run(&args),
        Command::Deploy(args) => deploy::run(&args),
        Command::Dev(args) => dev::run(&args),
        Command::Login(args) => profile::login(args),
        Command::Whoami(remote) => profile::whoami(&remote),
        Command::Functions(args) => functions::list(&args),
        Command::Versions(args) => functions::versions(&args),
        Command::Rollback(args) => functions::rollback(&args),
        Command::Enable(args) => functions::toggle(&args, true),
        Command::Disable(args) => functions::toggle(&args, false),
        Command::Run(args) => functions::run(&args),
        Command::Trigger(args) => functions::trigger(&args),
        Command::Logs(args) => logs::run(&args),
        Command::Secrets(command) => secrets::run(command),
    }
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
