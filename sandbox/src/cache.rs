//! The on-disk image cache: precompiled modules (`<id>.cwasm`), keyed by the
//! image id, loaded by mmap.
//!
//! Trust: loading a `.cwasm` runs the machine code in it, so the cache
//! directory must be writable only by this service. Files are written whole
//! (temp file + rename), so a crash never leaves a half-written artifact.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use wasmtime::{Engine, Module};

use crate::{Error, Result};

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

/// Writes `module` to the cache under `id`, atomically.
pub(crate) fn store(dir: &Path, id: &str, module: &Module) -> Result<()> {
    let bytes = module
        .serialize()
        .map_err(Error::engine("serializing an image"))?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Cache { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let final_path = path(dir, id);
    // Unique per writer: concurrent builds of one image must not interleave.
    static WRITER: AtomicU64 = AtomicU64::new(0);
    let writer = WRITER.fetch_add(1, Ordering::Relaxed);
    let tmp_path = dir.join(format!(".{id}.{}-{writer}.tmp", std::process::id()));
    let mut file = fs::File::create(&tmp_path).map_err(io(&tmp_path))?;
    file.write_all(&bytes).map_err(io(&tmp_path))?;
    file.sync_all().map_err(io(&tmp_path))?;
    drop(file);
    fs::rename(&tmp_path, &final_path).map_err(io(&final_path))
}
