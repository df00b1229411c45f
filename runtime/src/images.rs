//! Images of function versions, built once per (version, runtime revision)
//! and kept in an in-memory LRU bounded by count and by bytes; the sandbox
//! keeps the disk cache.
//! Concurrent requests for an image that is being built wait for that one
//! build, so invocations never see a half-built image.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use lru::LruCache;
use sandbox::{GuestError, Image, ImageSpec, LogEntry, Sandbox};
use tokio::sync::OnceCell;

/// What an image is built from: a version of a function on a revision of
/// its application's runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ImageKey {
    pub(crate) version_id: i64,
    pub(crate) runtime_revision: i64,
}

/// Why an image could not be built. Cloned to every invocation that
/// waited on the build, so the causes that are not `Clone` are shared.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum BuildFailure {
    /// The handler or init script does not compile.
    #[error("{0}")]
    Compile(compiler::CompileError),
    /// The init script or handler threw while the image was built.
    #[error("initialization failed: {}", error.message)]
    Init {
        error: GuestError,
        logs: Vec<LogEntry>,
    },
    /// The init script used up its build-time time or memory.
    #[error("initialization failed: {0}")]
    InitLimit(String),
    /// The runtime's dependencies could not be installed.
    #[error("installing the runtime's dependencies failed: {0}")]
    Dependencies(Arc<npm_resolver::Error>),
    /// The engine failed (compiling, instantiating, snapshotting).
    #[error("{0}")]
    Engine(Arc<sandbox::Error>),
}

impl BuildFailure {
    /// Failures that a rebuild would repeat are remembered for good; a
    /// limit reached is remembered for a while (it may have been reached
    /// only because the host was busy); others are not.
    fn deterministic(&self) -> bool {
        matches!(self, BuildFailure::Compile(_) | BuildFailure::Init { .. })
    }

    /// The failure as the invocation record shows it. Engine and
    /// dependency failures say only what failed: their details (paths on
    /// the server) go to the log.
    pub(crate) fn guest_error(&self) -> GuestError {
        match self {
            BuildFailure::Compile(e) => GuestError::from_compile_error(e),
            BuildFailure::Init { error, .. } => error.clone(),
            BuildFailure::InitLimit(message) => {
                GuestError::new("InitError", format!("initialization failed: {message}"))
            }
            BuildFailure::Dependencies(e) => GuestError::new("InitError", dependency_message(e)),
            BuildFailure::Engine(_) => GuestError::new(
                "InitError",
                "the function's image could not be built; the server has logged why",
            ),
        }
    }
}

/// A dependency failure's message, without server paths.
fn dependency_message(e: &npm_resolver::Error) -> String {
    match e {
        npm_resolver::Error::Io { .. } => {
            "the runtime's dependencies could not be read from the package store".into()
        }
        other => format!("installing the runtime's dependencies failed: {other}"),
    }
}

impl From<sandbox::Error> for BuildFailure {
    fn from(e: sandbox::Error) -> BuildFailure {
        match e {
            sandbox::Error::Compile(e) => BuildFailure::Compile(e),
            sandbox::Error::Init { error, logs } => BuildFailure::Init {
                error: *error,
                logs,
            },
            sandbox::Error::InitLimit { message } => BuildFailure::InitLimit(message),
            other => BuildFailure::Engine(Arc::new(other)),
        }
    }
}

type Slot = Arc<OnceCell<Result<Image, BuildFailure>>>;

/// How long an image whose init ran out of time or memory is not built
/// again: every invocation of it would otherwise run the init to its limit
/// (seconds of CPU each). A limit may have been reached only because the
/// host was busy, so it is tried again after this.
const LIMIT_FAILURE_KEPT: std::time::Duration = std::time::Duration::from_secs(60);

/// The LRU and the bytes its built images take.
struct Cache {
    /// Each slot with its image's size once built (0 before, or on
    /// failure), and when a failure that may pass is to be tried again.
    lru: LruCache<ImageKey, (Slot, usize, Option<Instant>)>,
    bytes: usize,
    max_bytes: usize,
}

impl Cache {
    /// The slot for `key`, new (and possibly evicting the oldest) if absent.
    fn slot(&mut self, key: ImageKey) -> Slot {
        match self.lru.get(&key) {
            Some((_, _, Some(retry_at))) if *retry_at <= Instant::now() => {
                if let Some((_, size, _)) = self.lru.pop(&key) {
                    self.bytes -= size;
                }
            }
            Some((slot, _, _)) => return Arc::clone(slot),
            None => {}
        }
        let slot = Slot::default();
        if let Some((evicted, (_, size, _))) = self.lru.push(key, (Arc::clone(&slot), 0, None))
            && evicted != key
        {
            self.bytes -= size;
        }
        slot
    }

    /// Keeps `key`'s failed build (if it still holds `slot`) until
    /// `retry_at`.
    fn failed_until(&mut self, key: ImageKey, slot: &Slot, retry_at: Instant) {
        if let Some((current, _, retry)) = self.lru.peek_mut(&key)
            && Arc::ptr_eq(current, slot)
        {
            *retry = Some(retry_at);
        }
    }

    /// Counts a built image; evicts the least recently used others while
    /// over the byte budget. Evicted images live on in the invocations
    /// still using them.
    fn built(&mut self, key: ImageKey, slot: &Slot, size: usize) {
        match self.lru.peek_mut(&key) {
            Some((current, counted, _)) if Arc::ptr_eq(current, slot) && *counted == 0 => {
                *counted = size;
                self.bytes += size;
            }
            _ => return,
        }
        while self.bytes > self.max_bytes {
            match self.lru.peek_lru() {
                Some((oldest, _)) if *oldest != key => {}
                _ => break,
            }
            if let Some((_, (_, size, _))) = self.lru.pop_lru() {
                self.bytes -= size;
            }
        }
    }

    /// Forgets `key` if it still holds `slot`.
    fn forget(&mut self, key: ImageKey, slot: &Slot) {
        if self
            .lru
            .peek(&key)
            .is_some_and(|(s, _, _)| Arc::ptr_eq(s, slot))
            && let Some((_, size, _)) = self.lru.pop(&key)
        {
            self.bytes -= size;
        }
    }
}

pub(crate) struct Images {
    sandbox: Sandbox,
    cache: Mutex<Cache>,
}

impl Images {
    /// At most `capacity` images, and no more than `max_bytes` of them
    /// (though always the most recent one).
    pub(crate) fn new(sandbox: Sandbox, capacity: usize, max_bytes: usize) -> Images {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Images {
            sandbox,
            cache: Mutex::new(Cache {
                lru: LruCache::new(capacity),
                bytes: 0,
                max_bytes,
            }),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Images kept, and the bytes of those built.
    pub(crate) fn kept(&self) -> (usize, usize) {
        let cache = self.cache();
        (cache.lru.len(), cache.bytes)
    }

    pub(crate) fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The image for `key` if it is built and still cached (no recency
    /// update).
    pub(crate) fn peek(&self, key: ImageKey) -> Option<Image> {
        let cache = self.cache();
        let (slot, _, _) = cache.lru.peek(&key)?;
        slot.get()?.as_ref().ok().cloned()
    }

    /// The image for `key`, building it from `spec` if no one has (`spec`
    /// is awaited only then).
    pub(crate) async fn get(
        &self,
        key: ImageKey,
        spec: impl Future<Output = Result<ImageSpec, BuildFailure>>,
    ) -> Result<Image, BuildFailure> {
        let slot = self.cache().slot(key);
        let result = slot
            .get_or_init(|| async {
                let spec = spec.await?;
                let started = std::time::Instant::now();
                let built = self.sandbox.build_image(&spec).await;
                match &built {
                    Ok(image) => {
                        let (held, bytes) = {
                            let mut cache = self.cache();
                            cache.built(key, &slot, image.private_bytes());
                            (cache.lru.len(), cache.bytes)
                        };
                        tracing::info!(
                            version = key.version_id,
                            revision = key.runtime_revision,
                            image = image.id(),
                            ms = started.elapsed().as_millis() as u64,
                            private_bytes = image.private_bytes(),
                            held,
                            held_bytes = bytes,
                            "image ready"
                        );
                    }
                    Err(e) => tracing::info!(
                        version = key.version_id,
                        revision = key.runtime_revision,
                        "image build failed: {e:#}"
                    ),
                }
                built.map_err(BuildFailure::from)
            })
            .await
            .clone();
        match &result {
            Err(BuildFailure::InitLimit(_)) => {
                self.cache()
                    .failed_until(key, &slot, Instant::now() + LIMIT_FAILURE_KEPT);
            }
            Err(failure) if !failure.deterministic() => self.cache().forget(key, &slot),
            _ => {}
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(version_id: i64) -> ImageKey {
        ImageKey {
            version_id,
            runtime_revision: 1,
        }
    }

    fn cache(entries: usize, max_bytes: usize) -> Cache {
        Cache {
            lru: LruCache::new(NonZeroUsize::new(entries).unwrap_or(NonZeroUsize::MIN)),
            bytes: 0,
            max_bytes,
        }
    }

    fn keys(cache: &Cache) -> Vec<i64> {
        let mut keys: Vec<i64> = cache.lru.iter().map(|(k, _)| k.version_id).collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_limit_failure_is_kept_until_its_retry_time() {
        let mut c = cache(10, 1000);
        let first = c.slot(key(1));
        c.failed_until(
            key(1),
            &first,
            Instant::now() + std::time::Duration::from_secs(60),
        );
        assert!(Arc::ptr_eq(&first, &c.slot(key(1))), "kept meanwhile");
        c.failed_until(key(1), &first, Instant::now());
        let second = c.slot(key(1));
        assert!(!Arc::ptr_eq(&first, &second), "built again after");
        assert!(Arc::ptr_eq(&second, &c.slot(key(1))));
    }

    #[test]
    fn the_byte_budget_evicts_the_least_recently_used() {
        let mut c = cache(10, 250);
        for v in 1..=3 {
            let slot = c.slot(key(v));
            c.built(key(v), &slot, 100);
        }
        // 300 > 250: the oldest went.
        assert_eq!((keys(&c), c.bytes), (vec![2, 3], 200));
        let _ = c.slot(key(2)); // 2 is now more recent than 3
        let slot = c.slot(key(4));
        c.built(key(4), &slot, 100);
        assert_eq!((keys(&c), c.bytes), (vec![2, 4], 200));
        // A second `built` for the same slot counts nothing.
        c.built(key(4), &slot, 100);
        assert_eq!(c.bytes, 200);
    }

    #[test]
    fn the_count_bound_keeps_bytes_right_and_the_newest_always_stays() {
        let mut c = cache(2, 1000);
        for v in 1..=3 {
            let slot = c.slot(key(v));
            c.built(key(v), &slot, 100);
        }
        assert_eq!((keys(&c), c.bytes), (vec![2, 3], 200));
        let slot = c.slot(key(9));
        c.built(key(9), &slot, 5000); // alone over budget, but kept
        assert_eq!((keys(&c), c.bytes), (vec![9], 5000));
        c.forget(key(9), &slot);
        assert_eq!((keys(&c), c.bytes), (vec![], 0));
    }
}
