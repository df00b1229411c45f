//! From installed packages to the image's module map: every JavaScript and
//! JSON file under `/node_modules/…`, with ES module files converted to
//! CommonJS (once per package integrity and compiler version, cached next
//! to the store).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use compiler::{Compiler, SourceKind};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The module map of all packages may not pass this.
pub(crate) const MAX_MODULE_BYTES: usize = 128 << 20;

/// One package's files for the module map: path relative to the package
/// directory → source, ES modules already converted.
pub(crate) struct PackageFiles {
    pub(crate) files: BTreeMap<String, String>,
    pub(crate) warnings: Vec<String>,
}

/// Reads a package's files; `cache_dir` holds conversions by package and
/// compiler version. Blocking.
pub(crate) fn package_files(
    compiler: &Compiler,
    what: &str,
    package_dir: &Path,
    cache_dir: &Path,
) -> Result<PackageFiles> {
    let mut files = BTreeMap::new();
    collect(package_dir, package_dir, &mut files)?;
    let esm: Vec<String> = files
        .keys()
        .filter(|path| is_es_module(path, &files))
        .cloned()
        .collect();
    let mut warnings = Vec::new();
    if esm.is_empty() {
        return Ok(PackageFiles { files, warnings });
    }
    // The cache is keyed by the package directory (its integrity) and the
    // compiler, so a compiler upgrade converts again.
    let key = {
        let mut hash = Sha256::new();
        hash.update(compiler::VERSION.as_bytes());
        hash.update(package_dir.as_os_str().as_encoded_bytes());
        hash.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let cache_file = cache_dir.join(format!("{key}.json"));
    let cached: Option<BTreeMap<String, String>> = fs::read(&cache_file)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let converted = match cached {
        Some(converted) => {
            crate::collect::mark_used(&cache_file);
            converted
        }
        None => {
            let mut converted = BTreeMap::new();
            for path in &esm {
                let source = &files[path];
                // Parse as JavaScript whatever the extension (`.mjs`).
                let name = format!("{what}/{path}");
                match compiler.compile(source, &js_name(&name), SourceKind::Module) {
                    Ok(out) => {
                        converted.insert(path.clone(), out.code);
                    }
                    Err(e) => warnings.push(format!(
                        "{name} could not be converted from an ES module and is left as it is: {e}"
                    )),
                }
            }
            if warnings.is_empty() {
                write_cache(cache_dir, &cache_file, &converted);
            }
            converted
        }
    };
    files.extend(converted);
    Ok(PackageFiles { files, warnings })
}

fn write_cache(dir: &Path, file: &Path, converted: &BTreeMap<String, String>) {
    let Ok(json) = serde_json::to_vec(converted) else {
        return;
    };
    let temp = file.with_extension(format!("tmp{}", std::process::id()));
    let written = fs::create_dir_all(dir)
        .and_then(|()| fs::write(&temp, json))
        .and_then(|()| fs::rename(&temp, file));
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        tracing::warn!(file = %file.display(), "caching converted ES modules failed: {e}");
    }
}

fn js_name(name: &str) -> String {
    if name.ends_with(".js") {
        name.to_owned()
    } else {
        format!("{name}.js")
    }
}

/// Files `require` may load (JavaScript and JSON), and the text data files
/// packages read with `fs` at run time (word lists, `.proto` schemas,
/// certificates, templates), up to [`MAX_DATA_FILE_BYTES`] each.
fn wanted(path: &str, size: u64) -> bool {
    let has = |exts: &[&str]| exts.iter().any(|ext| path.ends_with(ext));
    has(&[".js", ".cjs", ".mjs", ".json"])
        || size <= MAX_DATA_FILE_BYTES
            && has(&[
                ".txt",
                ".proto",
                ".pem",
                ".crt",
                ".csv",
                ".tsv",
                ".yaml",
                ".yml",
                ".xml",
                ".html",
                ".css",
                ".graphql",
                ".sql",
                ".hbs",
                ".mustache",
                ".ejs",
            ])
}

/// Data files larger than this stay out of the module map.
const MAX_DATA_FILE_BYTES: u64 = 1 << 20;

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) -> Result<()> {
    let io = |context: String| move |source| Error::Io { context, source };
    let entries = fs::read_dir(dir).map_err(io(format!("reading {}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let metadata =
            fs::symlink_metadata(&path).map_err(io(format!("reading {}", path.display())))?;
        let file_type = metadata.file_type();
        if file_type.is_dir() {
            collect(root, &path, files)?;
            continue;
        }
        if !file_type.is_file() {
            continue;
        }
        let size = metadata.len();
        let Some(relative) = path
            .strip_prefix(root)
            .ok()
            .and_then(|p| p.to_str())
            .map(|p| p.replace('\\', "/"))
        else {
            continue;
        };
        if !wanted(&relative, size) {
            continue;
        }
        let bytes = fs::read(&path).map_err(io(format!("reading {}", path.display())))?;
        files.insert(relative, String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok(())
}

/// Node's rule: `.mjs` is ESM, `.cjs` is not, and `.js` follows the
/// nearest `package.json`'s `type`. Files of bundled dependencies (under
/// the package's own `node_modules`) follow their own package.json.
fn is_es_module(path: &str, files: &BTreeMap<String, String>) -> bool {
    if path.ends_with(".mjs") {
        return true;
    }
    if !path.ends_with(".js") {
        return false;
    }
    let mut dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    loop {
        let manifest = if dir.is_empty() {
            "package.json".to_owned()
        } else {
            format!("{dir}/package.json")
        };
        if let Some(json) = files.get(&manifest) {
            let kind = serde_json::from_str::<serde_json::Value>(json)
                .ok()
                .and_then(|v| v["type"].as_str().map(str::to_owned));
            return kind.as_deref() == Some("module");
        }
        if dir.is_empty() {
            return false;
        }
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_types() {
        let files: BTreeMap<String, String> = [
            ("package.json", r#"{"type":"module"}"#),
            ("a.js", ""),
            ("b.cjs", ""),
            ("c.mjs", ""),
            ("cjs/package.json", r#"{"type":"commonjs"}"#),
            ("cjs/d.js", ""),
            ("cjs/deep/e.js", ""),
            ("x.json", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let esm: Vec<&String> = files.keys().filter(|p| is_es_module(p, &files)).collect();
        assert_eq!(esm, ["a.js", "c.mjs"]);
    }

    #[test]
    fn modules_and_small_text_data_files_are_kept() {
        assert!(wanted("index.js", 0));
        assert!(wanted("dist/big.cjs", 50 << 20));
        assert!(wanted("data/words.txt", 2_000));
        assert!(wanted("protos/api.proto", 2_000));
        assert!(!wanted("data/huge.csv", 2 << 20));
        assert!(!wanted("README.md", 100));
        assert!(!wanted("index.d.ts", 100));
        assert!(!wanted("logo.png", 100));
    }
}
