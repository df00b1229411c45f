//! `chatfn check`: compile errors at their source positions.

use crate::support::*;

#[test]
fn check_passes_clean_files_and_lists_errors_at_their_positions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(
        &dir,
        "good.ts",
        "async function handleEvent(e: { n: number }): Promise<number> { return e.n; }\n",
    );
    let bad = write(
        &dir,
        "bad.ts",
        "const a = 1;\nfunction handleEvent(e) {\n  return e.;\n}\n",
    );
    let tla = write(&dir, "init.ts", "import x from 'x';\nawait x();\n");

    let output = chatfn(&dir)
        .arg("check")
        .arg(&good)
        .output()
        .expect("run chatfn");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty());

    let output = chatfn(&dir)
        .arg("check")
        .args([&good, &bad, &tla])
        .output()
        .expect("run chatfn");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with(&format!("{}:3:12: ", bad.display())),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with(&format!("{}:2:1: top-level await", tla.display())),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("3 files checked: 2 errors in 2 files")
    );

    let output = chatfn(&dir)
        .args(["check", "missing.ts"])
        .output()
        .expect("run chatfn");
    assert_eq!(output.status.code(), Some(2));
}
