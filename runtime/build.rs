//! Embeds the dashboard (`runtime/dashboard`) in the binary: writes a table
//! of its files to `$OUT_DIR/dashboard_assets.rs`, so `chatfn serve` needs
//! no files beside it and no front-end build.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("dashboard");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    let mut table = String::from("&[\n");
    for (relative, absolute) in &files {
        println!("cargo:rerun-if-changed={}", absolute.display());
        table.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?}) as &[u8]),\n",
            absolute.display().to_string()
        ));
    }
    table.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("dashboard_assets.rs"), table).expect("OUT_DIR is writable");
}

/// Every file under `dir`, by its path relative to `root` with `/`
/// separators, except the vendoring inputs (npm's package files).
fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(dir).expect("the dashboard directory is readable");
    for entry in entries {
        let path = entry.expect("a readable directory entry").path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            walk(root, &path, files);
            continue;
        }
        let relative = path
            .strip_prefix(root)
            .expect("under the root")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        if relative == "vendor/package.json" || relative == "vendor/package-lock.json" {
            continue;
        }
        files.push((relative, path));
    }
}
