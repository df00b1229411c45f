//! The content-addressed package store: each tarball, verified against its
//! integrity hash, extracted once into `<store>/<algorithm>-<hex digest>/`.
//! Extraction goes to a temporary directory renamed into place, so a
//! package directory that exists is complete, and concurrent installs of
//! the same package (threads or processes) are safe.

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use base64::Engine;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::{Error, Result};

/// Unpacked bytes allowed per package.
const MAX_UNPACKED_BYTES: u64 = 256 << 20;
/// Entries allowed per package.
const MAX_ENTRIES: usize = 50_000;

/// A parsed integrity value: the strongest hash it lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Integrity {
    algorithm: &'static str,
    digest: Vec<u8>,
}

impl Integrity {
    /// Parses an SRI string (`sha512-<base64>`, possibly several separated
    /// by spaces), keeping the strongest supported hash.
    pub(crate) fn parse(sri: &str) -> Option<Integrity> {
        let rank = |a: &str| match a {
            "sha512" => 4,
            "sha384" => 3,
            "sha256" => 2,
            "sha1" => 1,
            _ => 0,
        };
        sri.split_whitespace()
            .filter_map(|part| {
                let (algorithm, b64) = part.split_once('-')?;
                let b64 = b64.split('?').next()?; // SRI options
                let digest = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
                let algorithm = match algorithm {
                    "sha512" => "sha512",
                    "sha384" => "sha384",
                    "sha256" => "sha256",
                    "sha1" => "sha1",
                    _ => return None,
                };
                Some(Integrity { algorithm, digest })
            })
            .max_by_key(|i| rank(i.algorithm))
    }

    fn of(&self, bytes: &[u8]) -> Vec<u8> {
        match self.algorithm {
            "sha512" => Sha512::digest(bytes).to_vec(),
            "sha384" => Sha384::digest(bytes).to_vec(),
            "sha256" => Sha256::digest(bytes).to_vec(),
            _ => Sha1::digest(bytes).to_vec(),
        }
    }

    /// The store directory name: `sha512-<hex>`.
    fn key(&self) -> String {
        let hex: String = self.digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}-{hex}", self.algorithm)
    }

    fn display(&self) -> String {
        format!(
            "{}-{}",
            self.algorithm,
            base64::engine::general_purpose::STANDARD.encode(&self.digest)
        )
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Store {
    dir: PathBuf,
}

impl Store {
    pub(crate) fn new(dir: PathBuf) -> Store {
        Store { dir }
    }

    /// Where the package with `integrity` is (or would be) extracted.
    pub(crate) fn path(&self, integrity: &str) -> Option<PathBuf> {
        Integrity::parse(integrity).map(|i| self.dir.join(i.key()))
    }

    /// Whether the package with `integrity` is in the store.
    pub(crate) fn contains(&self, integrity: &str) -> bool {
        self.path(integrity).is_some_and(|p| p.is_dir())
    }

    /// Verifies `tarball` against `integrity` and extracts it into the
    /// store; returns the package directory. `what` (`name@version`) names
    /// the package in errors. Blocking: call it off the async threads.
    pub(crate) fn add(&self, what: &str, integrity: &str, tarball: &[u8]) -> Result<PathBuf> {
        let expected = Integrity::parse(integrity).ok_or_else(|| Error::Integrity {
            package: what.to_owned(),
            expected: integrity.to_owned(),
            actual: "(no supported hash in the registry's integrity value)".into(),
        })?;
        let actual = Integrity {
            algorithm: expected.algorithm,
            digest: expected.of(tarball),
        };
        if actual != expected {
            return Err(Error::Integrity {
                package: what.to_owned(),
                expected: expected.display(),
                actual: actual.display(),
            });
        }
        let target = self.dir.join(expected.key());
        if target.is_dir() {
            return Ok(target);
        }
        let io = |context: &str| {
            let context = format!("{context} ({what})");
            move |source| Error::Io { context, source }
        };
        fs::create_dir_all(&self.dir).map_err(io("creating the package store"))?;
        let temp = self
            .dir
            .join(format!(".tmp-{}-{}", expected.key(), nonce()));
        let extracted = extract(what, tarball, &temp);
        if let Err(e) = extracted {
            let _ = fs::remove_dir_all(&temp);
            return Err(e);
        }
        match fs::rename(&temp, &target) {
            Ok(()) => Ok(target),
            // Someone else finished first: theirs is identical.
            Err(_) if target.is_dir() => {
                let _ = fs::remove_dir_all(&temp);
                Ok(target)
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&temp);
                Err(io("moving the package into the store")(e))
            }
        }
    }
}

fn nonce() -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Extracts a gzipped tarball into `dest`, dropping the first path
/// component (npm's `package/`). Refuses links, devices, absolute paths and
/// `..`, and bounds the size.
fn extract(what: &str, tarball: &[u8], dest: &Path) -> Result<()> {
    let unsafe_entry = |entry: String, reason: &str| Error::UnsafeTarball {
        package: what.to_owned(),
        entry,
        reason: reason.to_owned(),
    };
    let io = |context: &'static str| {
        let context = format!("{context} ({what})");
        move |source| Error::Io { context, source }
    };
    fs::create_dir_all(dest).map_err(io("creating a directory"))?;
    let decoder = flate2::read::GzDecoder::new(tarball);
    let mut archive = tar::Archive::new(decoder);
    let entries = archive.entries().map_err(|e| corrupt(what, &e))?;
    let mut total: u64 = 0;
    for (count, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| corrupt(what, &e))?;
        if count >= MAX_ENTRIES {
            return Err(unsafe_entry(
                String::new(),
                "the tarball has too many entries",
            ));
        }
        let path = entry.path().map_err(|e| corrupt(what, &e))?.into_owned();
        let shown = path.display().to_string();
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(unsafe_entry(shown, "links are not allowed"));
        }
        let is_file = kind.is_file() || kind == tar::EntryType::Continuous;
        if !is_file && !kind.is_dir() {
            if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
                continue;
            }
            return Err(unsafe_entry(
                shown,
                "only files and directories are allowed",
            ));
        }
        let mut relative = PathBuf::new();
        for (i, component) in path.components().enumerate() {
            match component {
                Component::Normal(part) if i > 0 => relative.push(part),
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => return Err(unsafe_entry(shown, "'..' is not allowed")),
                Component::RootDir | Component::Prefix(_) => {
                    return Err(unsafe_entry(shown, "absolute paths are not allowed"));
                }
            }
        }
        if relative.as_os_str().is_empty() {
            continue;
        }
        let out = dest.join(&relative);
        if kind.is_dir() {
            fs::create_dir_all(&out).map_err(io("creating a directory"))?;
            continue;
        }
        total = total.saturating_add(entry.size());
        if total > MAX_UNPACKED_BYTES {
            return Err(unsafe_entry(
                shown,
                "the package unpacks to more than 256 MiB",
            ));
        }
        if let Some(parent) = out.parent() {
            fs::create_dir_all(parent).map_err(io("creating a directory"))?;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .by_ref()
            .take(MAX_UNPACKED_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| corrupt(what, &e))?;
        fs::write(&out, &bytes).map_err(io("writing a package file"))?;
    }
    Ok(())
}

fn corrupt(what: &str, e: &std::io::Error) -> Error {
    Error::UnsafeTarball {
        package: what.to_owned(),
        entry: String::new(),
        reason: format!("the tarball is not a valid .tgz: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_strings() {
        let sri = "sha1-V0yBOM4dK1hh8LRFedut1gxmFbI= sha512-AAAA";
        assert_eq!(Integrity::parse(sri).map(|i| i.algorithm), Some("sha512"));
        assert_eq!(Integrity::parse("md5-AAAA"), None);
        assert_eq!(Integrity::parse("garbage"), None);
        let i = Integrity::parse("sha1-V0yBOM4dK1hh8LRFedut1gxmFbI=").expect("sha1");
        assert_eq!(i.key(), "sha1-574c8138ce1d2b5861f0b44579dbadd60c6615b2");
    }
}
