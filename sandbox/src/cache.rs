//! The on-disk image cache: precompiled modules (`<id>.cwasm`), keyed by the
//! image id, loaded by mmap. Also the in-memory [`Runtimes`], the runtime
//! snapshots late-bound images share.
//!
//! Trust: loading a `.cwasm` runs the machine code in it, so the cache
//! directory must be writable only by this service. Files are written whole
//! (temp file + rename), so a crash never leaves a half-written artifact.

use std::collections::{HashMap, VecDeque};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::OnceCell;
use wasmtime::{Engine, Module};

/// Makes sure native code may be loaded from `dir`: creates it (only its
/// owner may enter) if missing; refuses one that another user owns or that
/// others may write, since whoever can write there can run code in this
/// process. A directory that cannot be made at all is no danger: the
/// sandbox runs without its cache (and says so).
pub(crate) fn check_trusted(dir: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        let made = if dir.exists() {
            Ok(())
        } else {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
        };
        let meta = match made.and_then(|()| fs::metadata(dir)) {
            Ok(meta) => meta,
            Err(e) => {
                tracing::warn!(dir = %dir.display(), "no image cache on disk: {e}");
                return Ok(());
            }
        };
        #[allow(unsafe_code, reason = "geteuid has no preconditions")]
        // SAFETY: geteuid only reads the process's credentials.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(format!(
                "the cache directory {} belongs to user {}, not to this process's user {me};                  native code is loaded from it, so it must be this user's",
                dir.display(),
                meta.uid()
            ));
        }
        let mode = meta.permissions().mode();
        if mode & 0o022 != 0 {
            return Err(format!(
                "the cache directory {} is writable by other users (mode {:o}); native code is                  loaded from it: `chmod go-w` it (or 700)",
                dir.display(),
                mode & 0o777
            ));
        }
    }
    #[cfg(not(unix))]
    if let Err(e) = fs::create_dir_all(dir) {
        tracing::warn!(dir = %dir.display(), "no image cache on disk: {e}");
    }
    Ok(())
}

/// Lowercase hex, as digests appear in ids (and so in cache file names).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.cwasm"))
}

/// The cached module for `id`, if present and compatible with `engine`.
pub(crate) fn load(engine: &Engine, dir: &Path, id: &str) -> Option<Module> {
    let path = path(dir, id);
    if !path.is_file() {
        return None;
    }
    #[allow(
        unsafe_code,
        reason = "cache files are written only by this engine (see module docs)"
    )]
    // SAFETY: the file was produced by `Module::serialize` of a compatible
    // engine (the id covers the engine's compatibility hash), and wasmtime
    // rejects artifacts from other versions or settings.
    let loaded = unsafe { Module::deserialize_file(engine, &path) };
    match loaded {
        Ok(module) => Some(module),
        Err(e) => {
            tracing::warn!(path = %path.display(), "ignoring unusable cached image: {e:#}");
            None
        }
    }
}

/// Writes `module` to the cache under `id`, atomically. A failure only
/// costs a rebuild later, so it is logged, never returned.
pub(crate) fn store(dir: &Path, id: &str, module: &Module) {
    let bytes = match module.serialize() {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(id, "not caching an image that failed to serialize: {e:#}");
            return;
        }
    };
    // Unique per writer: concurrent builds of one image must not interleave.
    static WRITER: AtomicU64 = AtomicU64::new(0);
    let writer = WRITER.fetch_add(1, Ordering::Relaxed);
    let tmp_path = dir.join(format!(".{id}.{}-{writer}.tmp", std::process::id()));
    let written = fs::create_dir_all(dir)
        .and_then(|()| {
            let mut file = fs::File::create(&tmp_path)?;
            file.write_all(&bytes)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&tmp_path, path(dir, id)));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp_path);
        tracing::warn!(dir = %dir.display(), "could not write to the image cache: {e}");
    }
}

/// How many runtime snapshots stay loaded for late-bound images to share
/// (images hold on to theirs regardless).
const RUNTIMES_KEPT: usize = 32;

/// Runtime snapshots by id, built once each (single flight).
#[derive(Default)]
pub(crate) struct Runtimes {
    modules: HashMap<String, Arc<OnceCell<Module>>>,
    order: VecDeque<String>,
}

impl Runtimes {
    /// The cell runtime `id` is built into (empty when new); the oldest
    /// beyond [`RUNTIMES_KEPT`] are forgotten.
    pub(crate) fn slot(&mut self, id: &str) -> Arc<OnceCell<Module>> {
        if let Some(slot) = self.modules.get(id) {
            return Arc::clone(slot);
        }
        let slot = Arc::new(OnceCell::new());
        self.modules.insert(id.to_owned(), Arc::clone(&slot));
        self.order.push_back(id.to_owned());
        while self.order.len() > RUNTIMES_KEPT {
            if let Some(oldest) = self.order.pop_front() {
                self.modules.remove(&oldest);
            }
        }
        slot
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn native_code_is_loaded_only_from_a_directory_others_cannot_write() {
        let root = tempfile::tempdir().expect("tempdir");
        let fresh = root.path().join("images");
        check_trusted(&fresh).expect("created");
        let mode = fs::metadata(&fresh).expect("exists").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);

        fs::set_permissions(&fresh, fs::Permissions::from_mode(0o777)).expect("chmod");
        let refused = check_trusted(&fresh).expect_err("writable by others");
        assert!(refused.contains("writable by other users"), "{refused}");

        // Readable by others is fine; writable is what lets them in.
        fs::set_permissions(&fresh, fs::Permissions::from_mode(0o755)).expect("chmod");
        check_trusted(&fresh).expect("trusted");
    }
}
