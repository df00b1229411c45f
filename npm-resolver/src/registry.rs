//! The npm registry: packuments (all versions of a package, fetched once per
//! install and shared by concurrent lookups) and tarballs.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::http::{GetError, HttpClient};
use crate::{Error, Result};

/// Packuments past this are refused (the largest seen, firebase's, is 25 MB).
const MAX_PACKUMENT_BYTES: usize = 64 << 20;
/// Tarballs past this are refused.
pub(crate) const MAX_TARBALL_BYTES: usize = 64 << 20;

/// What resolution needs from one version's manifest.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    pub(crate) version: String,
    pub(crate) dependencies: BTreeMap<String, String>,
    pub(crate) optional_dependencies: BTreeMap<String, String>,
    pub(crate) peer_dependencies: BTreeMap<String, String>,
    pub(crate) optional_peers: Vec<String>,
    pub(crate) bundled: Vec<String>,
    pub(crate) os: Vec<String>,
    pub(crate) cpu: Vec<String>,
    pub(crate) tarball: String,
    /// `sha512-…` or `sha1-…`, from `dist.integrity` or `dist.shasum`.
    pub(crate) integrity: Option<String>,
    pub(crate) scripts: BTreeMap<String, String>,
    pub(crate) gypfile: bool,
}

/// A package's versions and dist-tags.
#[derive(Debug)]
pub(crate) struct Packument {
    pub(crate) dist_tags: BTreeMap<String, String>,
    pub(crate) versions: BTreeMap<String, Arc<Manifest>>,
}

/// Why a packument fetch failed, kept for the session (so a failing
/// package is not fetched again within one resolution).
#[derive(Clone)]
enum FetchFailure {
    NotFound { name: String },
    Registry { url: String, message: String },
}

impl From<FetchFailure> for Error {
    fn from(failure: FetchFailure) -> Error {
        match failure {
            FetchFailure::NotFound { name } => Error::NotFound { name },
            FetchFailure::Registry { url, message } => Error::Registry { url, message },
        }
    }
}

type Fetched = Result<Arc<Packument>, FetchFailure>;
type Slot = Arc<OnceCell<Fetched>>;

pub(crate) struct Registry {
    base: String,
    http: HttpClient,
}

/// Packuments fetched during one resolution: each at most once, shared by
/// concurrent lookups. A new session sees newly published versions.
pub(crate) struct Session<'r> {
    registry: &'r Registry,
    packuments: Mutex<HashMap<String, Slot>>,
}

impl Session<'_> {
    /// The packument of `name`.
    pub(crate) async fn packument(&self, name: &str) -> Result<Arc<Packument>> {
        let slot = Arc::clone(
            self.packuments
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(name.to_owned())
                .or_default(),
        );
        let fetched = slot
            .get_or_init(|| async {
                self.registry
                    .fetch_packument(name)
                    .await
                    .map_err(|e| match e {
                        Error::NotFound { name } => FetchFailure::NotFound { name },
                        Error::Registry { url, message } => FetchFailure::Registry { url, message },
                        other => FetchFailure::Registry {
                            url: name.to_owned(),
                            message: other.to_string(),
                        },
                    })
            })
            .await;
        fetched.clone().map_err(Error::from)
    }
}

impl Registry {
    pub(crate) fn new(base: &str, http: HttpClient) -> Registry {
        Registry {
            base: base.trim_end_matches('/').to_owned(),
            http,
        }
    }

    pub(crate) fn session(&self) -> Session<'_> {
        Session {
            registry: self,
            packuments: Mutex::default(),
        }
    }

    async fn fetch_packument(&self, name: &str) -> Result<Arc<Packument>> {
        // Scoped names keep their `@` and encode the `/`.
        let url = format!("{}/{}", self.base, name.replace('/', "%2F"));
        let body = self
            .http
            .get(&url, "application/json", MAX_PACKUMENT_BYTES)
            .await
            .map_err(|e| match e {
                GetError::Status(404) => Error::NotFound {
                    name: name.to_owned(),
                },
                other => Error::Registry {
                    url: url.clone(),
                    message: other.to_string(),
                },
            })?;
        let value: Value = serde_json::from_slice(&body).map_err(|e| Error::Registry {
            url: url.clone(),
            message: format!("the packument is not JSON: {e}"),
        })?;
        Ok(Arc::new(parse_packument(&value)))
    }

    /// The tarball at `url`.
    pub(crate) async fn tarball(&self, url: &str) -> Result<Bytes> {
        self.http
            .get(url, "application/octet-stream", MAX_TARBALL_BYTES)
            .await
            .map_err(|e| Error::Registry {
                url: url.to_owned(),
                message: e.to_string(),
            })
    }
}

/// Reads what resolution needs, leniently: old packuments have fields of
/// odd types (arrays for `dependencies`, strings for `os`).
fn parse_packument(value: &Value) -> Packument {
    let dist_tags = string_map(&value["dist-tags"]);
    let mut versions = BTreeMap::new();
    if let Some(all) = value["versions"].as_object() {
        for (version, manifest) in all {
            versions.insert(version.clone(), Arc::new(parse_manifest(version, manifest)));
        }
    }
    Packument {
        dist_tags,
        versions,
    }
}

fn parse_manifest(version: &str, m: &Value) -> Manifest {
    let dist = &m["dist"];
    let integrity = dist["integrity"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| dist["shasum"].as_str().and_then(sha1_integrity));
    let optional_peers = m["peerDependenciesMeta"]
        .as_object()
        .map(|meta| {
            meta.iter()
                .filter(|(_, v)| v["optional"].as_bool() == Some(true))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    let bundled = match (&m["bundleDependencies"], &m["bundledDependencies"]) {
        (Value::Array(_), _) => string_list(&m["bundleDependencies"]),
        (_, Value::Array(_)) => string_list(&m["bundledDependencies"]),
        // `true` bundles every dependency.
        (Value::Bool(true), _) | (_, Value::Bool(true)) => {
            string_map(&m["dependencies"]).into_keys().collect()
        }
        _ => Vec::new(),
    };
    Manifest {
        version: version.to_owned(),
        dependencies: string_map(&m["dependencies"]),
        optional_dependencies: string_map(&m["optionalDependencies"]),
        peer_dependencies: string_map(&m["peerDependencies"]),
        optional_peers,
        bundled,
        os: string_list(&m["os"]),
        cpu: string_list(&m["cpu"]),
        tarball: dist["tarball"].as_str().unwrap_or_default().to_owned(),
        integrity,
        scripts: string_map(&m["scripts"]),
        gypfile: m["gypfile"].as_bool() == Some(true),
    }
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn string_list(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// `dist.shasum` (hex sha1) as an integrity string.
fn sha1_integrity(hex: &str) -> Option<String> {
    use base64::Engine;
    if hex.len() != 40 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..20)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    Some(format!(
        "sha1-{}",
        base64::engine::general_purpose::STANDARD.encode(bytes?)
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn manifests_are_read_leniently() {
        let p = parse_packument(&json!({
            "dist-tags": { "latest": "1.0.0" },
            "versions": {
                "1.0.0": {
                    "dependencies": { "a": "^1", "weird": 3 },
                    "optionalDependencies": { "b": "2" },
                    "peerDependencies": { "c": "*", "d": "*" },
                    "peerDependenciesMeta": { "d": { "optional": true } },
                    "os": "linux",
                    "bundleDependencies": true,
                    "dist": { "tarball": "https://r/x.tgz", "shasum": "574c8138ce1d2b5861f0b44579dbadd60c6615b2" },
                    "gypfile": true
                },
                "0.1.0": { "dependencies": ["old", "style"], "dist": {} }
            }
        }));
        let m = &p.versions["1.0.0"];
        assert_eq!(m.dependencies.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(m.optional_peers, ["d"]);
        assert_eq!(m.os, ["linux"]);
        assert_eq!(m.bundled, ["a"]);
        assert!(m.gypfile);
        assert_eq!(
            m.integrity.as_deref(),
            Some("sha1-V0yBOM4dK1hh8LRFedut1gxmFbI=")
        );
        assert!(p.versions["0.1.0"].dependencies.is_empty());
        assert_eq!(p.dist_tags["latest"], "1.0.0");
    }
}
