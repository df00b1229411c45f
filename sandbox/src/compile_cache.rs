//! Cranelift's per-function compile results, kept across compiles.
//!
//! Every image's code is the guest's (snapshots change data, not code), so
//! after the first compile a bake or a new runtime image finds each of its
//! functions here instead of compiling the whole guest again. Results are
//! kept in memory (bounded) and, when the sandbox has a cache directory,
//! on disk under `functions/<guest>`, so a new process (`chatfn invoke`, a
//! restarted server) benefits too. Entries of other guests are removed when
//! the cache opens: the directory holds one guest's functions at a time.
//!
//! Trust: an entry is compiled machine code, as an image's `.cwasm` is; the
//! directory must be writable only by this service (see [`crate::cache`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};
use wasmtime::CacheStore;

/// What the in-memory layer keeps at most; past it, new results are only
/// written to disk (the guest's functions, cached first, are what repeat).
const MAX_MEMORY_BYTES: usize = 256 << 20;

#[derive(Default)]
pub(crate) struct CompileCache {
    entries: Mutex<HashMap<Vec<u8>, Arc<[u8]>>>,
    bytes: AtomicUsize,
    /// `<cache dir>/functions/<guest digest>`, when on disk.
    dir: Option<PathBuf>,
}

impl CompileCache {
    /// A cache for the guest with `guest_digest`, on disk under `cache_dir`
    /// when given; other guests' entries there are removed.
    pub(crate) fn new(cache_dir: Option<&Path>, guest_digest: &[u8]) -> CompileCache {
        let dir = cache_dir.map(|root| {
            let parent = root.join("functions");
            let name: String = guest_digest[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if let Ok(entries) = fs::read_dir(&parent) {
                for entry in entries.flatten() {
                    if entry.file_name() != name.as_str() {
                        let _ = fs::remove_dir_all(entry.path());
                    }
                }
            }
            parent.join(name)
        });
        CompileCache {
            dir,
            ..CompileCache::default()
        }
    }

    fn file(&self, key: &[u8]) -> Option<PathBuf> {
        let digest = Sha256::digest(key);
        let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Some(self.dir.as_ref()?.join(name))
    }

    fn remember(&self, key: &[u8], value: Arc<[u8]>) {
        let size = key.len() + value.len();
        if self.bytes.load(Ordering::Relaxed) + size > MAX_MEMORY_BYTES {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.insert(key.to_vec(), value).is_none() {
            self.bytes.fetch_add(size, Ordering::Relaxed);
        }
    }
}

impl std::fmt::Debug for CompileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompileCache")
            .field("bytes", &self.bytes.load(Ordering::Relaxed))
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl CacheStore for CompileCache {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        let found = {
            let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            entries.get(key).cloned()
        };
        if let Some(value) = found {
            return Some(Cow::Owned(value.to_vec()));
        }
        // A missing or unreadable file is a miss: Cranelift compiles.
        let bytes = fs::read(self.file(key)?).ok()?;
        self.remember(key, bytes.clone().into());
        Some(Cow::Owned(bytes))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        if let Some(path) = self.file(key) {
            // Written whole (temp file + rename): a reader never sees half.
            static WRITER: AtomicU64 = AtomicU64::new(0);
            let writer = WRITER.fetch_add(1, Ordering::Relaxed);
            let tmp = path.with_extension(format!("{}-{writer}.tmp", std::process::id()));
            let written = path
                .parent()
                .map_or(Ok(()), fs::create_dir_all)
                .and_then(|()| fs::write(&tmp, &value))
                .and_then(|()| fs::rename(&tmp, &path));
            if written.is_err() {
                let _ = fs::remove_file(&tmp);
            }
        }
        self.remember(key, value.into());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_on_disk_for_the_same_guest_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = CompileCache::new(Some(dir.path()), &[1; 32]);
        assert!(first.get(b"key").is_none());
        assert!(first.insert(b"key", b"compiled".to_vec()));
        assert_eq!(first.get(b"key").as_deref(), Some(&b"compiled"[..]));

        // A new process with the same guest reads it back from disk.
        let again = CompileCache::new(Some(dir.path()), &[1; 32]);
        assert_eq!(again.get(b"key").as_deref(), Some(&b"compiled"[..]));

        // Another guest starts empty and removes the old guest's entries.
        let other = CompileCache::new(Some(dir.path()), &[2; 32]);
        assert!(other.get(b"key").is_none());
        let guests: Vec<_> = fs::read_dir(dir.path().join("functions"))
            .expect("functions dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(guests.len() <= 1, "{guests:?}");
    }
}
