//! Keeping the package store under a size: the least recently used
//! packages and ES module conversions go first. Nothing is lost by it: an
//! install downloads whatever its lockfile needs that the store lacks (and
//! checks it against the same integrity hash).
//!
//! Installs mark what they use by its modification time
//! ([`mark_used`]), so that time orders the entries. Entries used within
//! the grace period are kept whatever the size: an install that found a
//! package in the store may still be reading it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What a collection found and removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    /// Packages and conversions removed.
    pub removed: usize,
    /// Their bytes.
    pub freed_bytes: u64,
    /// Bytes left in the store and the conversion cache.
    pub kept_bytes: u64,
}

/// Marks a package directory or conversion file as used now. Best effort:
/// an entry that cannot be marked is only collected sooner.
pub(crate) fn mark_used(path: &Path) {
    let now = SystemTime::now();
    let _ = fs::File::open(path).and_then(|f| f.set_modified(now));
}

struct Entry {
    path: PathBuf,
    used: SystemTime,
    bytes: u64,
    dir: bool,
}

/// Removes the least recently used entries of `store` (package
/// directories) and `conversions` (files) until they hold at most
/// `max_bytes` together. Leftovers of interrupted extractions and removals
/// older than `grace` go too. Blocking.
pub(crate) fn collect(
    store: &Path,
    conversions: &Path,
    max_bytes: u64,
    grace: Duration,
) -> std::io::Result<Collected> {
    let now = SystemTime::now();
    let recent = |used: SystemTime| now.duration_since(used).map_or(true, |age| age < grace);
    let mut entries = Vec::new();
    let mut collected = Collected::default();
    for (dir, packages) in [(store, true), (conversions, false)] {
        let listing = match fs::read_dir(dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for item in listing {
            let item = item?;
            let meta = match item.metadata() {
                Ok(meta) => meta,
                // Removed meanwhile (by another collection, say).
                Err(_) => continue,
            };
            let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            let name = item.file_name();
            let path = item.path();
            let leftover = name.to_string_lossy().starts_with('.')
                || (!packages && name.to_string_lossy().contains(".tmp"));
            if leftover {
                if !recent(used) {
                    let bytes = size_of(&path, meta.is_dir());
                    if remove(&path, meta.is_dir(), dir) {
                        collected.removed += 1;
                        collected.freed_bytes += bytes;
                    }
                }
                continue;
            }
            entries.push(Entry {
                bytes: size_of(&path, meta.is_dir()),
                path,
                used,
                dir: meta.is_dir(),
            });
        }
    }
    let mut total: u64 = entries.iter().map(|e| e.bytes).sum();
    entries.sort_by_key(|e| e.used);
    for entry in entries {
        if total <= max_bytes || recent(entry.used) {
            break;
        }
        let parent = entry.path.parent().unwrap_or(Path::new("."));
        if remove(&entry.path, entry.dir, parent) {
            total -= entry.bytes;
            collected.removed += 1;
            collected.freed_bytes += entry.bytes;
        }
    }
    collected.kept_bytes = total;
    Ok(collected)
}

/// Bytes of the files under `path`.
fn size_of(path: &Path, dir: bool) -> u64 {
    if !dir {
        return fs::symlink_metadata(path).map_or(0, |m| m.len());
    }
    let mut bytes = 0;
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(listing) = fs::read_dir(&dir) else {
            continue;
        };
        for item in listing.flatten() {
            match item.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(item.path()),
                Ok(_) => bytes += item.metadata().map_or(0, |m| m.len()),
                Err(_) => {}
            }
        }
    }
    bytes
}

/// Removes an entry. A package directory is first renamed out of its place,
/// so an install never finds one half removed: it is there whole, or
/// missing and downloaded again.
fn remove(path: &Path, dir: bool, parent: &Path) -> bool {
    if !dir {
        return fs::remove_file(path).is_ok();
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let trash = match name {
        Some(name) if name.starts_with('.') => path.to_path_buf(),
        Some(name) => parent.join(format!(".trash-{name}")),
        None => return false,
    };
    if trash != path && fs::rename(path, &trash).is_err() {
        return false;
    }
    fs::remove_dir_all(&trash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(store: &Path, name: &str, bytes: usize, age: Duration) -> PathBuf {
        let dir = store.join(name);
        fs::create_dir_all(dir.join("lib")).expect("mkdir");
        fs::write(dir.join("lib/index.js"), vec![b'x'; bytes]).expect("write");
        let at = SystemTime::now() - age;
        fs::File::open(&dir)
            .and_then(|f| f.set_modified(at))
            .expect("set mtime");
        dir
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn the_least_recently_used_go_first_until_under_the_size() {
        let root = tempfile::tempdir().expect("tempdir");
        let store = root.path().join("store");
        let conversions = root.path().join("esm-cache");
        let oldest = package(&store, "sha512-aa", 1000, 3 * HOUR);
        let older = package(&store, "sha512-bb", 1000, 2 * HOUR);
        let newer = package(&store, "sha512-cc", 1000, HOUR);
        fs::create_dir_all(&conversions).expect("mkdir");
        let conversion = conversions.join("ff.json");
        fs::write(&conversion, vec![b'y'; 500]).expect("write");

        let collected =
            collect(&store, &conversions, 2000, Duration::from_secs(60)).expect("collect");
        assert_eq!(
            collected,
            Collected {
                removed: 2,
                freed_bytes: 2000,
                kept_bytes: 1500
            }
        );
        assert!(!oldest.exists() && !older.exists());
        assert!(newer.join("lib/index.js").exists());
        assert!(conversion.exists(), "the most recent entry stays");
        // Nothing half removed is left behind.
        let names: Vec<_> = fs::read_dir(&store)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["sha512-cc"]);
    }

    #[test]
    fn entries_used_within_the_grace_are_kept_over_the_size() {
        let root = tempfile::tempdir().expect("tempdir");
        let store = root.path().join("store");
        let used = package(&store, "sha512-aa", 1000, Duration::ZERO);
        let collected = collect(
            &store,
            &root.path().join("none"),
            10,
            Duration::from_secs(60),
        )
        .expect("collect");
        assert_eq!(collected.removed, 0);
        assert_eq!(collected.kept_bytes, 1000);
        assert!(used.exists());
    }

    #[test]
    fn marking_an_entry_used_keeps_it_over_older_ones() {
        let root = tempfile::tempdir().expect("tempdir");
        let store = root.path().join("store");
        let a = package(&store, "sha512-aa", 1000, 3 * HOUR);
        let b = package(&store, "sha512-bb", 1000, 2 * HOUR);
        mark_used(&a);
        collect(&store, &root.path().join("none"), 1000, Duration::ZERO).expect("collect");
        assert!(a.exists());
        assert!(!b.exists());
    }

    #[test]
    fn stale_leftovers_are_removed_and_fresh_ones_kept() {
        let root = tempfile::tempdir().expect("tempdir");
        let store = root.path().join("store");
        let stale = package(&store, ".tmp-sha512-aa-0011", 100, 2 * HOUR);
        let fresh = package(&store, ".tmp-sha512-bb-0022", 100, Duration::ZERO);
        let collected =
            collect(&store, &root.path().join("none"), u64::MAX, HOUR).expect("collect");
        assert_eq!(collected.removed, 1);
        assert!(!stale.exists());
        assert!(fresh.exists(), "an extraction may be under way");
    }
}
