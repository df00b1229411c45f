//! `chatfn invoke`: output shape, exit codes, inputs.

use serde_json::{Value, json};

use crate::support::*;

#[test]
fn runs_a_handler_and_prints_one_json_line_per_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = write(
        &dir,
        "handler.js",
        "let calls = 0;\nasync function handleEvent(event, context) {\n  calls++;\n  console.info('hi', event.name);\n  return { calls, name: event.name, env: process.env.MODE, init: initialized };\n}\n",
    );
    let init = write(&dir, "init.js", "var initialized = 'yes';");
    let output = invoke(
        &dir,
        &handler,
        &[
            "--init",
            path(&init),
            "--env",
            "MODE=test",
            "--event",
            r#"{"name":"ada"}"#,
            "--repeat",
            "3",
        ],
    );
    assert_exit(&output, 0);
    let lines = lines(&output);
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert_eq!(line["status"], json!("SUCCEEDED"));
        // Module state never leaks between runs: each run is a fresh instance.
        assert_eq!(
            line["result"],
            json!({ "payload": { "calls": 1, "name": "ada", "env": "test", "init": "yes" } })
        );
        assert_eq!(line["error"], json!(null));
        assert_eq!(
            line["logs"],
            json!([{ "level": "info", "message": "hi ada" }])
        );
        assert!(line["durationMs"].as_f64().expect("durationMs") > 0.0);
    }
    // Keys in the documented order.
    let text = String::from_utf8_lossy(&output.stdout);
    let first = text.lines().next().expect("a line");
    let order: Vec<usize> = [
        "\"status\"",
        "\"result\"",
        "\"error\"",
        "\"logs\"",
        "\"durationMs\"",
    ]
    .iter()
    .map(|key| first.find(key).expect("key present"))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{first}");

    // With --reuse the runs share one instance: module scope survives.
    let output = invoke(
        &dir,
        &handler,
        &[
            "--init",
            path(&init),
            "--event",
            r#"{"name":"ada"}"#,
            "--repeat",
            "3",
            "--reuse",
        ],
    );
    assert_exit(&output, 0);
    let runs: Vec<(Value, Value)> = crate::support::lines(&output)
        .iter()
        .map(|line| {
            (
                line["result"]["payload"]["calls"].clone(),
                line["reused"].clone(),
            )
        })
        .collect();
    assert_eq!(
        runs,
        [
            (json!(1), json!(false)),
            (json!(2), json!(true)),
            (json!(3), json!(true))
        ]
    );
}

#[test]
fn typescript_runs_and_errors_point_at_typescript_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = write(
        &dir,
        "handler.ts",
        "interface Event {\n  name: string;\n}\n\nasync function handleEvent(event: Event, context: unknown) {\n  if (event.name === 'boom') {\n    throw new Error('boom');\n  }\n  return { greeting: `hi ${event.name}` satisfies string };\n}\n",
    );
    let output = invoke(&dir, &handler, &["--event", r#"{"name":"ada"}"#]);
    assert_exit(&output, 0);
    assert_eq!(
        lines(&output)[0]["result"],
        json!({ "payload": { "greeting": "hi ada" } })
    );

    let output = invoke(&dir, &handler, &["--event", r#"{"name":"boom"}"#]);
    assert_exit(&output, 1);
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
    let output = invoke(&dir, &broken, &[]);
    assert_exit(&output, 1);
    let error = &lines(&output)[0]["error"];
    assert_eq!(error["type"], json!("COMPILE_ERROR"), "{error}");
    assert_eq!(
        (&error["line"], &error["column"]),
        (&json!(2), &json!(13)),
        "{error}"
    );
}

#[test]
fn reads_the_event_from_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = write(
        &dir,
        "h.js",
        "async function handleEvent(e) { return e.username; }",
    );
    let event = write(&dir, "event.json", r#"{ "username": "grace" }"#);
    let output = invoke(&dir, &handler, &["--event", &format!("@{}", path(&event))]);
    assert_exit(&output, 0);
    assert_eq!(lines(&output)[0]["result"]["payload"], json!("grace"));
}

#[test]
fn a_throwing_handler_fails_with_exit_code_1_and_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = write(
        &dir,
        "deny.js",
        "async function handleEvent(event) {\n  throw new Error('denied: ' + event.username);\n}\n",
    );
    let output = invoke(&dir, &handler, &["--event", r#"{"username":"mallory"}"#]);
    assert_exit(&output, 1);
    let line = &lines(&output)[0];
    assert_eq!(line["status"], json!("FAILED"));
    assert_eq!(line["result"], json!(null));
    assert_eq!(line["error"]["type"], json!("EXCEPTION"));
    assert_eq!(line["error"]["message"], json!("denied: mallory"));
    assert_eq!(line["error"]["file"], json!("deny.js"));
    assert_eq!(line["error"]["line"], json!(2));
    assert!(
        line["error"]["stack"]
            .as_str()
            .expect("stack")
            .contains("deny.js:2")
    );
}

#[test]
fn limits_come_from_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = write(
        &dir,
        "h.js",
        "async function handleEvent(e) { if (e.loop) for (;;) {} const a = []; for (;;) a.push(new Array(1e5).fill(7)); }",
    );
    let timeout = invoke(
        &dir,
        &handler,
        &["--event", r#"{"loop":true}"#, "--timeout-ms", "100"],
    );
    assert_exit(&timeout, 1);
    assert_eq!(lines(&timeout)[0]["error"]["type"], json!("TIMEOUT"));
    let memory = invoke(&dir, &handler, &["--memory-mb", "16"]);
    assert_exit(&memory, 1);
    let line = &lines(&memory)[0];
    assert_eq!(line["error"]["type"], json!("MEMORY_LIMIT"));
    assert!(
        line["error"]["message"]
            .as_str()
            .expect("message")
            .contains("16 MiB")
    );
}

#[test]
fn a_failing_run_does_not_stop_the_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Every run of the first command fails; the next command, on the same
    // cached image, succeeds.
    let handler = write(
        &dir,
        "h.js",
        "async function handleEvent(e) { if (e.fail) throw new Error('x'); return 'ok'; }",
    );
    let failed = invoke(
        &dir,
        &handler,
        &["--event", r#"{"fail":true}"#, "--repeat", "2"],
    );
    assert_exit(&failed, 1);
    assert_eq!(lines(&failed).len(), 2);
    let ok = invoke(&dir, &handler, &[]);
    assert_exit(&ok, 0);
    assert_eq!(lines(&ok)[0]["result"]["payload"], json!("ok"));
}

#[test]
fn init_errors_are_reported_as_a_failed_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = write(&dir, "h.js", "async function handleEvent() {}");
    let init = write(
        &dir,
        "init.js",
        "console.log('loading');\nthrow new TypeError('bad config');\n",
    );
    let output = invoke(&dir, &handler, &["--init", path(&init)]);
    assert_exit(&output, 1);
    let line = &lines(&output)[0];
    assert_eq!(line["error"]["type"], json!("INIT_ERROR"));
    assert_eq!(line["error"]["name"], json!("TypeError"));
    assert_eq!(line["error"]["file"], json!("init.js"));
    assert_eq!(line["error"]["line"], json!(2));
    assert_eq!(
        line["logs"],
        json!([{ "level": "log", "message": "loading" }])
    );
}

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let handler = write(&dir, "h.js", "async function handleEvent() {}");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["invoke".into(), "/no/such/handler.js".into()],
            "cannot read /no/such/handler.js",
        ),
        (
            vec![
                "invoke".into(),
                handler.display().to_string(),
                "--event".into(),
                "{not json".into(),
            ],
            "--event is not valid JSON",
        ),
        (
            vec![
                "invoke".into(),
                handler.display().to_string(),
                "--event".into(),
                "@/no/such.json".into(),
            ],
            "cannot read event file",
        ),
        (
            vec![
                "invoke".into(),
                handler.display().to_string(),
                "--env".into(),
                "NOEQUALS".into(),
            ],
            "--env expects KEY=VALUE",
        ),
        (
            vec![
                "invoke".into(),
                handler.display().to_string(),
                "--memory-mb".into(),
                "100000".into(),
            ],
            "memory limit",
        ),
        (
            vec![
                "invoke".into(),
                handler.display().to_string(),
                "--repeat".into(),
                "0".into(),
            ],
            "--repeat must be at least 1",
        ),
        (
            vec![
                "invoke".into(),
                handler.display().to_string(),
                "--timeout-ms".into(),
                "abc".into(),
            ],
            "invalid value 'abc'",
        ),
        (
            vec!["invoke".into()],
            "required arguments were not provided",
        ),
        (vec!["frobnicate".into()], "unrecognized subcommand"),
    ];
    for (args, expected) in cases {
        let output = chatfn(&dir).args(&args).output().expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

/// `--platform-url`/`--platform-token` give a local run the platform
/// client a deployed one has; without them it says what is missing.
#[test]
fn a_local_run_calls_the_platform_api_when_given_its_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/list-users.js");
    let server = crate::chat_server::ChatServer::start("t0k");
    server.add_user("ada");
    server.add_user("grace");
    let output = invoke(
        &dir,
        &example,
        &["--platform-url", &server.base, "--platform-token", "t0k"],
    );
    assert_exit(&output, 0);
    let line = &lines(&output)[0];
    assert_eq!(
        line["result"],
        json!({ "payload": { "users": ["ada", "grace"] } })
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        (
            requests[0].method.as_str(),
            requests[0].authorization.as_deref()
        ),
        ("GET", Some("Bearer t0k"))
    );
    assert!(
        requests[0].uri.starts_with("/v1/users"),
        "{}",
        requests[0].uri
    );

    let output = invoke(&dir, &example, &[]);
    assert_exit(&output, 1);
    let error = &lines(&output)[0]["error"];
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("--platform-url"), "{error}");
}
