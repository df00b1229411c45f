//! `chatfn invoke --deps`: a dependency list in the chat runtime's JSON
//! shape, installed with progress on standard error.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use npm_resolver::{Installer, InstallerConfig, Progress, ProgressEvent};
use serde::Deserialize;

use super::UsageError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    version: String,
    #[serde(default, alias = "default_dependency", rename = "defaultDependency")]
    _default: Option<bool>,
}

/// Reads `[{"name": "dayjs", "version": "^1.11.0"}, …]` from `path`.
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
    let entries: Vec<Entry> = serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "{} must be a list like [{{\"name\": \"dayjs\", \"version\": \"^1.11.0\"}}]: {e}",
            path.display()
        ))
    })?;
    Ok(entries.into_iter().map(|e| (e.name, e.version)).collect())
}

/// Resolves and installs `deps`; returns the module map and warnings.
pub(crate) async fn install(
    deps: &[(String, String)],
    registry: &str,
    dir: PathBuf,
    compiler: compiler::Compiler,
) -> Result<(BTreeMap<String, String>, Vec<String>), npm_resolver::Error> {
    let mut config = InstallerConfig::new(dir);
    config.registry = registry.to_owned();
    let installer = Installer::new(config, compiler);
    let progress = StderrProgress::new();
    let resolution = installer.resolve(deps, &progress).await?;
    let installed = installer.install(&resolution.lockfile, &progress).await;
    progress.finish();
    let installed = installed?;
    let mut warnings = resolution.warnings;
    warnings.extend(installed.warnings);
    Ok((installed.modules, warnings))
}

/// One updating line on a terminal; JSON lines otherwise (for CI logs).
struct StderrProgress {
    terminal: bool,
    drawn: Mutex<bool>,
}

impl StderrProgress {
    fn new() -> StderrProgress {
        StderrProgress {
            terminal: std::io::stderr().is_terminal(),
            drawn: Mutex::new(false),
        }
    }

    fn finish(&self) {
        if self.terminal && self.drawn.lock().is_ok_and(|d| *d) {
            eprintln!();
        }
    }
}

impl Progress for StderrProgress {
    fn event(&self, event: ProgressEvent) {
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let line = match &event {
                ProgressEvent::Resolved {
                    name,
                    version,
                    total,
                } => format!("resolving: {total} packages ({name}@{version})"),
                ProgressEvent::Fetched {
                    name,
                    version,
                    done,
                    total,
                    ..
                } => format!("downloading: {done}/{total} ({name}@{version})"),
            };
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            if let Ok(mut drawn) = self.drawn.lock() {
                *drawn = true;
            }
            return;
        }
        let json = match event {
            ProgressEvent::Resolved {
                name,
                version,
                total,
            } => {
                serde_json::json!({ "progress": "resolved", "package": name, "version": version, "total": total })
            }
            ProgressEvent::Fetched {
                name,
                version,
                bytes,
                done,
                total,
            } => {
                serde_json::json!({ "progress": "fetched", "package": name, "version": version, "bytes": bytes, "done": done, "total": total })
            }
        };
        let _ = writeln!(err, "{json}");
    }
}
