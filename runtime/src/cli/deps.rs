//! `chatfn invoke --deps`: a dependency list in the chat runtime's JSON
//! shape, installed with progress on standard error.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;

use npm_resolver::{Progress, ProgressEvent};
use serde::Deserialize;

use super::UsageError;
use crate::store::Dependency;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    version: String,
    #[serde(default, alias = "default_dependency", rename = "defaultDependency")]
    _default: Option<bool>,
}

/// Reads `[{"name": "dayjs", "version": "^1.11.0"}, …]` from `path`.
pub(crate) fn read(path: &Path) -> anyhow::Result<Vec<Dependency>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
    let entries: Vec<Entry> = serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "{} must be a list like [{{\"name\": \"dayjs\", \"version\": \"^1.11.0\"}}]: {e}",
            path.display()
        ))
    })?;
    Ok(entries
        .into_iter()
        .map(|e| Dependency {
            name: e.name,
            version: e.version,
        })
        .collect())
}

/// One updating line on a terminal; JSON lines otherwise (for CI logs).
pub(super) struct StderrProgress {
    terminal: bool,
    drawn: Mutex<bool>,
}

impl StderrProgress {
    pub(super) fn new() -> StderrProgress {
        StderrProgress {
            terminal: std::io::stderr().is_terminal(),
            drawn: Mutex::new(false),
        }
    }

    pub(super) fn finish(&self) {
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
