//! Builds the guest (`sandbox/guest`, QuickJS + prelude) for wasm32-wasip1
//! with a nested cargo, so the normal `cargo build` of the host produces it
//! from source. QuickJS's C is compiled by Debian's clang-19 against the
//! WASI headers from Debian's `wasi-libc` (see `scripts/setup.sh`), laid out
//! as the WASI SDK that rquickjs-sys expects.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let guest_dir = manifest_dir.join("guest");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));

    println!("cargo:rerun-if-changed=guest/src");
    println!("cargo:rerun-if-changed=guest/Cargo.toml");
    println!("cargo:rerun-if-changed=guest/Cargo.lock");
    println!("cargo:rerun-if-env-changed=CHATFN_GUEST_WASM");

    // An escape hatch for packagers: use a prebuilt guest.
    if let Some(prebuilt) = env::var_os("CHATFN_GUEST_WASM") {
        copy(Path::new(&prebuilt), &out_dir.join("guest.wasm"));
        return;
    }

    // Shared by every profile of the host so the guest builds once.
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("..").join("target"))
        .join("guest");
    let wasi_sdk = out_dir.join("wasi-sdk");
    make_wasi_sdk(&wasi_sdk);

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&guest_dir)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip1",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .env("WASI_SDK", &wasi_sdk)
        .env("LIBCLANG_PATH", "/usr/lib/llvm-19/lib");
    // The outer build's settings are for the host, not the guest.
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_") && key != "CARGO_HOME" && key != "CARGO_MAKEFLAGS"
            || key == "RUSTFLAGS"
            || key == "RUSTC_WRAPPER"
            || key == "RUSTC_WORKSPACE_WRAPPER"
        {
            cmd.env_remove(key.as_ref());
        }
    }
    let status = cmd.status().unwrap_or_else(|e| {
        panic!("could not run cargo to build the guest: {e}");
    });
    if !status.success() {
        panic!(
            "building the guest (sandbox/guest) for wasm32-wasip1 failed; \
             run scripts/setup.sh to install clang-19, wasi-libc and the rust target"
        );
    }
    copy(
        &target_dir.join("wasm32-wasip1/release/chatfn_guest.wasm"),
        &out_dir.join("guest.wasm"),
    );
}

/// A directory shaped like a WASI SDK, made of symlinks to Debian's clang-19
/// and wasi-libc. rquickjs-sys would otherwise download a WASI SDK.
fn make_wasi_sdk(root: &Path) {
    let links = [
        ("bin/clang", "/usr/bin/clang-19"),
        ("bin/ar", "/usr/bin/llvm-ar-19"),
        ("share/wasi-sysroot/include", "/usr/include/wasm32-wasi"),
        (
            "share/wasi-sysroot/lib/wasm32-wasip1",
            "/usr/lib/wasm32-wasi",
        ),
        ("share/wasi-sysroot/lib/wasm32-wasi", "/usr/lib/wasm32-wasi"),
    ];
    for (link, target) in links {
        if !Path::new(target).exists() {
            panic!("{target} is missing; run scripts/setup.sh (installs clang-19 and wasi-libc)");
        }
        let link = root.join(link);
        fs::create_dir_all(link.parent().expect("has a parent")).expect("create wasi-sdk dir");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(target, &link).expect("symlink into wasi-sdk dir");
    }
}

fn copy(from: &Path, to: &Path) {
    fs::copy(from, to)
        .unwrap_or_else(|e| panic!("copy {} to {}: {e}", from.display(), to.display()));
}
