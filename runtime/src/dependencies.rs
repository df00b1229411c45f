//! A chat runtime's npm dependencies: resolved and installed when they are
//! set (so mistakes come back at once, and the first invocation does not
//! wait on the registry), then read from the lockfile and the package store
//! whenever an image is built.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use lru::LruCache;
use npm_resolver::{Installer, InstallerConfig, Lockfile, Progress, ProgressEvent};
use sha2::{Digest, Sha256};

use crate::store::Dependency;

/// Module maps kept in memory (by lockfile), for image builds.
const CACHED_MODULE_MAPS: usize = 16;

pub(crate) type ModuleMap = Arc<BTreeMap<String, String>>;

pub(crate) struct Dependencies {
    installer: Installer,
    modules: Mutex<LruCache<[u8; 32], ModuleMap>>,
    dir: PathBuf,
    max_bytes: Option<u64>,
    /// A collection of the package store is under way.
    collecting: Arc<AtomicBool>,
}

/// Packages an install used this recently are never collected: it may
/// still be reading them.
const COLLECT_GRACE: Duration = Duration::from_secs(600);

/// A resolved and installed dependency list.
pub(crate) struct Resolved {
    pub(crate) lockfile: String,
    pub(crate) packages: usize,
    pub(crate) warnings: Vec<String>,
}

/// Progress as debug logs, for the service (it has no terminal).
pub(crate) struct LogProgress;

impl Progress for LogProgress {
    fn event(&self, event: ProgressEvent) {
        match event {
            ProgressEvent::Resolved {
                name,
                version,
                total,
            } => tracing::debug!(package = %name, %version, total, "resolved"),
            ProgressEvent::Fetched {
                name,
                version,
                bytes,
                done,
                total,
            } => tracing::debug!(package = %name, %version, bytes, done, total, "fetched"),
        }
    }
}

impl Dependencies {
    pub(crate) fn new(
        dir: &Path,
        registry: &str,
        compiler: compiler::Compiler,
        max_bytes: Option<u64>,
    ) -> Dependencies {
        let mut config = InstallerConfig::new(dir);
        config.registry = registry.to_owned();
        Dependencies {
            installer: Installer::new(config, compiler),
            modules: Mutex::new(LruCache::new(
                NonZeroUsize::new(CACHED_MODULE_MAPS).unwrap_or(NonZeroUsize::MIN),
            )),
            dir: dir.to_path_buf(),
            max_bytes,
            collecting: Arc::default(),
        }
    }

    /// Removes least recently used packages past the store's size, on a
    /// blocking thread; does nothing while a collection is under way.
    pub(crate) fn collect_soon(&self) {
        let Some(max_bytes) = self.max_bytes else {
            return;
        };
        if self.collecting.swap(true, Ordering::AcqRel) {
            return;
        }
        let dir = self.dir.clone();
        let collecting = Arc::clone(&self.collecting);
        tokio::task::spawn_blocking(move || {
            match npm_resolver::collect(&dir, max_bytes, COLLECT_GRACE) {
                Ok(done) if done.removed > 0 => tracing::info!(
                    removed = done.removed,
                    freed_bytes = done.freed_bytes,
                    kept_bytes = done.kept_bytes,
                    "npm packages collected"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!("collecting npm packages failed: {e}"),
            }
            collecting.store(false, Ordering::Release);
        });
    }

    /// Resolves `dependencies` against the registry and installs them,
    /// reporting to `progress`.
    pub(crate) async fn resolve(
        &self,
        dependencies: &[Dependency],
        progress: &dyn Progress,
    ) -> Result<Resolved, npm_resolver::Error> {
        let list: Vec<(String, String)> = dependencies
            .iter()
            .map(|d| (d.name.clone(), d.version.clone()))
            .collect();
        let started = std::time::Instant::now();
        let resolution = self.installer.resolve(&list, progress).await?;
        let installed = self
            .installer
            .install(&resolution.lockfile, progress)
            .await?;
        let mut warnings = resolution.warnings;
        warnings.extend(installed.warnings);
        tracing::info!(
            packages = installed.packages,
            files = installed.modules.len(),
            bytes = installed.bytes,
            ms = started.elapsed().as_millis() as u64,
            "dependencies installed"
        );
        let lockfile = resolution.lockfile.to_json();
        self.remember(&lockfile, Arc::new(installed.modules));
        if installed.downloaded > 0 {
            self.collect_soon();
        }
        Ok(Resolved {
            lockfile,
            packages: installed.packages,
            warnings,
        })
    }

    /// The module map of a lockfile: from memory, else from the store
    /// (downloading only what is missing from it).
    pub(crate) async fn modules(&self, lockfile: &str) -> Result<ModuleMap, npm_resolver::Error> {
        let key = Sha256::digest(lockfile.as_bytes()).into();
        if let Some(map) = self.cache().get(&key) {
            return Ok(Arc::clone(map));
        }
        let parsed = Lockfile::from_json(lockfile)?;
        let installed = self.installer.install(&parsed, &LogProgress).await?;
        if installed.downloaded > 0 {
            self.collect_soon();
        }
        let map = Arc::new(installed.modules);
        self.cache().put(key, Arc::clone(&map));
        Ok(map)
    }

    fn remember(&self, lockfile: &str, map: ModuleMap) {
        let key = Sha256::digest(lockfile.as_bytes()).into();
        self.cache().put(key, map);
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, LruCache<[u8; 32], ModuleMap>> {
        self.modules.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
