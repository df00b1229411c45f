//! `chatfn check` and TypeScript through `chatfn invoke`.

use serde_json::json;

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

#[test]
fn invoke_runs_typescript_and_reports_errors_at_typescript_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = write(
        &dir,
        "handler.ts",
        "interface Event {\n  name: string;\n}\n\nasync function handleEvent(event: Event, context: unknown) {\n  if (event.name === 'boom') {\n    throw new Error('boom');\n  }\n  return { greeting: `hi ${event.name}` satisfies string };\n}\n",
    );
    let output = chatfn(&dir)
        .arg("invoke")
        .arg(&handler)
        .args(["--event", r#"{"name":"ada"}"#])
        .output()
        .expect("run chatfn");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        lines(&output)[0]["result"],
        json!({ "payload": { "greeting": "hi ada" } })
    );

    let output = chatfn(&dir)
        .arg("invoke")
        .arg(&handler)
        .args(["--event", r#"{"name":"boom"}"#])
        .output()
        .expect("run chatfn");
    assert_eq!(output.status.code(), Some(1));
    let error = &lines(&output)[0]["error"];
    assert_eq!(
        (&error["file"], &error["line"]),
        (&json!("handler.ts"), &json!(7)),
        "{error}"
    );

    let broken = write(
        &dir,
        "broken.ts",
        "async function handleEvent() {\n  return 1 +;\n}\n",
    );
    let output = chatfn(&dir)
        .arg("invoke")
        .arg(&broken)
        .output()
        .expect("run chatfn");
    assert_eq!(output.status.code(), Some(1));
    let error = &lines(&output)[0]["error"];
    assert_eq!(error["type"], json!("COMPILE_ERROR"), "{error}");
    assert_eq!(
        (&error["line"], &error["column"]),
        (&json!(2), &json!(13)),
        "{error}"
    );
}
