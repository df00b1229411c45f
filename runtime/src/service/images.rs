//! Images of function versions, built once per (version, runtime revision)
//! and kept in a bounded in-memory LRU; the sandbox keeps the disk cache.
//! Concurrent requests for an image that is being built wait for that one
//! build, so invocations never see a half-built image.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

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

/// Why an image could not be built.
#[derive(Clone, Debug)]
pub(crate) enum BuildFailure {
    /// The handler or init script does not compile.
    Compile(compiler::CompileError),
    /// The init script or handler threw while the image was built.
    Init {
        error: GuestError,
        logs: Vec<LogEntry>,
    },
    /// Anything else (engine failure, init limits).
    Other(String),
}

impl BuildFailure {
    /// Failures that a rebuild would repeat are remembered; others are not.
    fn deterministic(&self) -> bool {
        !matches!(self, BuildFailure::Other(_))
    }

    pub(crate) fn guest_error(&self) -> GuestError {
        match self {
            BuildFailure::Compile(e) => GuestError::from_compile_error(e),
            BuildFailure::Init { error, .. } => error.clone(),
            BuildFailure::Other(message) => GuestError::new("InitError", message.clone()),
        }
    }
}

type Slot = Arc<OnceCell<Result<Image, BuildFailure>>>;

pub(crate) struct Images {
    sandbox: Sandbox,
    cache: Mutex<LruCache<ImageKey, Slot>>,
}

impl Images {
    pub(crate) fn new(sandbox: Sandbox, capacity: usize) -> Images {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Images {
            sandbox,
            cache: Mutex::new(LruCache::new(capacity)),
        }
    }

    pub(crate) fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The image for `key`, building it from `spec()` if no one has.
    pub(crate) async fn get(
        &self,
        key: ImageKey,
        spec: impl FnOnce() -> ImageSpec,
    ) -> Result<Image, BuildFailure> {
        let slot = {
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            cache.get_or_insert(key, Slot::default).clone()
        };
        let result = slot
            .get_or_init(|| async {
                let spec = spec();
                let started = std::time::Instant::now();
                let built = self.sandbox.build_image(&spec).await;
                match &built {
                    Ok(image) => tracing::info!(
                        version = key.version_id,
                        revision = key.runtime_revision,
                        image = image.id(),
                        ms = started.elapsed().as_millis() as u64,
                        "image ready"
                    ),
                    Err(e) => tracing::info!(
                        version = key.version_id,
                        revision = key.runtime_revision,
                        "image build failed: {e}"
                    ),
                }
                built.map_err(|e| match e {
                    sandbox::Error::Compile(e) => BuildFailure::Compile(e),
                    sandbox::Error::Init { error, logs } => BuildFailure::Init {
                        error: *error,
                        logs,
                    },
                    other => BuildFailure::Other(other.to_string()),
                })
            })
            .await
            .clone();
        if let Err(failure) = &result
            && !failure.deterministic()
        {
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if cache.peek(&key).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                cache.pop(&key);
            }
        }
        result
    }
}
