//! Resolution like npm's: breadth-first over the dependency graph, each
//! package placed as high in the `node_modules` tree as it can go without
//! conflicting with (or shadowing) another version, reused wherever an
//! existing placement satisfies the range.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use nodejs_semver::{Range, Version};

use crate::lockfile::{LockedPackage, Lockfile};
use crate::registry::{Manifest, Packument, Registry, Session};
use crate::spec::{self, Want};
use crate::{Error, Progress, ProgressEvent, Result};

/// Packuments fetched at once.
const PARALLEL_FETCHES: usize = 16;

/// The platform packages are filtered for: no native code runs in the
/// sandbox, so `cpu`-restricted packages (native binaries) never match.
const OS: &str = "linux";
const CPU: &str = "wasm32";

struct Node {
    package: String,
    manifest: Arc<Manifest>,
}

/// One dependency to satisfy: `from` (a location, "" for the root) needs
/// `name` at `spec`.
struct Need {
    from: String,
    name: String,
    spec: String,
    optional: bool,
}

/// Where a dependency was found.
struct Edge {
    from: String,
    name: String,
    at: String,
}

pub(crate) struct Resolution {
    pub(crate) lockfile: Lockfile,
    pub(crate) warnings: Vec<String>,
}

pub(crate) async fn resolve(
    registry: &Registry,
    dependencies: &[(String, String)],
    max_packages: usize,
    progress: &dyn Progress,
) -> Result<Resolution> {
    let registry = &registry.session();
    let mut tree: BTreeMap<String, Node> = BTreeMap::new();
    let mut edges: Vec<Edge> = Vec::new();
    let mut warnings = Vec::new();
    let mut wave: VecDeque<Need> = dependencies
        .iter()
        .map(|(name, spec)| Need {
            from: String::new(),
            name: name.clone(),
            spec: spec.clone(),
            optional: false,
        })
        .collect();
    while !wave.is_empty() {
        prefetch(registry, &wave).await;
        let mut next = VecDeque::new();
        for need in wave.drain(..) {
            let placed = satisfy(registry, &need, &mut tree, &mut edges, &mut warnings).await;
            let placed = match placed {
                Ok(placed) => placed,
                Err(e) if need.optional => {
                    warnings.push(format!(
                        "optional dependency {}@{} skipped: {e}",
                        need.name, need.spec
                    ));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let Some(location) = placed else { continue };
            if tree.len() > max_packages {
                return Err(Error::TooManyPackages(max_packages));
            }
            let node = &tree[&location];
            progress.event(ProgressEvent::Resolved {
                name: node.package.clone(),
                version: node.manifest.version.clone(),
                total: tree.len(),
            });
            next.extend(needs_of(&location, &node.manifest));
        }
        wave = next;
    }
    let packages = tree
        .into_iter()
        .map(|(location, node)| {
            let m = &node.manifest;
            let locked = LockedPackage {
                name: node.package,
                version: m.version.clone(),
                resolved: m.tarball.clone(),
                integrity: m.integrity.clone().unwrap_or_default(),
                dependencies: m.dependencies.clone(),
            };
            (location, locked)
        })
        .collect();
    Ok(Resolution {
        lockfile: Lockfile::new(dependencies.iter().cloned().collect(), packages),
        warnings,
    })
}

/// Fetches the wave's packuments concurrently, so the sequential pass that
/// follows (which keeps placement deterministic) finds them cached.
/// Failures are left for that pass to report.
async fn prefetch(registry: &Session<'_>, wave: &VecDeque<Need>) {
    let mut names: Vec<String> = wave
        .iter()
        .filter_map(|n| spec::parse(&n.name, &n.spec).ok().map(|s| s.package))
        .collect();
    names.sort();
    names.dedup();
    let semaphore = tokio::sync::Semaphore::new(PARALLEL_FETCHES);
    let fetches = names.iter().map(|name| async {
        let _permit = semaphore.acquire().await;
        let _ = registry.packument(name).await;
    });
    futures_util::future::join_all(fetches).await;
}

/// The dependencies a placed package brings, in a stable order.
fn needs_of(location: &str, m: &Manifest) -> Vec<Need> {
    let mut needs = BTreeMap::new();
    for (name, spec) in &m.peer_dependencies {
        if !m.optional_peers.contains(name) {
            needs.insert(name.clone(), (spec.clone(), false));
        }
    }
    for (name, spec) in &m.dependencies {
        needs.insert(name.clone(), (spec.clone(), false));
    }
    // npm: an optional dependency listed in both wins as optional.
    for (name, spec) in &m.optional_dependencies {
        needs.insert(name.clone(), (spec.clone(), true));
    }
    needs
        .into_iter()
        .filter(|(name, _)| !m.bundled.contains(name))
        .map(|(name, (spec, optional))| Need {
            from: location.to_owned(),
            name,
            spec,
            optional,
        })
        .collect()
}

/// Satisfies `need` from the tree or places a new package. Returns the new
/// package's location, if one was placed.
async fn satisfy(
    registry: &Session<'_>,
    need: &Need,
    tree: &mut BTreeMap<String, Node>,
    edges: &mut Vec<Edge>,
    warnings: &mut Vec<String>,
) -> Result<Option<String>> {
    let spec = spec::parse(&need.name, &need.spec)?;
    // Walk up from `from`: reuse a satisfying placement, and stop at a
    // conflicting one (the new copy must go below it).
    let mut candidates = Vec::new();
    let mut dir = Some(need.from.clone());
    while let Some(d) = dir {
        let location = child(&d, &need.name);
        if let Some(node) = tree.get(&location) {
            if node.package == spec.package && wants(&spec.want, &node.manifest.version) {
                edges.push(Edge {
                    from: need.from.clone(),
                    name: need.name.clone(),
                    at: location,
                });
                return Ok(None);
            }
            break;
        }
        candidates.push((d.clone(), location));
        dir = parent(&d);
    }
    let packument = registry.packument(&spec.package).await?;
    let manifest = pick(&packument, &spec.package, &spec.want, &need.spec)?;
    check_platform(&spec.package, &manifest)?;
    check_scripts(&spec.package, &manifest, warnings)?;
    if manifest.integrity.is_none() || manifest.tarball.is_empty() {
        return Err(Error::Registry {
            url: format!("{}@{}", spec.package, manifest.version),
            message: "the registry lists no tarball with an integrity hash".into(),
        });
    }
    // The highest candidate whose subtree has no edge to `name` resolved
    // above it (placing there would shadow it).
    let shadows = |dir: &str| {
        edges
            .iter()
            .any(|e| e.name == need.name && within(&e.from, dir) && !within(&e.at, dir))
    };
    let location = candidates
        .iter()
        .rev()
        .find(|(dir, _)| !shadows(dir))
        .or_else(|| candidates.first())
        .map(|(_, location)| location.clone())
        .unwrap_or_else(|| child(&need.from, &need.name));
    edges.push(Edge {
        from: need.from.clone(),
        name: need.name.clone(),
        at: location.clone(),
    });
    tree.insert(
        location.clone(),
        Node {
            package: spec.package,
            manifest,
        },
    );
    Ok(Some(location))
}

fn wants(want: &Want, version: &str) -> bool {
    match want {
        Want::Range(range) => Version::parse(version).is_ok_and(|v| range.satisfies(&v)),
        // A tag is satisfied only by what it points at, checked at pick time;
        // an existing placement of any version is reused like npm does for
        // `latest` when it is already present.
        Want::Tag(_) => true,
    }
}

/// npm's choice: the `latest` tag if it satisfies the range, else the
/// highest satisfying version.
fn pick(packument: &Packument, package: &str, want: &Want, spec: &str) -> Result<Arc<Manifest>> {
    let no_match = || Error::NoMatchingVersion {
        name: package.to_owned(),
        spec: spec.to_owned(),
        latest: packument.dist_tags.get("latest").cloned(),
    };
    let version = match want {
        Want::Tag(tag) => packument.dist_tags.get(tag).cloned().ok_or_else(no_match)?,
        Want::Range(range) => choose(packument, range).ok_or_else(no_match)?,
    };
    packument
        .versions
        .get(&version)
        .cloned()
        .ok_or_else(no_match)
}

fn choose(packument: &Packument, range: &Range) -> Option<String> {
    if let Some(latest) = packument.dist_tags.get("latest")
        && packument.versions.contains_key(latest)
        && Version::parse(latest).is_ok_and(|v| range.satisfies(&v))
    {
        return Some(latest.clone());
    }
    let versions: Vec<Version> = packument
        .versions
        .keys()
        .filter_map(|v| Version::parse(v).ok())
        .collect();
    range.max_satisfying(&versions).map(ToString::to_string)
}

fn check_platform(package: &str, m: &Manifest) -> Result<()> {
    let allowed = |list: &[String], ours: &str| {
        if list.is_empty() {
            return true;
        }
        let denied = list.iter().any(|x| x.strip_prefix('!') == Some(ours));
        let positives: Vec<&String> = list.iter().filter(|x| !x.starts_with('!')).collect();
        !denied && (positives.is_empty() || positives.iter().any(|x| *x == ours))
    };
    if allowed(&m.os, OS) && allowed(&m.cpu, CPU) {
        Ok(())
    } else {
        Err(Error::Unsupported {
            name: package.to_owned(),
            version: m.version.clone(),
            reason: format!(
                "it is built for os {:?} / cpu {:?} (a native binary); the chat runtime runs JavaScript only",
                m.os, m.cpu
            ),
        })
    }
}

/// Install scripts never run; a package that needs one to build native
/// code cannot work, and one that runs something else might not.
fn check_scripts(package: &str, m: &Manifest, warnings: &mut Vec<String>) -> Result<()> {
    let native = |s: &str| {
        [
            "node-gyp",
            "prebuild-install",
            "node-pre-gyp",
            "cmake-js",
            "napi",
        ]
        .iter()
        .any(|tool| s.contains(tool))
    };
    let install: Vec<(&String, &String)> = m
        .scripts
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "preinstall" | "install" | "postinstall"))
        .collect();
    if m.gypfile || install.iter().any(|(_, v)| native(v)) {
        return Err(Error::Unsupported {
            name: package.to_owned(),
            version: m.version.clone(),
            reason: "it needs a native build (node-gyp), and the chat runtime runs JavaScript only"
                .into(),
        });
    }
    for (script, command) in install {
        warnings.push(format!(
            "{package}@{}: its {script} script was not run ({command})",
            m.version
        ));
    }
    Ok(())
}

/// `dir`'s `node_modules/<name>`.
fn child(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        format!("node_modules/{name}")
    } else {
        format!("{dir}/node_modules/{name}")
    }
}

/// The package directory that holds `location`'s `node_modules`.
fn parent(location: &str) -> Option<String> {
    if location.is_empty() {
        return None;
    }
    Some(
        location
            .rfind("/node_modules/")
            .map_or_else(String::new, |i| location[..i].to_owned()),
    )
}

/// Whether `location` is `dir` or inside it.
fn within(location: &str, dir: &str) -> bool {
    dir.is_empty()
        || location == dir
        || (location.starts_with(dir) && location[dir.len()..].starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_paths() {
        assert_eq!(child("", "a"), "node_modules/a");
        assert_eq!(
            child("node_modules/a", "@s/b"),
            "node_modules/a/node_modules/@s/b"
        );
        assert_eq!(
            parent("node_modules/a/node_modules/@s/b"),
            Some("node_modules/a".into())
        );
        assert_eq!(parent("node_modules/a"), Some(String::new()));
        assert_eq!(parent(""), None);
        assert!(within("node_modules/a/node_modules/b", "node_modules/a"));
        assert!(!within("node_modules/ab", "node_modules/a"));
        assert!(within("node_modules/x", ""));
    }

    #[test]
    fn platform_filters() {
        let m = |os: &[&str], cpu: &[&str]| Manifest {
            os: os.iter().map(|s| s.to_string()).collect(),
            cpu: cpu.iter().map(|s| s.to_string()).collect(),
            ..Manifest::default()
        };
        assert!(check_platform("x", &m(&[], &[])).is_ok());
        assert!(check_platform("x", &m(&["linux", "darwin"], &[])).is_ok());
        assert!(check_platform("x", &m(&["!win32"], &[])).is_ok());
        assert!(check_platform("x", &m(&["darwin"], &[])).is_err());
        assert!(check_platform("x", &m(&[], &["x64"])).is_err());
    }
}
