//! In-memory lookups on every trigger's path: application by key, the
//! deployment (function and current version) for a trigger type, and the
//! chat runtime. The service's own writes invalidate an application's
//! entries at once; a time limit bounds how long a change made elsewhere
//! (`chatfn apps update`, another node on the same database) goes unseen.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::store::{Application, Function, Runtime, StoreError, Version};

/// What runs for a trigger type: an enabled function and its current version.
#[derive(Debug)]
pub(crate) struct Deployment {
    pub(crate) function: Function,
    pub(crate) version: Version,
}

/// Entries past this count are dropped all at once: a crude bound, and
/// reached only with that many active applications or keys being tried.
const MAX_ENTRIES: usize = 100_000;

struct Table<K, V> {
    entries: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K: Eq + Hash, V: Clone> Table<K, V> {
    fn new() -> Table<K, V> {
        Table {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (V, Instant)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, key: &K) -> Option<V> {
        let entries = self.lock();
        let (value, expires) = entries.get(key)?;
        (Instant::now() < *expires).then(|| value.clone())
    }

    fn retain(&self, keep: impl FnMut(&K, &mut (V, Instant)) -> bool) {
        self.lock().retain(keep);
    }
}

pub(crate) struct Directory {
    ttl: Duration,
    /// Bumped after every write; a lookup that raced one does not cache
    /// what it read.
    generation: AtomicU64,
    applications: Table<[u8; 32], Option<Arc<Application>>>,
    applications_by_id: Table<i64, Option<Arc<Application>>>,
    deployments: Table<(i64, &'static str), Option<Arc<Deployment>>>,
    /// (application, function, version number) → that version, for queued
    /// runs (which keep the version current when they were accepted).
    versions: Table<(i64, i64, i64), Option<Arc<Deployment>>>,
    runtimes: Table<i64, Arc<Runtime>>,
}

impl Directory {
    pub(crate) fn new(ttl: Duration) -> Directory {
        Directory {
            ttl,
            generation: AtomicU64::new(0),
            applications: Table::new(),
            applications_by_id: Table::new(),
            deployments: Table::new(),
            versions: Table::new(),
            runtimes: Table::new(),
        }
    }

    async fn lookup<K: Eq + Hash, V: Clone>(
        &self,
        table: &Table<K, V>,
        key: K,
        load: impl Future<Output = Result<V, StoreError>>,
    ) -> Result<V, StoreError> {
        if let Some(value) = table.get(&key) {
            return Ok(value);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let value = load.await?;
        let mut entries = table.lock();
        if self.generation.load(Ordering::Acquire) == generation {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (value.clone(), Instant::now() + self.ttl));
        }
        Ok(value)
    }

    /// The application whose key hashes to `key_hash`, if any. Unknown keys
    /// are remembered too, so guessing costs no database reads.
    pub(crate) async fn application(
        &self,
        key_hash: [u8; 32],
        load: impl Future<Output = Result<Option<Application>, StoreError>>,
    ) -> Result<Option<Arc<Application>>, StoreError> {
        self.lookup(&self.applications, key_hash, async {
            Ok(load.await?.map(Arc::new))
        })
        .await
    }

    /// Application `id`, if it exists.
    pub(crate) async fn application_by_id(
        &self,
        id: i64,
        load: impl Future<Output = Result<Option<Application>, StoreError>>,
    ) -> Result<Option<Arc<Application>>, StoreError> {
        self.lookup(&self.applications_by_id, id, async {
            Ok(load.await?.map(Arc::new))
        })
        .await
    }

    /// What runs for `trigger` in application `app`.
    pub(crate) async fn deployment(
        &self,
        app: i64,
        trigger: &'static str,
        load: impl Future<Output = Result<Option<Deployment>, StoreError>>,
    ) -> Result<Option<Arc<Deployment>>, StoreError> {
        self.lookup(&self.deployments, (app, trigger), async {
            Ok(load.await?.map(Arc::new))
        })
        .await
    }

    /// A specific version of a function.
    pub(crate) async fn version(
        &self,
        key: (i64, i64, i64),
        load: impl Future<Output = Result<Option<Deployment>, StoreError>>,
    ) -> Result<Option<Arc<Deployment>>, StoreError> {
        self.lookup(&self.versions, key, async { Ok(load.await?.map(Arc::new)) })
            .await
    }

    pub(crate) async fn runtime(
        &self,
        app: i64,
        load: impl Future<Output = Result<Runtime, StoreError>>,
    ) -> Result<Arc<Runtime>, StoreError> {
        self.lookup(&self.runtimes, app, async { Ok(Arc::new(load.await?)) })
            .await
    }

    /// Forgets what is cached about `app`'s functions and runtime; call it
    /// after the write commits.
    pub(crate) fn invalidate(&self, app: i64) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.deployments.retain(|(a, _), _| *a != app);
        self.versions.retain(|(a, _, _), _| *a != app);
        self.runtimes.retain(|a, _| *a != app);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime(revision: i64) -> Runtime {
        Runtime {
            revision,
            ..Runtime::default()
        }
    }

    #[tokio::test]
    async fn hits_skip_the_load_and_invalidation_reloads() {
        let directory = Directory::new(Duration::from_secs(60));
        let first = directory.runtime(1, async { Ok(runtime(1)) }).await;
        assert_eq!(first.map(|r| r.revision).ok(), Some(1));
        let hit = directory
            .runtime(1, async { Err(StoreError::Database("not called".into())) })
            .await;
        assert_eq!(hit.map(|r| r.revision).ok(), Some(1));
        directory.invalidate(2); // another application: still cached
        let hit = directory.runtime(1, async { Ok(runtime(9)) }).await;
        assert_eq!(hit.map(|r| r.revision).ok(), Some(1));
        directory.invalidate(1);
        let reloaded = directory.runtime(1, async { Ok(runtime(2)) }).await;
        assert_eq!(reloaded.map(|r| r.revision).ok(), Some(2));
    }

    #[tokio::test]
    async fn a_lookup_that_raced_a_write_is_not_cached() {
        let directory = Directory::new(Duration::from_secs(60));
        let stale = directory
            .runtime(1, async {
                // The write commits and invalidates while this read runs.
                directory.invalidate(1);
                Ok(runtime(1))
            })
            .await;
        assert_eq!(stale.map(|r| r.revision).ok(), Some(1));
        let fresh = directory.runtime(1, async { Ok(runtime(2)) }).await;
        assert_eq!(fresh.map(|r| r.revision).ok(), Some(2));
    }

    #[tokio::test]
    async fn entries_expire() {
        let directory = Directory::new(Duration::ZERO);
        let _ = directory.runtime(1, async { Ok(runtime(1)) }).await;
        let again = directory.runtime(1, async { Ok(runtime(2)) }).await;
        assert_eq!(again.map(|r| r.revision).ok(), Some(2));
    }
}
