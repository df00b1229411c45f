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

/// Where a compiled module's code and data live, which decides what keeping
/// it loaded costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backing {
    /// Mapped from its `.cwasm` in the disk cache: clean page cache the
    /// kernel can reclaim and share, so the module holds privately only
    /// wasmtime's tables about it.
    File,
    /// Compiled in this process's memory (no disk cache, or the write
    /// failed): all of it is private.
    Memory,
}

impl Backing {
    /// Memory `module` holds that nothing else shares and the kernel cannot
    /// reclaim. Mapped from a file, that is wasmtime's metadata (function
    /// and trap tables): about 320 KB per image of the default runtime,
    /// whose range is 14 MB, measured as the process's anonymous memory
    /// with 18 and with 401 images loaded; counted as 1/32 of the range.
    pub(crate) fn private_bytes(self, module: &Module) -> usize {
        let range = module.image_range();
        let len = range.end.addr().saturating_sub(range.start.addr());
        match self {
            Backing::File => len / 32,
            Backing::Memory => len,
        }
    }
}

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
        Ok(module) => {
            // Used now: the quota's collection takes the least recently
            // used first. (A mapped file stays valid if it is deleted.)
            let _ = fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            Some(module)
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), "ignoring unusable cached image: {e:#}");
            None
        }
    }
}

/// Writes `module` to the cache under `id`, atomically, then keeps the
/// images within `max_bytes` if given. A failure only costs a rebuild
/// later, so it is logged, never returned.
pub(crate) fn store(dir: &Path, id: &str, module: &Module, max_bytes: Option<u64>) {
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
        return;
    }
    if let Some(max_bytes) = max_bytes {
        collect(dir, max_bytes, id);
    }
}

/// Deletes the least recently used images until those left take at most
/// `max_bytes`; never `keep` (just written) nor the instrumented guest
/// every build needs. Images in use stay valid: their files are mapped.
fn collect(dir: &Path, max_bytes: u64, keep: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let keep = format!("{keep}.cwasm");
    let mut images: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            if !name.ends_with(".cwasm") || name == keep || name.starts_with("guest-") {
                return None;
            }
            let meta = entry.metadata().ok()?;
            Some((meta.modified().ok()?, meta.len(), entry.path()))
        })
        .collect();
    let kept = fs::metadata(dir.join(&keep)).map_or(0, |m| m.len());
    let mut total: u64 = kept + images.iter().map(|(_, size, _)| size).sum::<u64>();
    if total <= max_bytes {
        return;
    }
    images.sort();
    let mut removed = 0;
    for (_, size, path) in images {
        if total <= max_bytes {
            break;
        }
        if fs::remove_file(&path).is_ok() {
            total -= size;
            removed += 1;
        }
    }
    tracing::info!(
        removed,
        left_mb = total >> 20,
        "least recently used images removed from the disk cache"
    );
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
    fn the_quota_removes_the_least_recently_used_images() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let now = std::time::SystemTime::now();
        let write = |name: &str, age_s: u64| -> std::io::Result<()> {
            let path = dir.path().join(name);
            fs::write(&path, vec![0u8; 100])?;
            fs::File::options()
                .write(true)
                .open(&path)?
                .set_modified(now - std::time::Duration::from_secs(age_s))
        };
        write("old.cwasm", 300)?;
        write("older.cwasm", 400)?;
        write("recent.cwasm", 10)?;
        write("guest-x.cwasm", 1000)?;
        write("new.cwasm", 500)?; // just written, whatever its time
        collect(dir.path(), 250, "new");
        let mut left: Vec<String> = fs::read_dir(dir.path())?
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        left.sort();
        assert_eq!(left, ["guest-x.cwasm", "new.cwasm", "recent.cwasm"]);
        Ok(())
    }

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
