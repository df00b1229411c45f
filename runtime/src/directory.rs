//! In-memory lookups on every trigger's path: application by key, the
//! deployment (function and current version) for a trigger type, and the
//! chat runtime. The service's own writes invalidate an application's
//! entries at once, and so do other nodes' on a shared database (as the
//! store reports them); a time limit bounds how long a change that goes
//! unreported (`chatfn apps update` on SQLite) goes unseen.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::value::RawValue;
use tokio::sync::broadcast::error::RecvError;

use crate::secrets::SecretsKey;
use crate::store::{
    Application, Change, Function, KeyHolder, Runtime, Store, StoreError, StoreResult, Version,
    blocking,
};

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

    /// The entry for `key`, expired or not.
    fn get_stale(&self, key: &K) -> Option<V> {
        self.lock().get(key).map(|(value, _)| value.clone())
    }

    /// Makes the entries `which` picks stale: kept for [`get_stale`](Self::get_stale),
    /// missed by [`get`](Self::get).
    fn expire(&self, mut which: impl FnMut(&K, &V) -> bool) {
        let now = Instant::now();
        for (key, (value, expires)) in self.lock().iter_mut() {
            if which(key, value) {
                *expires = (*expires).min(now);
            }
        }
    }
}

/// Cached lookups over the store.
pub(crate) struct Directory {
    store: Arc<dyn Store>,
    cache: Cache,
    /// Opens the secrets it loads (none: secrets cannot be used).
    secrets_key: Option<Arc<SecretsKey>>,
}

impl Directory {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        ttl: Duration,
        secrets_key: Option<SecretsKey>,
    ) -> Directory {
        Directory {
            store,
            cache: Cache::new(ttl),
            secrets_key: secrets_key.map(Arc::new),
        }
    }

    /// The key secrets are sealed with, if this node has one.
    pub(crate) fn secrets_key(&self) -> Option<&SecretsKey> {
        self.secrets_key.as_deref()
    }

    /// The holder of a key: its application and what the key may do.
    pub(crate) async fn key(&self, key_hash: [u8; 32]) -> StoreResult<Option<Arc<KeyHolder>>> {
        let load = blocking(&self.store, move |s| s.application_by_key(&key_hash));
        self.cache.key(key_hash, load).await
    }

    /// Application `id` (for runs that did not come with a key).
    pub(crate) async fn application(&self, id: i64) -> StoreResult<Option<Arc<Application>>> {
        let load = blocking(&self.store, move |s| s.application(id));
        self.cache.application_by_id(id, load).await
    }

    /// What runs for `trigger` in `app`: its function, if enabled, at its
    /// current version.
    pub(crate) async fn deployment(
        &self,
        app: i64,
        trigger: &'static str,
    ) -> StoreResult<Option<Arc<Deployment>>> {
        let load = blocking(&self.store, move |s| {
            let Some(function) = s.function_for_trigger(app, trigger)? else {
                return Ok(None);
            };
            let Some(number) = function.current_version.filter(|_| function.enabled) else {
                return Ok(None);
            };
            Ok(s.version_by_number(app, function.id, number)?
                .map(|version| Deployment { function, version }))
        });
        self.cache.deployment(app, trigger, load).await
    }

    /// Version `number` of `function` (whether current or not).
    pub(crate) async fn version(
        &self,
        app: i64,
        function: i64,
        number: i64,
    ) -> StoreResult<Option<Arc<Deployment>>> {
        let load = blocking(&self.store, move |s| {
            let Some(function) = s.function(app, function)? else {
                return Ok(None);
            };
            Ok(s.version_by_number(app, function.id, number)?
                .map(|version| Deployment { function, version }))
        });
        self.cache.version((app, function, number), load).await
    }

    /// `app`'s chat runtime.
    pub(crate) async fn runtime(&self, app: i64) -> StoreResult<Arc<Runtime>> {
        let load = blocking(&self.store, move |s| s.runtime(app));
        self.cache.runtime(app, load).await
    }

    /// `app`'s secrets, opened, as a JSON object of strings for the
    /// sandbox (`None` when it has none). Kept in memory only.
    pub(crate) async fn secrets(&self, app: i64) -> StoreResult<Secrets> {
        let key = self.secrets_key.clone();
        let load = blocking(&self.store, move |s| {
            let sealed = s.secrets(app)?;
            if sealed.is_empty() {
                return Ok(None);
            }
            let Some(key) = key else {
                return Err(StoreError::Schema(
                    "the application has secrets, but this node has no secrets key \
                     (--secrets-key-file or CHATFN_SECRETS_KEY)"
                        .into(),
                ));
            };
            let mut opened = serde_json::Map::new();
            for secret in sealed {
                let value = key
                    .open(app, &secret.name, &secret.sealed)
                    .map_err(|e| StoreError::Schema(e.to_string()))?;
                opened.insert(secret.name, value.into());
            }
            serde_json::value::to_raw_value(&opened)
                .map(|json| Some(Arc::new(json)))
                .map_err(|e| StoreError::Schema(format!("secrets as JSON: {e}")))
        });
        self.cache.lookup(&self.cache.secrets, app, load).await
    }

    /// Forgets what is cached about `app`; call it after the write
    /// commits.
    pub(crate) fn invalidate(&self, app: i64) {
        self.cache.invalidate(app);
    }

    /// Follows the changes other nodes make (on a backend shared by
    /// several), so that they show here as soon as they are heard, not only
    /// when cached entries expire. Needs a Tokio runtime.
    pub(crate) fn follow_changes(self: &Arc<Self>) {
        let Some(mut changes) = self.store.changes() else {
            return;
        };
        let directory = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let change = changes.recv().await;
                let Some(directory) = directory.upgrade() else {
                    return;
                };
                match change {
                    Ok(Change::Application(app)) => directory.cache.invalidate(app),
                    // Changes may go unheard: anything may be stale (but
                    // still better than nothing while the database is out
                    // of reach).
                    Ok(Change::Unknown) | Err(RecvError::Lagged(_)) => {
                        directory.cache.expire_all();
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }
}

/// The tables, each filled by the load a lookup brings.
struct Cache {
    ttl: Duration,
    /// Bumped after every write; a lookup that raced one does not cache
    /// what it read.
    generation: AtomicU64,
    keys: Table<[u8; 32], Option<Arc<KeyHolder>>>,
    applications_by_id: Table<i64, Option<Arc<Application>>>,
    deployments: Table<(i64, &'static str), Option<Arc<Deployment>>>,
    /// (application, function, version number) → that version, for queued
    /// runs (which keep the version current when they were accepted).
    versions: Table<(i64, i64, i64), Option<Arc<Deployment>>>,
    runtimes: Table<i64, Arc<Runtime>>,
    secrets: Table<i64, Secrets>,
}

/// An application's secrets, opened: a JSON object of strings.
pub(crate) type Secrets = Option<Arc<Box<RawValue>>>;

impl Cache {
    fn new(ttl: Duration) -> Cache {
        Cache {
            ttl,
            generation: AtomicU64::new(0),
            keys: Table::new(),
            applications_by_id: Table::new(),
            deployments: Table::new(),
            versions: Table::new(),
            runtimes: Table::new(),
            secrets: Table::new(),
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
        let value = match load.await {
            Ok(value) => value,
            // With the database out of reach, what was read last (unless a
            // write invalidated it) beats failing: sign-ins go on.
            Err(e @ (StoreError::Unavailable(_) | StoreError::Busy)) => {
                return table.get_stale(&key).ok_or(e);
            }
            Err(e) => return Err(e),
        };
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
    async fn key(
        &self,
        key_hash: [u8; 32],
        load: impl Future<Output = Result<Option<KeyHolder>, StoreError>>,
    ) -> Result<Option<Arc<KeyHolder>>, StoreError> {
        self.lookup(&self.keys, key_hash, async {
            Ok(load.await?.map(Arc::new))
        })
        .await
    }

    /// Application `id`, if it exists.
    async fn application_by_id(
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
    async fn deployment(
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
    async fn version(
        &self,
        key: (i64, i64, i64),
        load: impl Future<Output = Result<Option<Deployment>, StoreError>>,
    ) -> Result<Option<Arc<Deployment>>, StoreError> {
        self.lookup(&self.versions, key, async { Ok(load.await?.map(Arc::new)) })
            .await
    }

    async fn runtime(
        &self,
        app: i64,
        load: impl Future<Output = Result<Runtime, StoreError>>,
    ) -> Result<Arc<Runtime>, StoreError> {
        self.lookup(&self.runtimes, app, async { Ok(Arc::new(load.await?)) })
            .await
    }

    /// Makes what is cached about `app` (its settings, functions and
    /// runtime) stale: the next lookup reloads it. Call it after the write
    /// commits. A stale entry still serves while the database cannot be
    /// reached: the version in force before a deploy beats failing every
    /// sign-in until the database is back.
    fn invalidate(&self, app: i64) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        let of_app =
            |k: &Option<Arc<KeyHolder>>| k.as_ref().is_some_and(|k| k.application.id == app);
        self.keys.expire(|_, k| of_app(k));
        self.applications_by_id.expire(|id, _| *id == app);
        self.deployments.expire(|(a, _), _| *a == app);
        self.versions.expire(|(a, _, _), _| *a == app);
        self.runtimes.expire(|a, _| *a == app);
        self.secrets.expire(|a, _| *a == app);
    }

    /// Makes every entry stale (changes may have gone unheard).
    fn expire_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.keys.expire(|_, _| true);
        self.applications_by_id.expire(|_, _| true);
        self.deployments.expire(|_, _| true);
        self.versions.expire(|_, _| true);
        self.runtimes.expire(|_, _| true);
        self.secrets.expire(|_, _| true);
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
        let directory = Cache::new(Duration::from_secs(60));
        let first = directory.runtime(1, async { Ok(runtime(1)) }).await;
        assert_eq!(first.map(|r| r.revision).ok(), Some(1));
        let hit = directory
            .runtime(1, async { Err(StoreError::Stopped) })
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
        let directory = Cache::new(Duration::from_secs(60));
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
    async fn expired_entries_serve_while_the_database_is_unreachable() {
        let directory = Cache::new(Duration::ZERO);
        let _ = directory.runtime(1, async { Ok(runtime(1)) }).await;
        let unreachable = || async { Err(StoreError::Unavailable("refused".into())) };
        let stale = directory.runtime(1, unreachable()).await;
        assert_eq!(stale.map(|r| r.revision).ok(), Some(1));
        // Never read: the error stands.
        assert!(directory.runtime(2, unreachable()).await.is_err());
        // Invalidated by a write: the next lookup reloads, but what was in
        // force serves if it cannot.
        directory.invalidate(1);
        let stale = directory.runtime(1, unreachable()).await;
        assert_eq!(stale.map(|r| r.revision).ok(), Some(1));
        // Other failures are not papered over.
        let _ = directory.runtime(1, async { Ok(runtime(1)) }).await;
        let broken = directory.runtime(1, async { Err(StoreError::Schema("x".into())) });
        assert!(broken.await.is_err());
    }

    #[tokio::test]
    async fn unheard_changes_expire_entries_but_keep_them_for_outages() {
        let directory = Cache::new(Duration::from_secs(60));
        let _ = directory.runtime(1, async { Ok(runtime(1)) }).await;
        directory.expire_all();
        let unreachable = directory
            .runtime(1, async { Err(StoreError::Unavailable("refused".into())) })
            .await;
        assert_eq!(unreachable.map(|r| r.revision).ok(), Some(1));
        let reloaded = directory.runtime(1, async { Ok(runtime(2)) }).await;
        assert_eq!(reloaded.map(|r| r.revision).ok(), Some(2));
    }

    #[tokio::test]
    async fn entries_expire() {
        let directory = Cache::new(Duration::ZERO);
        let _ = directory.runtime(1, async { Ok(runtime(1)) }).await;
        let again = directory.runtime(1, async { Ok(runtime(2)) }).await;
        assert_eq!(again.map(|r| r.revision).ok(), Some(2));
    }
}
