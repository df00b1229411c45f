//! The on-disk image cache: image snapshots (`<id>.image`: a header, then
//! the memory's contents, page-aligned, zero pages left as holes) and the
//! compiled guest (`guest-<fingerprint>.cwasm`), keyed by content hash and
//! loaded by mmap. Also the in-memory [`Runtimes`], the runtime snapshots
//! late-bound images share.
//!
//! Trust: loading the `.cwasm` runs the machine code in it, and a snapshot
//! decides what the guest runs, so the cache directory must be writable
//! only by this service. Files are written whole (temp file + rename) and
//! never changed after: a crash never leaves a half-written artifact, and a
//! snapshot mapped copy-on-write into instances never changes under them.

use std::collections::{HashMap, VecDeque};
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::OnceCell;
use wasmtime::{Engine, InitialMemory, Module, Val};

use crate::snapshot::State;

/// Where an image's snapshot lives, which decides what keeping it loaded
/// costs. Its code is the guest's, shared by every image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backing {
    /// Mapped from its file in the disk cache: clean page cache the kernel
    /// can reclaim and share, so the image holds privately only wasmtime's
    /// tables about its module.
    File,
    /// Copied into an anonymous file (no disk cache, or the write failed):
    /// all of it is private, twice (wasmtime keeps the bytes it copied
    /// into the file too).
    Memory {
        /// The snapshot's length.
        bytes: usize,
    },
}

/// What wasmtime keeps per module besides its code and memory image (its
/// copy of the module's metadata: types, exports, function names): about
/// 43 KB for the guest, measured as the process's anonymous memory growth
/// over 400 images loaded from one snapshot file.
const MODULE_METADATA_BYTES: usize = 64 << 10;

impl Backing {
    /// Memory an image holds that nothing else shares and the kernel cannot
    /// reclaim.
    pub(crate) fn private_bytes(self) -> usize {
        match self {
            Backing::File => MODULE_METADATA_BYTES,
            Backing::Memory { bytes } => MODULE_METADATA_BYTES + 2 * bytes,
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

/// Removes what earlier versions cached that no version reads any more:
/// compiled images (`<id>.cwasm`, 14 MB each; only the guest is compiled
/// now) and Cranelift's per-function cache (`functions/`, about 30 MB).
pub(crate) fn remove_earlier_formats(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let gone = if name == "functions" {
            fs::remove_dir_all(entry.path())
        } else if name.ends_with(".cwasm") && !name.starts_with("guest-") {
            fs::remove_file(entry.path())
        } else {
            continue;
        };
        if gone.is_ok() {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(
            removed,
            "removed images of an earlier format from the disk cache"
        );
    }
}

/// Lowercase hex, as digests appear in ids (and so in cache file names).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.image"))
}

fn guest_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.cwasm"))
}

/// The start of a snapshot file: magic and version.
const MAGIC: &[u8; 16] = b"chatfn-image\0\0\0\x01";
/// Where a snapshot's memory starts in its file: past the header, aligned
/// to any host page size.
const DATA_OFFSET: usize = 64 << 10;
/// A global's value in the header: index, type, 16 bytes.
const GLOBAL_BYTES: usize = 4 + 1 + 16;
const HEADER_FIXED: usize = MAGIC.len() + 8 + 8 + 4;
const PAGE: usize = 4096;

/// Encodes `state`'s header: magic, wasm pages, memory length, globals.
fn header(state: &State) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(HEADER_FIXED + state.globals.len() * GLOBAL_BYTES);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&state.pages.to_le_bytes());
    out.extend_from_slice(&(state.memory.len() as u64).to_le_bytes());
    out.extend_from_slice(&u32::try_from(state.globals.len()).ok()?.to_le_bytes());
    for (index, value) in &state.globals {
        let (kind, bits): (u8, u128) = match value {
            Val::I32(x) => (0, u128::from(*x as u32)),
            Val::I64(x) => (1, u128::from(*x as u64)),
            Val::F32(x) => (2, u128::from(*x)),
            Val::F64(x) => (3, u128::from(*x)),
            Val::V128(x) => (4, x.as_u128()),
            _ => return None,
        };
        out.extend_from_slice(&index.to_le_bytes());
        out.push(kind);
        out.extend_from_slice(&bits.to_le_bytes());
    }
    (out.len() <= DATA_OFFSET).then_some(out)
}

/// A snapshot file's header.
struct Header {
    /// The memory's size, in wasm pages.
    pages: u64,
    /// The length of the memory's contents that follow.
    len: usize,
    globals: Vec<(u32, Val)>,
}

/// Decodes a header.
fn parse_header(bytes: &[u8]) -> Option<Header> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (pages, rest) = rest.split_first_chunk::<8>()?;
    let (len, rest) = rest.split_first_chunk::<8>()?;
    let (count, mut rest) = rest.split_first_chunk::<4>()?;
    let count = u32::from_le_bytes(*count) as usize;
    let mut globals = Vec::with_capacity(count.min(DATA_OFFSET / GLOBAL_BYTES));
    for _ in 0..count {
        let (index, after) = rest.split_first_chunk::<4>()?;
        let (kind, after) = after.split_first()?;
        let (bits, after) = after.split_first_chunk::<16>()?;
        rest = after;
        let bits = u128::from_le_bytes(*bits);
        let value = match kind {
            0 => Val::I32(bits as u32 as i32),
            1 => Val::I64(bits as u64 as i64),
            2 => Val::F32(bits as u32),
            3 => Val::F64(bits as u64),
            4 => Val::V128(bits.into()),
            _ => return None,
        };
        globals.push((u32::from_le_bytes(*index), value));
    }
    Some(Header {
        pages: u64::from_le_bytes(*pages),
        len: usize::try_from(u64::from_le_bytes(*len)).ok()?,
        globals,
    })
}

/// The cached image `id`: the guest's module `base` started from the
/// snapshot on file, if present and well-formed.
pub(crate) fn load(base: &Module, dir: &Path, id: &str) -> Option<Module> {
    let path = path(dir, id);
    let mut file = fs::File::open(&path).ok()?;
    let loaded = (|| {
        let mut head = vec![0; DATA_OFFSET];
        file.read_exact(&mut head)?;
        let Header {
            pages,
            len,
            globals,
        } = parse_header(&head)
            .filter(|header| header.len % DATA_OFFSET == 0)
            .ok_or_else(|| std::io::Error::other("not a snapshot of this version"))?;
        if file.metadata()?.len() < (DATA_OFFSET + len) as u64 {
            return Err(std::io::Error::other("truncated"));
        }
        let memory = InitialMemory::File {
            file: file.try_clone()?,
            offset: DATA_OFFSET,
            len,
        };
        base.with_initial_state(memory, pages, &globals)
            .map_err(|e| std::io::Error::other(format!("{e:#}")))
    })();
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
            tracing::warn!(path = %path.display(), "ignoring unusable cached image: {e}");
            None
        }
    }
}

/// Writes `state` to the cache under `id`, atomically, then keeps the
/// images within `max_bytes` if given. A failure only costs a rebuild
/// later, so it is logged, never returned.
pub(crate) fn store(dir: &Path, id: &str, state: &State, max_bytes: Option<u64>) {
    let Some(header) = header(state) else {
        tracing::warn!(id, "not caching a snapshot with too many globals");
        return;
    };
    let written = write_atomically(dir, &path(dir, id), |file| {
        file.write_all(&header)?;
        // Zero pages are left as holes: a snapshot is mostly free heap.
        for (i, page) in state.memory.chunks(PAGE).enumerate() {
            if page.iter().any(|b| *b != 0) {
                file.seek(SeekFrom::Start((DATA_OFFSET + i * PAGE) as u64))?;
                file.write_all(page)?;
            }
        }
        file.set_len((DATA_OFFSET + state.memory.len()) as u64)
    });
    if let Err(e) = written {
        tracing::warn!(dir = %dir.display(), "could not write to the image cache: {e}");
        return;
    }
    if let Some(max_bytes) = max_bytes {
        collect(dir, max_bytes, id);
    }
}

/// The compiled guest `id`, if cached and compatible with `engine`.
pub(crate) fn load_guest(engine: &Engine, dir: &Path, id: &str) -> Option<Module> {
    let path = guest_path(dir, id);
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
    loaded
        .inspect_err(|e| {
            tracing::warn!(path = %path.display(), "ignoring an unusable compiled guest: {e:#}");
        })
        .ok()
}

/// Writes the compiled guest to the cache under `id`; never collected.
pub(crate) fn store_guest(dir: &Path, id: &str, module: &Module) {
    let bytes = match module.serialize() {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!("not caching the compiled guest: {e:#}");
            return;
        }
    };
    let path = guest_path(dir, id);
    if let Err(e) = write_atomically(dir, &path, |file| file.write_all(&bytes)) {
        tracing::warn!(dir = %dir.display(), "could not write to the image cache: {e}");
    }
}

/// Writes `path` through a temp file in `dir`, synced, then renamed.
fn write_atomically(
    dir: &Path,
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // Unique per writer: concurrent builds of one image must not interleave.
    static WRITER: AtomicU64 = AtomicU64::new(0);
    let writer = WRITER.fetch_add(1, Ordering::Relaxed);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("image");
    let tmp_path = dir.join(format!(".{name}.{}-{writer}.tmp", std::process::id()));
    let written = fs::create_dir_all(dir)
        .and_then(|()| {
            let mut file = fs::File::create(&tmp_path)?;
            write(&mut file)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&tmp_path, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    written
}

/// Deletes the least recently used images until those left take at most
/// `max_bytes`; never `keep` (just written) nor the compiled guest every
/// image needs. Images in use stay valid: their files are mapped. Images
/// of earlier versions (`.cwasm` files other than the guest's) count, and
/// go first, being older.
fn collect(dir: &Path, max_bytes: u64, keep: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let keep = format!("{keep}.image");
    let mut images: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let image = name.ends_with(".image") || name.ends_with(".cwasm");
            if !image || name == keep || name.starts_with("guest-") {
                return None;
            }
            let meta = entry.metadata().ok()?;
            Some((meta.modified().ok()?, disk_bytes(&meta), entry.path()))
        })
        .collect();
    let kept = fs::metadata(dir.join(&keep)).map_or(0, |m| disk_bytes(&m));
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

/// The disk space a file takes (snapshots have holes).
fn disk_bytes(meta: &fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.blocks() * 512
    }
    #[cfg(not(unix))]
    meta.len()
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
            // Written, not sparse: the quota counts disk blocks.
            fs::write(&path, vec![1u8; 100 << 10])?;
            fs::File::options()
                .write(true)
                .open(&path)?
                .set_modified(now - std::time::Duration::from_secs(age_s))
        };
        write("old.image", 300)?;
        write("older.cwasm", 400)?; // an earlier version's image
        write("recent.image", 10)?;
        write("guest-x.cwasm", 1000)?;
        write("new.image", 500)?; // just written, whatever its time
        collect(dir.path(), 250 << 10, "new");
        let left = names(dir.path())?;
        assert_eq!(left, ["guest-x.cwasm", "new.image", "recent.image"]);
        Ok(())
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> std::io::Result<Vec<String>> {
        let mut names: Vec<String> = fs::read_dir(dir)?
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        Ok(names)
    }

    #[test]
    fn images_of_earlier_formats_are_removed_and_nothing_else() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        for name in ["a.cwasm", "guest-x.cwasm", "b.image", "other.txt"] {
            fs::write(dir.path().join(name), b"x")?;
        }
        fs::create_dir_all(dir.path().join("functions/guest"))?;
        fs::write(dir.path().join("functions/guest/f"), b"x")?;
        remove_earlier_formats(dir.path());
        let left = names(dir.path())?;
        assert_eq!(left, ["b.image", "guest-x.cwasm", "other.txt"]);
        Ok(())
    }

    #[test]
    fn a_snapshot_header_reads_back_as_written_and_a_short_one_not_at_all() {
        let state = State {
            memory: vec![1; 2 * PAGE],
            pages: 17,
            globals: vec![
                (0, Val::I32(-5)),
                (3, Val::I64(1 << 40)),
                (4, Val::F32(1.5f32.to_bits())),
                (9, Val::F64((-2.5f64).to_bits())),
            ],
        };
        let head = header(&state).expect("header");
        let read = parse_header(&head).expect("parses");
        assert_eq!((read.pages, read.len), (17, 2 * PAGE));
        assert_eq!(
            format!("{:?}", read.globals),
            format!("{:?}", state.globals)
        );
        assert!(parse_header(&head[..head.len() - 1]).is_none());
        let mut other = head.clone();
        other[15] = 2; // another version
        assert!(parse_header(&other).is_none());
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
