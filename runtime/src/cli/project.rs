//! A project folder: `chatfn.toml` describes one application's chat
//! runtime (initialization script, environment, dependencies) and its
//! functions, one per trigger type, each with a handler file.
//!
//! ```toml
//! [runtime]
//! initialization-script = "init.ts"
//! environment = { GREETING = "Welcome" }
//! dependencies = { dayjs = "^1.11.0" }
//!
//! [functions."user.attempted.start_session"]
//! name = "Check sign-ins"
//! handler = "functions/check-sign-ins.ts"
//! timeout-ms = 5000
//! enabled = true
//! instance-reuse = "sequential"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::Failure;
use crate::store::InstanceReuse;

pub(crate) const PROJECT_FILE: &str = "chatfn.toml";

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Project {
    #[serde(default)]
    pub(crate) runtime: RuntimeSection,
    /// Trigger type → its function.
    #[serde(default)]
    pub(crate) functions: BTreeMap<String, FunctionSection>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RuntimeSection {
    /// A script file, relative to the folder.
    pub(crate) initialization_script: Option<PathBuf>,
    /// Variables handlers read from `process.env` (strings, numbers,
    /// booleans).
    #[serde(default)]
    pub(crate) environment: BTreeMap<String, Value>,
    /// npm package → version or range.
    #[serde(default)]
    pub(crate) dependencies: BTreeMap<String, String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct FunctionSection {
    pub(crate) name: String,
    /// The handler file, relative to the folder.
    pub(crate) handler: PathBuf,
    pub(crate) timeout_ms: Option<u32>,
    pub(crate) enabled: Option<bool>,
    /// `none` or `sequential` (see the function resource's `instanceReuse`).
    pub(crate) instance_reuse: Option<InstanceReuse>,
    pub(crate) description: Option<String>,
}

/// A project read from its folder, with its files' text.
pub(crate) struct Loaded {
    pub(crate) dir: PathBuf,
    pub(crate) project: Project,
    pub(crate) init_script: Option<(PathBuf, String)>,
    /// Trigger type → (handler path as written, its text).
    pub(crate) handlers: BTreeMap<String, (PathBuf, String)>,
}

impl Loaded {
    /// Reads `dir/chatfn.toml` and the files it names; every problem is a
    /// usage error naming the file.
    pub(crate) fn read(dir: &Path) -> Result<Loaded, Failure> {
        let path = dir.join(PROJECT_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::Usage(format!(
                "{}: {e}{}",
                path.display(),
                if e.kind() == std::io::ErrorKind::NotFound {
                    " (`chatfn init` makes a project)"
                } else {
                    ""
                }
            ))
        })?;
        let project: Project = toml::from_str(&text)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        for (name, value) in &project.runtime.environment {
            if !(value.is_string() || value.is_number() || value.is_boolean()) {
                return Err(Failure::Usage(format!(
                    "{}: runtime.environment.{name} must be a string, a number or a boolean",
                    path.display()
                )));
            }
        }
        let known: Vec<&str> = crate::triggers::TRIGGER_TYPES
            .iter()
            .map(|t| t.name)
            .collect();
        for trigger in project.functions.keys() {
            if !known.contains(&trigger.as_str()) {
                return Err(Failure::Usage(format!(
                    "{}: {trigger:?} is not a trigger type (one of {})",
                    path.display(),
                    known.join(", ")
                )));
            }
        }
        let read = |file: &Path| {
            std::fs::read_to_string(dir.join(file))
                .map_err(|e| Failure::Usage(format!("{}: {e}", dir.join(file).display())))
        };
        let init_script = match &project.runtime.initialization_script {
            Some(file) => Some((file.clone(), read(file)?)),
            None => None,
        };
        let mut handlers = BTreeMap::new();
        for (trigger, function) in &project.functions {
            handlers.insert(
                trigger.clone(),
                (function.handler.clone(), read(&function.handler)?),
            );
        }
        Ok(Loaded {
            dir: dir.to_owned(),
            project,
            init_script,
            handlers,
        })
    }
}
