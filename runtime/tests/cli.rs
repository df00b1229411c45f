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
