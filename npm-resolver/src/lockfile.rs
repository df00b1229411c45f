//! The lockfile: everything an install needs, resolved, so installing it
//! again needs no resolution and gives the same tree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The lockfile format version this crate writes and reads.
const LOCKFILE_VERSION: u32 = 1;

/// A resolved dependency tree, laid out like `node_modules`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lockfile {
    lockfile_version: u32,
    /// The root dependencies as requested: name → spec.
    pub dependencies: BTreeMap<String, String>,
    /// Install location (`node_modules/a/node_modules/b`) → package.
    pub packages: BTreeMap<String, LockedPackage>,
}

/// One installed package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockedPackage {
    /// The registry package (differs from the folder name for aliases).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// The tarball's URL.
    pub resolved: String,
    /// `sha512-<base64>` (or `sha1-<base64>` for very old packages).
    pub integrity: String,
    /// What it depends on, as its manifest says (name → spec).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, String>,
}

impl Lockfile {
    pub(crate) fn new(
        dependencies: BTreeMap<String, String>,
        packages: BTreeMap<String, LockedPackage>,
    ) -> Lockfile {
        Lockfile {
            lockfile_version: LOCKFILE_VERSION,
            dependencies,
            packages,
        }
    }

    /// An empty lockfile (no dependencies).
    pub fn empty() -> Lockfile {
        Lockfile::new(BTreeMap::new(), BTreeMap::new())
    }

    /// The lockfile as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a lockfile, checking its version and every location and name.
    pub fn from_json(json: &str) -> Result<Lockfile> {
        let lockfile: Lockfile =
            serde_json::from_str(json).map_err(|e| Error::InvalidLockfile(e.to_string()))?;
        if lockfile.lockfile_version != LOCKFILE_VERSION {
            return Err(Error::InvalidLockfile(format!(
                "lockfile version {} is not {LOCKFILE_VERSION}",
                lockfile.lockfile_version
            )));
        }
        for (location, package) in &lockfile.packages {
            if !valid_location(location) {
                return Err(Error::InvalidLockfile(format!(
                    "'{location}' is not a node_modules location"
                )));
            }
            crate::spec::validate_name(&package.name)?;
        }
        Ok(lockfile)
    }

    /// Whether this lockfile answers exactly these root dependencies.
    pub fn matches(&self, dependencies: &[(String, String)]) -> bool {
        self.dependencies.len() == dependencies.len()
            && dependencies
                .iter()
                .all(|(name, spec)| self.dependencies.get(name) == Some(spec))
    }
}

/// `node_modules/<name>(/node_modules/<name>)*`, each name valid.
fn valid_location(location: &str) -> bool {
    let mut rest = location;
    loop {
        let Some(after) = rest.strip_prefix("node_modules/") else {
            return false;
        };
        let (name, next) = match after.strip_prefix('@') {
            Some(scoped) => match scoped.split_once('/') {
                Some((scope, tail)) => {
                    let (bare, next) = tail.split_once('/').map_or((tail, ""), |(b, n)| (b, n));
                    (format!("@{scope}/{bare}"), next)
                }
                None => return false,
            },
            None => {
                let (bare, next) = after.split_once('/').map_or((after, ""), |(b, n)| (b, n));
                (bare.to_owned(), next)
            }
        };
        if crate::spec::validate_name(&name).is_err() {
            return false;
        }
        if next.is_empty() {
            return true;
        }
        rest = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_node_modules_paths() {
        for ok in [
            "node_modules/a",
            "node_modules/@s/a",
            "node_modules/a/node_modules/@s/b/node_modules/c",
        ] {
            assert!(valid_location(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "node_modules/",
            "node_modules/../x",
            "node_modules/a/b",
            "node_modules/@s",
            "/node_modules/a",
            "node_modules/a/node_modules/..",
        ] {
            assert!(!valid_location(bad), "{bad}");
        }
    }

    #[test]
    fn round_trip_and_version_check() {
        let mut packages = BTreeMap::new();
        packages.insert(
            "node_modules/ms".to_string(),
            LockedPackage {
                name: "ms".into(),
                version: "2.1.3".into(),
                resolved: "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz".into(),
                integrity: "sha512-abc".into(),
                dependencies: BTreeMap::new(),
            },
        );
        let lock = Lockfile::new(BTreeMap::from([("ms".into(), "^2".into())]), packages);
        assert_eq!(
            Lockfile::from_json(&lock.to_json()).ok(),
            Some(lock.clone())
        );
        assert!(lock.matches(&[("ms".into(), "^2".into())]));
        assert!(!lock.matches(&[("ms".into(), "^3".into())]));
        let newer = lock
            .to_json()
            .replace("\"lockfileVersion\": 1", "\"lockfileVersion\": 9");
        assert!(Lockfile::from_json(&newer).is_err());
    }
}
