//! `chatfn dev`: a local server for a project folder. It keeps its data in
//! the folder's `.chatfn-dev/` (with an application made for it on first
//! use), deploys the folder, and deploys it again whenever a file in it
//! changes, so a saved handler answers within a second. `chatfn trigger`
//! and `chatfn logs --follow` work against it with the URL and key it
//! prints.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::client::ApiClient;
use super::deploy::{self, Reporter};
use super::{Failure, block_on_multi};
use crate::{Config, Service};

/// The folder's local data: database, images, the key.
const DEV_DIR: &str = ".chatfn-dev";
/// How often the folder is looked at. Polling a project's few files costs
/// nothing noticeable and behaves the same on every filesystem (editors
/// that save by renaming, network mounts), unlike change notifications.
const POLL: Duration = Duration::from_millis(150);

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  chatfn dev my-functions\n  # in another terminal, with the URL and key it prints:\n  chatfn logs --follow\n  chatfn trigger user.attempted.start_session --event '{\"username\":\"ada\"}'"
)]
pub(crate) struct DevArgs {
    /// The project folder [default: the current one].
    dir: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// The npm registry dependencies come from.
    #[arg(long, value_name = "URL", default_value = npm_resolver::DEFAULT_REGISTRY)]
    npm_registry: String,
    /// Stop when standard input closes (for tests that own the process).
    #[arg(long, hide = true)]
    exit_on_stdin_close: bool,
}

pub(crate) fn run(args: &DevArgs) -> Result<ExitCode, Failure> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    // A folder that is no project says so before anything starts.
    super::project::Loaded::read(&dir)?;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::WARN)
        .with_target(false)
        .init();
    block_on_multi(dev(args, dir))?
}

async fn dev(args: &DevArgs, dir: PathBuf) -> Result<ExitCode, Failure> {
    let data = dir.join(DEV_DIR);
    let mut config = Config::new(data.clone());
    config.listen = args.listen;
    config.npm_registry.clone_from(&args.npm_registry);
    let service = Service::open(config)
        .await
        .map_err(|e| Failure::Usage(format!("starting the local server: {e:#}")))?;
    let service = Arc::new(service);
    service.start();
    let key = dev_key(&service, &data).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| Failure::Usage(format!("listening on {}: {e}", args.listen)))?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::Usage(format!("listening: {e}")))?;
    let url = format!("http://{address}");
    println!("chatfn dev: serving {} at {url}", dir.display());
    println!("  export CHATFN_URL={url} CHATFN_KEY={key}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::listener::serve(
        listener,
        crate::api::app(Arc::clone(&service)),
        service.config.connections,
        async {
            let _ = stopped.await;
        },
    ));
    let client = ApiClient::new(&url, &key);
    let reporter = Reporter::text();
    let shutdown = super::serve::shutdown(args.exit_on_stdin_close);
    tokio::pin!(shutdown);
    let mut seen = fingerprint(&dir);
    redeploy(&client, &dir, &reporter).await;
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(POLL) => {}
        }
        let now = fingerprint(&dir);
        if now != seen {
            seen = now;
            redeploy(&client, &dir, &reporter).await;
        }
    }
    let _ = stop.send(());
    let _ = server.await;
    service.flush().await;
    Ok(ExitCode::SUCCESS)
}

/// Deploys the folder, printing what happened; failures are printed and
/// wait for the next save.
async fn redeploy(client: &ApiClient, dir: &Path, reporter: &Reporter) {
    println!("chatfn dev: deploying {}", dir.display());
    match deploy::deploy_folder(client, dir, false, reporter).await {
        Ok(_) => {}
        Err(failure) => {
            failure.report();
        }
    }
    println!("chatfn dev: watching for changes");
}

/// The local application's key: made (with the application) on first use
/// and kept in the data directory, readable by its owner only.
async fn dev_key(service: &Arc<Service>, data: &Path) -> Result<String, Failure> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = data.join("dev-key");
    let store = Arc::clone(&service.store);
    if let Ok(key) = std::fs::read_to_string(&path) {
        let key = key.trim().to_owned();
        let hash = crate::api::hash_key(&key);
        let known = tokio::task::spawn_blocking({
            let store = Arc::clone(&store);
            move || store.application_by_key(&hash)
        })
        .await
        .map_err(|e| Failure::Usage(e.to_string()))?
        .map_err(|e| Failure::Usage(format!("the local database: {e}")))?;
        if known.is_some() {
            return Ok(key);
        }
    }
    let key = super::apps::new_key().map_err(|e| Failure::Usage(format!("{e:#}")))?;
    let hash = crate::api::hash_key(&key);
    tokio::task::spawn_blocking(move || store.create_application("dev", &hash, None, None))
        .await
        .map_err(|e| Failure::Usage(e.to_string()))?
        .map_err(|e| Failure::Usage(format!("the local database: {e}")))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    std::io::Write::write_all(&mut file, key.as_bytes())
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    Ok(key)
}

/// Every file of the folder (but its local data and installed packages)
/// with its size and modification time.
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(at) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&at) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name == DEV_DIR || name == "node_modules" || name == ".git" {
                continue;
            }
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files.push((entry.path(), meta.len(), meta.modified().ok()));
            }
        }
    }
    files.sort();
    files
}
