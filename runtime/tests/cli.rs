//! The binary starts and documents itself. (Also makes `cargo test
//! --workspace` build `chatfn`, which the end-to-end tests in `tests/` run.)

use std::process::Command;

#[test]
fn help_lists_the_commands() {
    let output = Command::new(env!("CARGO_BIN_EXE_chatfn"))
        .arg("--help")
        .output()
        .expect("run chatfn");
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("invoke"), "{help}");
}

/// Runs `chatfn ARGS` and returns its exit code and standard error.
fn chatfn(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_chatfn"))
        .args(args)
        .output()
        .expect("run chatfn");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_setting_that_cannot_work_is_a_usage_error_before_anything_is_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data_arg = data.to_str().expect("a UTF-8 path");
    let (code, stderr) = chatfn(&["serve", "--data-dir", data_arg, "--npm-registry", " "]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--npm-registry"), "{stderr}");
    assert!(!data.exists(), "the data directory was created");
}

#[test]
fn invoke_refuses_a_platform_url_that_is_not_http() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = dir.path().join("h.js");
    std::fs::write(&handler, "async function handleEvent() {}").expect("a handler");
    let handler = handler.to_str().expect("a UTF-8 path");
    for url in ["ftp://chat.example", "not a url"] {
        let (code, stderr) = chatfn(&["invoke", handler, "--platform-url", url]);
        assert_eq!(code, Some(2), "{url}: {stderr}");
        assert!(stderr.contains("--platform-url"), "{url}: {stderr}");
    }
    // A token needs its URL.
    let (code, _) = chatfn(&["invoke", handler, "--platform-token", "t"]);
    assert_eq!(code, Some(2));
}
