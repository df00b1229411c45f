//! Handlers run, return values, throw, log.

use sandbox::{ErrorKind, Failure, LogLevel};
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn async_handler_returns_a_value() {
    let image = image(&handler(
        "async function handleEvent(event, context) { await null; return { greeting: 'hi ' + event.name }; }",
    ))
    .await;
    let outcome = run(&image, json!({ "name": "ada" })).await;
    assert_eq!(result(&outcome), json!({ "greeting": "hi ada" }));
}

#[tokio::test]
async fn sync_handler_and_undefined_result() {
    let image = image(&handler(
        "function handleEvent(event) { event.seen = true; }",
    ))
    .await;
    let outcome = run(&image, json!({})).await;
    assert_eq!(result(&outcome), json!(null));
}

#[tokio::test]
async fn context_is_passed_and_frozen() {
    let image = image(&handler(
        "async function handleEvent(event, context) { 'use strict'; let frozen = false; try { context.x = 1 } catch (e) { frozen = true } return { id: context.functionId, frozen }; }",
    ))
    .await;
    let outcome = image
        .invoke(
            &raw(&json!({})),
            &raw(&json!({ "functionId": 7 })),
            &sandbox::Limits::default(),
            sandbox::NoHostCalls::shared(),
        )
        .await
        .expect("runs");
    assert_eq!(result(&outcome), json!({ "id": 7, "frozen": true }));
}

#[tokio::test]
async fn console_is_captured_with_levels() {
    let image = image(&handler(
        r#"async function handleEvent() {
            console.log('plain', 1, { a: [1, 2] });
            console.info('info %s=%d', 'n', 42);
            console.warn('careful');
            console.error(new Error('bad').message);
            console.debug('details');
            return 'done';
        }"#,
    ))
    .await;
    let outcome = run(&image, json!({})).await;
    assert!(outcome.succeeded());
    let logs: Vec<(LogLevel, &str)> = outcome
        .logs
        .iter()
        .map(|l| (l.level, l.message.as_str()))
        .collect();
    assert_eq!(
        logs,
        vec![
            (LogLevel::Log, "plain 1 { a: [ 1, 2 ] }"),
            (LogLevel::Info, "info n=42"),
            (LogLevel::Warn, "careful"),
            (LogLevel::Error, "bad"),
            (LogLevel::Debug, "details"),
        ]
    );
}

#[tokio::test]
async fn thrown_error_reports_name_message_and_position() {
    let image = image(&handler(
        "async function handleEvent(event) {\n  const x = 1;\n  if (x) {\n      throw new TypeError('no session for ' + event.user);\n  }\n}",
    ))
    .await;
    let outcome = run(&image, json!({ "user": "bob" })).await;
    let Failure { kind, error } = outcome.result.expect_err("failed");
    assert_eq!(kind, ErrorKind::Exception);
    assert_eq!(error.name, "TypeError");
    assert_eq!(error.message, "no session for bob");
    assert_eq!(error.file.as_deref(), Some("handler.js"));
    assert_eq!(error.line, Some(4));
    // QuickJS points at an instruction of the throw statement, not always
    // at its first token as V8 does.
    let column = error.column.expect("column");
    assert!((13..=60).contains(&column), "{column}");
    assert!(
        error
            .stack
            .as_deref()
            .unwrap_or("")
            .contains("handler.js:4"),
        "{:?}",
        error.stack
    );
}

#[tokio::test]
async fn throwing_a_non_error_value_is_described() {
    let image = image(&handler(
        "async function handleEvent() { throw { code: 42 }; }",
    ))
    .await;
    let outcome = run(&image, json!({})).await;
    let Failure { kind, error } = outcome.result.expect_err("failed");
    assert_eq!(kind, ErrorKind::Exception);
    assert_eq!(error.message, "Uncaught { code: 42 }");
}

#[tokio::test]
async fn rejections_and_sync_throws_both_fail() {
    let image = image(&handler(
        "function handleEvent(e) { if (e.sync) throw new RangeError('sync'); return Promise.reject(new Error('async')); }",
    ))
    .await;
    let sync = run(&image, json!({ "sync": true })).await;
    assert_eq!(sync.result.expect_err("failed").error.name, "RangeError");
    let rejected = run(&image, json!({ "sync": false })).await;
    assert_eq!(rejected.result.expect_err("failed").error.message, "async");
}

#[tokio::test]
async fn every_kind_of_return_settles_the_same_way() {
    // Settled promises are read directly; everything else goes through
    // Promise.resolve. Both must agree with what `await handleEvent()` gives.
    let image = image(&handler(
        r#"function handleEvent(e) {
            switch (e.kind) {
              case 'value': return 1;
              case 'thenable': return { then(ok) { ok(2); } };
              case 'resolved-with-thenable': return Promise.resolve({ then(ok) { ok(3); } });
              case 'later': return new Promise((ok) => setTimeout(() => ok(4), 5));
              case 'rejected-later': return new Promise((_, no) => setTimeout(() => no(new TypeError('late')), 5));
              case 'throwing-thenable': return { then() { throw new RangeError('then'); } };
              case 'chained': return (async () => { await null; await null; return 5; })();
              // Like the npm package p-lazy: the work starts in `then`.
              case 'subclass': {
                class Lazy extends Promise {
                  constructor(executor) { super((ok) => ok()); this.executor = executor; }
                  then(onOk, onError) {
                    this.started = this.started || new Promise(this.executor);
                    return this.started.then(onOk, onError);
                  }
                }
                return new Lazy((ok) => ok(6));
              }
              // `await` ignores a native promise's own `then`.
              case 'own-then': { const p = Promise.resolve(7); p.then = (ok) => ok(70); return p; }
              case 'error-after-resolving': {
                queueMicrotask(() => { throw new Error('late'); });
                return (async () => 8)();
              }
              // The error comes first: the promise fulfilled after it
              // does not make the invocation succeed.
              case 'error-before-resolving': {
                queueMicrotask(() => { throw new Error('first'); });
                return (async () => { await null; await null; return 9; })();
              }
              case 'nothing': return (async () => {})();
              // Written by JSON.stringify, not the native writer.
              case 'date': return (async () => new Date(0))();
            }
        }"#,
    ))
    .await;
    for (kind, value) in [
        ("value", json!(1)),
        ("thenable", json!(2)),
        ("resolved-with-thenable", json!(3)),
        ("later", json!(4)),
        ("chained", json!(5)),
        ("subclass", json!(6)),
        ("own-then", json!(7)),
        // Once the handler's promise has settled, its outcome stands.
        ("error-after-resolving", json!(8)),
        ("nothing", Value::Null),
        ("date", json!("1970-01-01T00:00:00.000Z")),
    ] {
        let outcome = run(&image, json!({ "kind": kind })).await;
        assert_eq!(result(&outcome), value, "{kind}");
    }
    let first = run(&image, json!({ "kind": "error-before-resolving" })).await;
    assert_eq!(
        first.result.expect_err("failed").error.message,
        "first",
        "an uncaught error before the handler's promise settles decides"
    );
    for (kind, name) in [
        ("rejected-later", "TypeError"),
        ("throwing-thenable", "RangeError"),
    ] {
        let outcome = run(&image, json!({ "kind": kind })).await;
        let Failure {
            kind: error_kind,
            error,
        } = outcome.result.expect_err("failed");
        assert_eq!(
            (error_kind, error.name.as_str()),
            (ErrorKind::Exception, name),
            "{kind}"
        );
    }
}

#[tokio::test]
async fn results_that_are_not_json_are_invalid() {
    let image = image(&handler(
        r#"async function handleEvent(e) {
            if (e.kind === 'function') return () => 1;
            if (e.kind === 'bigint') return 10n;
            if (e.kind === 'cycle') { const a = {}; a.self = a; return a; }
            return { fine: true };
        }"#,
    ))
    .await;
    for kind in ["function", "bigint", "cycle"] {
        let outcome = run(&image, json!({ "kind": kind })).await;
        assert_eq!(
            outcome.error_kind(),
            Some(ErrorKind::InvalidResult),
            "{kind}: {:?}",
            outcome.result
        );
    }
    assert!(run(&image, json!({ "kind": "ok" })).await.succeeded());
}

/// Results are written natively for plain data; whatever the value, the
/// text is exactly what `JSON.stringify` gives.
#[tokio::test]
async fn results_are_written_as_json_stringify_writes_them() {
    let source = r#"
class WithToJson { constructor() { this.a = 1; } toJSON() { return 'custom'; } }
class Plain { constructor() { this.b = 2; } }
let deep = 0; for (let i = 0; i < 40; i++) deep = [deep];
const cycle = {}; cycle.self = cycle;
const values = [
  { a: 1, b: 'x', c: true, d: null, e: [1, 2, { f: 'g' }] },
  [1, , 3],
  { u: undefined, f() {}, s: Symbol('s'), k: 1 },
  [undefined, function () {}, Symbol('t')],
  -0, 0.1, 1.5e-7, 1e21, 2 ** 53, 2 ** 53 - 1, -(2 ** 31), 2 ** 31, NaN, Infinity, -Infinity,
  '"\\\n\r\t\b\f\u0001\u001f\u007f\u2028\u2029 é 😀',
  'lone \ud800 surrogate', { 'k\ud83d': 1 },
  { 'qu"ote': 1, 'ü': 2, '': 3 },
  { 2: 'two', 1: 'one', b: 'b', a: 'a', '-1': 'minus' },
  new Date(0), { toJSON() { return 5; } }, new WithToJson(), new Plain(),
  Object.create(null), Object.assign(Object.create(null), { z: 1 }),
  { get g() { return 'got'; } },
  new Map([[1, 2]]), new Set([1]), new Number(3), new String('ab'), new Boolean(false),
  Object.defineProperty({ v: 1 }, 'hidden', { value: 2, enumerable: false }),
  new Uint8Array([1, 2]), new Error('e'), deep, [[[]]], {}, [], null, true, false, 'str', 42,
  1234567890123, -98765, [1.25, { n: 0.5 }],
];
async function handleEvent(event) {
  if (event.i === 'count') return values.length;
  if (event.i === 'cycle') return cycle;
  const value = values[event.i];
  return event.expect ? { json: JSON.stringify(value) ?? null } : value;
}"#;
    let image = image(&handler(source)).await;
    let count = result(&run(&image, json!({ "i": "count" })).await);
    for i in 0..count.as_u64().expect("a count") {
        let written = run(&image, json!({ "i": i })).await;
        let expected = result(&run(&image, json!({ "i": i, "expect": true })).await);
        let text = written.result.as_ref().expect("a result").get();
        match expected["json"].as_str() {
            Some(json) => assert_eq!(text, json, "value {i}"),
            None => assert_eq!(text, "null", "value {i}"),
        }
    }
    // A cycle fails as JSON.stringify fails.
    let cycle = run(&image, json!({ "i": "cycle" })).await;
    assert_eq!(cycle.error_kind(), Some(sandbox::ErrorKind::InvalidResult));
}
