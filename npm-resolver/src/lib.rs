//! Resolves and installs a chat runtime's npm dependencies: a registry
//! client, npm-style resolution into a lockfile, tarballs verified against
//! their integrity hash and extracted into a content-addressed store, and
//! the module map an image is built with (ES module files converted to
//! CommonJS). Install scripts never run.
//!
//! ```no_run
//! # async fn example() -> Result<(), npm_resolver::Error> {
//! use npm_resolver::{Installer, InstallerConfig, NoProgress};
//! let installer = Installer::new(InstallerConfig::new("/var/lib/chatfn/npm"), compiler::Compiler::default());
//! let deps = [("dayjs".to_string(), "^1.11.0".to_string())];
//! let resolution = installer.resolve(&deps, &NoProgress).await?;
//! let installed = installer.install(&resolution.lockfile, &NoProgress).await?;
//! assert!(installed.modules.contains_key("/node_modules/dayjs/package.json"));
//! # Ok(()) }
//! ```

mod collect;
mod entry;
mod error;
mod http;
mod layout;
mod lockfile;
pub mod net;
mod registry;
mod resolve;
mod spec;
mod store;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use compiler::Compiler;

pub use collect::Collected;
pub use entry::resolve_require;
pub use error::{Error, Result};
pub use lockfile::{LockedPackage, Lockfile};

use registry::Registry;
use store::Store;

/// Removes the least recently used packages and conversions under an
/// installer's `dir` ([`InstallerConfig::dir`]) until they hold at most
/// `max_bytes`, keeping whatever an install used within `grace`. Removed
/// packages are downloaded again by the next install that needs them.
/// Blocking: call it off the async threads.
pub fn collect(dir: &Path, max_bytes: u64, grace: Duration) -> Result<Collected> {
    collect::collect(&dir.join(STORE), &dir.join(CONVERSIONS), max_bytes, grace).map_err(|source| {
        Error::Io {
            context: format!("collecting the package store in {}", dir.display()),
            source,
        }
    })
}

/// Under [`InstallerConfig::dir`]: extracted packages, and ES module files
/// converted to CommonJS.
const STORE: &str = "store";
const CONVERSIONS: &str = "esm-cache";

/// The public npm registry.
pub const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org";

/// What an install reports while it runs.
#[derive(Clone, Debug)]
pub enum ProgressEvent {
    /// A package was placed in the tree; `total` placed so far.
    Resolved {
        /// The package.
        name: String,
        /// Its chosen version.
        version: String,
        /// Packages placed so far.
        total: usize,
    },
    /// A tarball was downloaded and extracted.
    Fetched {
        /// The package.
        name: String,
        /// Its version.
        version: String,
        /// The tarball's size.
        bytes: usize,
        /// Tarballs fetched so far.
        done: usize,
        /// Tarballs to fetch.
        total: usize,
    },
}

/// Receives progress events (a terminal bar, structured logs, …).
pub trait Progress: Send + Sync {
    /// Called for each event, from any thread.
    fn event(&self, event: ProgressEvent);
}

/// Ignores progress.
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _: ProgressEvent) {}
}

/// Where to install from and to, and the bounds of an install.
#[derive(Clone, Debug)]
pub struct InstallerConfig {
    /// The registry's base URL.
    pub registry: String,
    /// Where packages and conversions are kept.
    pub dir: PathBuf,
    /// Limit per HTTP request.
    pub timeout: Duration,
    /// Retries of a request that failed with 5xx or a network error.
    pub retries: u32,
    /// Largest dependency tree.
    pub max_packages: usize,
    /// Tarballs downloaded at once.
    pub parallel_downloads: usize,
}

impl InstallerConfig {
    /// The public registry, keeping packages under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> InstallerConfig {
        InstallerConfig {
            registry: DEFAULT_REGISTRY.to_owned(),
            dir: dir.into(),
            timeout: Duration::from_secs(60),
            retries: 3,
            max_packages: 1000,
            parallel_downloads: 8,
        }
    }
}

/// A resolved tree.
#[derive(Debug)]
pub struct Resolution {
    /// The tree, pinned.
    pub lockfile: Lockfile,
    /// Things the user should know (skipped optional packages, install
    /// scripts that were not run).
    pub warnings: Vec<String>,
}

/// An installed tree, as a module map.
#[derive(Debug)]
pub struct Installed {
    /// `/node_modules/<name>/<file>` → source.
    pub modules: BTreeMap<String, String>,
    /// ES module files that could not be converted, dependencies that
    /// `require` cannot load.
    pub warnings: Vec<String>,
    /// Packages installed.
    pub packages: usize,
    /// Of those, packages the store lacked (downloaded by this install).
    pub downloaded: usize,
    /// Total bytes of `modules`.
    pub bytes: usize,
}

/// Resolves and installs dependency lists. One per process is enough: each
/// resolution fetches packuments afresh (once each), and HTTP connections
/// are pooled.
pub struct Installer {
    config: InstallerConfig,
    registry: Registry,
    store: Store,
    compiler: Compiler,
}

impl Installer {
    /// An installer; `compiler` converts ES module package files.
    pub fn new(config: InstallerConfig, compiler: Compiler) -> Installer {
        let http = http::HttpClient::new(config.timeout, config.retries);
        Installer {
            registry: Registry::new(&config.registry, http),
            store: Store::new(config.dir.join(STORE)),
            compiler,
            config,
        }
    }

    /// Resolves `dependencies` (name → spec, as a chat runtime lists them)
    /// against the registry.
    pub async fn resolve(
        &self,
        dependencies: &[(String, String)],
        progress: &dyn Progress,
    ) -> Result<Resolution> {
        let resolved = resolve::resolve(
            &self.registry,
            dependencies,
            self.config.max_packages,
            progress,
        )
        .await?;
        Ok(Resolution {
            lockfile: resolved.lockfile,
            warnings: resolved.warnings,
        })
    }

    /// Installs `lockfile`: packages already in the store are used as they
    /// are (no network); others are downloaded from their locked URL and
    /// verified against their locked integrity.
    pub async fn install(&self, lockfile: &Lockfile, progress: &dyn Progress) -> Result<Installed> {
        let missing: Vec<(&String, &LockedPackage)> = lockfile
            .packages
            .iter()
            .filter(|(_, p)| !self.store.contains(&p.integrity))
            .collect();
        self.download(&missing, progress).await?;
        let downloaded = missing.len();

        let mut modules = BTreeMap::new();
        let mut warnings = Vec::new();
        let mut bytes = 0usize;
        for (location, package) in &lockfile.packages {
            let what = format!("{}@{}", package.name, package.version);
            let dir = self
                .store
                .path(&package.integrity)
                .ok_or_else(|| Error::Integrity {
                    package: what.clone(),
                    expected: package.integrity.clone(),
                    actual: "(unsupported integrity value)".into(),
                })?;
            let compiler = self.compiler.clone();
            let cache = self.config.dir.join(CONVERSIONS);
            let name = what.clone();
            let files = tokio::task::spawn_blocking(move || {
                collect::mark_used(&dir);
                layout::package_files(&compiler, &name, &dir, &cache)
            })
            .await
            .map_err(|e| Error::Io {
                context: format!("reading {what}"),
                source: std::io::Error::other(e.to_string()),
            })??;
            warnings.extend(files.warnings);
            for (path, source) in files.files {
                bytes += source.len();
                if bytes > layout::MAX_MODULE_BYTES {
                    return Err(Error::TooLarge(layout::MAX_MODULE_BYTES));
                }
                modules.insert(format!("/{location}/{path}"), source);
            }
        }
        for name in lockfile.dependencies.keys() {
            if let Err(why) = resolve_require(&modules, name) {
                warnings.push(format!(
                    "require('{name}') will fail (subpaths may still load): {why}"
                ));
            }
        }
        Ok(Installed {
            modules,
            warnings,
            packages: lockfile.packages.len(),
            downloaded,
            bytes,
        })
    }

    async fn download(
        &self,
        missing: &[(&String, &LockedPackage)],
        progress: &dyn Progress,
    ) -> Result<()> {
        let semaphore = Arc::new(tokio::sync::Semaphore::new(
            self.config.parallel_downloads.max(1),
        ));
        let done = std::sync::atomic::AtomicUsize::new(0);
        let total = missing.len();
        let fetches = missing.iter().map(|(_, package)| {
            let semaphore = Arc::clone(&semaphore);
            let done = &done;
            async move {
                let _permit = semaphore.acquire().await;
                let what = format!("{}@{}", package.name, package.version);
                let tarball = self.registry.tarball(&package.resolved).await?;
                let store = self.store.clone();
                let integrity = package.integrity.clone();
                let size = tarball.len();
                let name = what.clone();
                tokio::task::spawn_blocking(move || store.add(&name, &integrity, &tarball))
                    .await
                    .map_err(|e| Error::Io {
                        context: format!("extracting {what}"),
                        source: std::io::Error::other(e.to_string()),
                    })??;
                let done = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress.event(ProgressEvent::Fetched {
                    name: package.name.clone(),
                    version: package.version.clone(),
                    bytes: size,
                    done,
                    total,
                });
                Ok::<(), Error>(())
            }
        });
        let results = futures_util::future::join_all(fetches).await;
        results.into_iter().collect()
    }
}
