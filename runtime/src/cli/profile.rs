//! Which server and key the remote commands use: `--url`/`--key`, else
//! `CHATFN_URL`/`CHATFN_KEY`, else a profile `chatfn login` saved in
//! `~/.config/chatfn/config.toml` (mode 600), by `--profile`,
//! `CHATFN_PROFILE`, or the default one.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::{Deserialize, Serialize};

use super::client::ApiClient;
use super::{Failure, block_on};

/// The profile used when none is named.
const DEFAULT_PROFILE: &str = "default";

/// Where a remote command sends its calls.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct Remote {
    /// The server's URL [default: CHATFN_URL, else the profile's].
    #[arg(long, value_name = "URL", global = true)]
    url: Option<String>,
    /// The application key [default: CHATFN_KEY, else the profile's].
    #[arg(long, value_name = "KEY", global = true)]
    key: Option<String>,
    /// A profile saved by `chatfn login` [default: CHATFN_PROFILE, else
    /// the default profile].
    #[arg(long, value_name = "NAME", global = true)]
    profile: Option<String>,
}

/// The saved profiles.
#[derive(Serialize, Deserialize, Default, Debug)]
struct Config {
    /// The profile used when none is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
struct Profile {
    url: String,
    key: String,
}

/// `$XDG_CONFIG_HOME/chatfn/config.toml`, else `~/.config/chatfn/…`.
fn config_path() -> Result<PathBuf, Failure> {
    if let Some(path) = std::env::var_os("CHATFN_CONFIG") {
        return Ok(PathBuf::from(path));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))
        .ok_or_else(|| {
            Failure::Usage("no HOME to keep profiles in: set CHATFN_URL and CHATFN_KEY".into())
        })?;
    Ok(base.join("chatfn").join("config.toml"))
}

fn read_config() -> Result<Config, Failure> {
    let path = config_path()?;
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(Failure::Usage(format!("{}: {e}", path.display()))),
    }
}

/// Writes the config readable by its owner only (it holds keys), through
/// a temporary file so a crash never leaves half of it.
fn write_config(config: &Config) -> Result<PathBuf, Failure> {
    use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
    let path = config_path()?;
    let io = |e: std::io::Error| Failure::Usage(format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io)?;
    }
    let text = toml::to_string(config).map_err(|e| Failure::Usage(e.to_string()))?;
    let temporary = path.with_extension("toml.tmp");
    let _ = std::fs::remove_file(&temporary);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(io)?;
    file.write_all(
        b"# chatfn profiles (chatfn login). It holds application keys: keep it private.\n",
    )
    .and_then(|()| file.write_all(text.as_bytes()))
    .and_then(|()| file.sync_all())
    .map_err(io)?;
    std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    std::fs::rename(&temporary, &path).map_err(io)?;
    Ok(path)
}

/// A server and key, and where they came from (for `whoami`).
pub(crate) struct Resolved {
    pub(crate) url: String,
    pub(crate) key: String,
    pub(crate) source: String,
}

impl Remote {
    /// The server and key to use, by the order in the module's comment.
    pub(crate) fn resolve(&self) -> Result<Resolved, Failure> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let url = self.url.clone().or_else(|| env("CHATFN_URL"));
        let key = self.key.clone().or_else(|| env("CHATFN_KEY"));
        if let (Some(url), Some(key)) = (&url, &key) {
            return Ok(Resolved {
                url: url.clone(),
                key: key.clone(),
                source: "flags or environment".into(),
            });
        }
        let config = read_config()?;
        let name = self
            .profile
            .clone()
            .or_else(|| env("CHATFN_PROFILE"))
            .or_else(|| config.default.clone())
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        let Some(profile) = config.profiles.get(&name) else {
            return Err(Failure::Usage(format!(
                "no server to talk to: run `chatfn login --url URL --key KEY`{}, or set CHATFN_URL and CHATFN_KEY",
                if name == DEFAULT_PROFILE {
                    String::new()
                } else {
                    format!(" --profile {name}")
                }
            )));
        };
        Ok(Resolved {
            url: url.unwrap_or_else(|| profile.url.clone()),
            key: key.unwrap_or_else(|| profile.key.clone()),
            source: format!("profile {name}"),
        })
    }

    pub(crate) fn client(&self) -> Result<ApiClient, Failure> {
        let resolved = self.resolve()?;
        Ok(ApiClient::new(&resolved.url, &resolved.key))
    }
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  chatfn login --url https://functions.example.com --key chatfn_…\n  chatfn login --url http://localhost:8080 --key \"$KEY\" --profile local"
)]
pub(crate) struct LoginArgs {
    /// The server's URL, e.g. `http://localhost:8080`.
    #[arg(long, value_name = "URL")]
    url: String,
    /// The application key (`chatfn apps create` printed it). `-` reads it
    /// from standard input, which keeps it out of the shell's history.
    #[arg(long, value_name = "KEY")]
    key: String,
    /// Save it under this name [default: the default profile].
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

/// `chatfn login`: checks the key against the server, then saves it.
pub(crate) fn login(args: LoginArgs) -> Result<ExitCode, Failure> {
    let key = if args.key == "-" {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("reading the key: {e}")))?;
        line.trim().to_owned()
    } else {
        args.key
    };
    let url = args.url.trim_end_matches('/').to_owned();
    let client = ApiClient::new(&url, &key);
    let application = block_on(client.get("/v1/application"))?.map_err(Failure::from)?;
    let mut config = read_config()?;
    let name = args.profile.unwrap_or_else(|| {
        config
            .default
            .clone()
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned())
    });
    config.profiles.insert(
        name.clone(),
        Profile {
            url: url.clone(),
            key,
        },
    );
    if config.default.is_none() {
        config.default = Some(name.clone());
    }
    let path = write_config(&config)?;
    println!(
        "Logged in to {url} as application {} (id {}{}); saved as profile {name} in {}",
        application["name"].as_str().unwrap_or_default(),
        application["id"],
        if application["access"] == "READ_ONLY" {
            ", read-only key"
        } else {
            ""
        },
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `chatfn whoami`: the server, the application and the key's access.
pub(crate) fn whoami(remote: &Remote) -> Result<ExitCode, Failure> {
    let resolved = remote.resolve()?;
    let client = ApiClient::new(&resolved.url, &resolved.key);
    let application = block_on(client.get("/v1/application"))?.map_err(Failure::from)?;
    println!("server:      {}", resolved.url);
    println!(
        "application: {} (id {})",
        application["name"].as_str().unwrap_or_default(),
        application["id"]
    );
    println!(
        "access:      {}",
        if application["access"] == "READ_ONLY" {
            "read-only"
        } else {
            "full"
        }
    );
    println!("from:        {}", resolved.source);
    Ok(ExitCode::SUCCESS)
}
