//! Running the `chatfn` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The `chatfn` binary: `$CHATFN_BIN`, else the one cargo built next to this
/// test (`cargo test --workspace` builds it: the runtime crate has
/// integration tests of its own).
pub(crate) fn chatfn_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("CHATFN_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join("chatfn");
    assert!(
        bin.is_file(),
        "{} is missing: run the tests with `cargo test --workspace` (or scripts/test)",
        bin.display()
    );
    bin
}

/// A `chatfn` command with a private image cache.
pub(crate) fn chatfn(cache: &tempfile::TempDir) -> Command {
    let mut command = Command::new(chatfn_bin());
    command.env("CHATFN_CACHE_DIR", cache.path());
    command
}

/// Stdout's JSON lines.
pub(crate) fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

pub(crate) fn write(dir: &tempfile::TempDir, name: &str, contents: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write file");
    path
}

/// Runs `chatfn invoke HANDLER ARGS...` with `cache` as its image cache.
pub(crate) fn invoke(cache: &tempfile::TempDir, handler: &Path, args: &[&str]) -> Output {
    chatfn(cache)
        .arg("invoke")
        .arg(handler)
        .args(args)
        .output()
        .expect("run chatfn invoke")
}

/// Asserts `output`'s exit code, showing its stderr when it differs.
pub(crate) fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A temp path as the `&str` a command line takes (temp dirs are UTF-8
/// here).
pub(crate) fn path(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Polls `f` until it returns `Some`, for up to `limit`.
pub(crate) fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = f() {
            return value;
        }
        assert!(started.elapsed() < limit, "gave up waiting after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
