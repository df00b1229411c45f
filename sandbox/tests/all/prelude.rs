//! What handlers get from the prelude: timers, require, process, web APIs.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn timers_run_in_order_within_an_invocation() {
    let image = image(&handler(
        r#"async function handleEvent() {
            const order = [];
            setTimeout(() => order.push('b'), 20);
            setTimeout(() => order.push('a'), 5);
            const cancelled = setTimeout(() => order.push('never'), 10);
            clearTimeout(cancelled);
            queueMicrotask(() => order.push('micro'));
            process.nextTick(() => order.push('tick'));
            let n = 0;
            await new Promise((resolve) => {
              const id = setInterval(() => { order.push('i' + (++n)); if (n === 3) { clearInterval(id); resolve(); } }, 8);
            });
            await new Promise((r) => setTimeout(r, 30));
            return order;
        }"#,
    ))
    .await;
    let order = result(&run(&image, json!({})).await);
    assert_eq!(order[0], json!("micro"));
    assert_eq!(order[1], json!("tick"));
    let rest: Vec<&str> = order.as_array().expect("array")[2..]
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        rest.contains(&"a") && rest.contains(&"b") && !rest.contains(&"never"),
        "{rest:?}"
    );
    let a = rest.iter().position(|s| *s == "a");
    let b = rest.iter().position(|s| *s == "b");
    assert!(a < b, "{rest:?}");
    assert_eq!(rest.iter().filter(|s| s.starts_with('i')).count(), 3);
}

#[tokio::test]
async fn a_throwing_timer_fails_the_invocation() {
    let image = image(&handler(
        "async function handleEvent() { setTimeout(() => { throw new Error('late'); }, 1); await new Promise((r) => setTimeout(r, 50)); return 'unreached'; }",
    ))
    .await;
    let outcome = run(&image, json!({})).await;
    assert_eq!(outcome.result.expect_err("failed").error.message, "late");
}

#[tokio::test]
async fn env_vars_are_in_process_env() {
    let image = image(
        &handler("async function handleEvent() { return { key: process.env.API_KEY, missing: process.env.NOPE ?? null, keys: Object.keys(process.env) }; }")
            .with_env("API_KEY", "s3cret")
            .with_env("REGION", "eu-west-1"),
    )
    .await;
    assert_eq!(
        result(&run(&image, json!({})).await),
        json!({ "key": "s3cret", "missing": null, "keys": ["API_KEY", "REGION"] })
    );
}

#[tokio::test]
async fn require_resolves_like_node() {
    let spec = handler(
        r#"async function handleEvent() {
            return {
              util: require('./lib/util').double(21),
              index: require('./lib').name,
              json: require('./data.json').answer,
              main: require('left-pad')('5', 3, '0'),
              exportsRoot: require('dual').kind,
              exportsSub: require('dual/feature').feature,
              scoped: require('@acme/tool').tool,
              sameInstance: require('./lib/util') === require('./lib/util.js'),
              nested: require('dual').depends,
            };
        }"#,
    )
    .with_module("/lib/util.js", "exports.double = (n) => n * 2;")
    .with_module("/lib/index.js", "module.exports = { name: 'lib-index' };")
    .with_module("/data.json", "{ \"answer\": 42 }")
    .with_module("/node_modules/left-pad/package.json", "{ \"main\": \"./src/pad.js\" }")
    .with_module(
        "/node_modules/left-pad/src/pad.js",
        "module.exports = (s, n, c) => c.repeat(n - s.length) + s;",
    )
    .with_module(
        "/node_modules/dual/package.json",
        r#"{ "exports": { ".": { "import": "./esm.mjs", "require": "./cjs.js" }, "./feature": { "node": "./feature-node.js", "default": "./feature.js" } } }"#,
    )
    .with_module("/node_modules/dual/cjs.js", "exports.kind = 'cjs'; exports.depends = require('inner').v;")
    .with_module("/node_modules/dual/esm.mjs", "export const kind = 'esm';")
    .with_module("/node_modules/dual/feature-node.js", "exports.feature = 'node';")
    .with_module("/node_modules/dual/feature.js", "exports.feature = 'default';")
    .with_module("/node_modules/dual/node_modules/inner/index.js", "exports.v = 'nested';")
    .with_module("/node_modules/@acme/tool/index.js", "exports.tool = 'scoped';");
    let image = image(&spec).await;
    assert_eq!(
        result(&run(&image, json!({})).await),
        json!({
            "util": 42, "index": "lib-index", "json": 42, "main": "005", "exportsRoot": "cjs",
            "exportsSub": "node", "scoped": "scoped", "sameInstance": true, "nested": "nested"
        })
    );
}

#[tokio::test]
async fn require_errors_are_clear() {
    let spec = handler(
        r#"async function handleEvent(e) {
            try { require(e.name); return 'loaded'; } catch (err) { return { code: err.code, message: err.message }; }
        }"#,
    )
    .with_module("/node_modules/locked/package.json", r#"{ "exports": { ".": "./index.js" } }"#)
    .with_module("/node_modules/locked/index.js", "")
    .with_module("/node_modules/locked/private.js", "");
    let image = image(&spec).await;
    let cases = [
        (
            "missing-pkg",
            "MODULE_NOT_FOUND",
            "Cannot find module 'missing-pkg'",
        ),
        (
            "node:test",
            "ERR_UNKNOWN_BUILTIN_MODULE",
            "module 'node:test' is not available in the chat runtime",
        ),
        (
            "#internal",
            "ERR_PACKAGE_IMPORT_NOT_DEFINED",
            "Package import specifier \"#internal\" is not defined",
        ),
        (
            "locked/private.js",
            "ERR_PACKAGE_PATH_NOT_EXPORTED",
            "Package subpath './private.js' is not defined",
        ),
    ];
    for (name, code, message) in cases {
        let value = result(&run(&image, json!({ "name": name })).await);
        assert_eq!(value["code"], json!(code), "{name}: {value}");
        assert!(
            value["message"].as_str().unwrap_or("").starts_with(message),
            "{name}: {value}"
        );
    }
}

#[tokio::test]
async fn package_imports_and_export_conditions_resolve_as_in_node() {
    let spec = handler(
        r#"async function handleEvent() {
            const p = require('p');
            return {
                p: { ...p, hooks: typeof p.hooks.AsyncLocalStorage },
                esmOnly: require('esm-only').kind,
                sync: require('sync').kind,
                builtin: p.hooks === require('async_hooks'),
            };
        }"#,
    )
    // `imports`: conditions in key order, patterns, a built-in target.
    .with_module(
        "/node_modules/p/package.json",
        r##"{ "main": "index.js", "imports": {
            "#hooks": { "browser": "./browser.js", "node": "async_hooks" },
            "#impl": { "import": "./esm.js", "require": "./cjs.js" },
            "#lib/*": "./lib/*.js" } }"##,
    )
    .with_module(
        "/node_modules/p/index.js",
        "module.exports = { hooks: require('#hooks'), impl: require('#impl'), util: require('#lib/util') };",
    )
    .with_module("/node_modules/p/cjs.js", "module.exports = 'cjs';")
    .with_module("/node_modules/p/esm.js", "module.exports = 'esm';")
    .with_module("/node_modules/p/lib/util.js", "module.exports = 'lib/util';")
    // Only `import` is exported: ES modules were converted at install.
    .with_module(
        "/node_modules/esm-only/package.json",
        r#"{ "exports": { ".": { "import": "./index.js" } } }"#,
    )
    .with_module("/node_modules/esm-only/index.js", "exports.kind = 'import';")
    // `module-sync` wins over `import`, as in Node 20.19.
    .with_module(
        "/node_modules/sync/package.json",
        r#"{ "exports": { "module-sync": "./sync.js", "import": "./esm.js", "default": "./cjs.js" } }"#,
    )
    .with_module("/node_modules/sync/sync.js", "exports.kind = 'module-sync';")
    .with_module("/node_modules/sync/esm.js", "exports.kind = 'import';")
    .with_module("/node_modules/sync/cjs.js", "exports.kind = 'default';");
    let image = image(&spec).await;
    let value = result(&run(&image, json!({})).await);
    assert_eq!(
        value,
        json!({
            "p": { "hooks": "function", "impl": "cjs", "util": "lib/util" },
            "esmOnly": "import",
            "sync": "module-sync",
            "builtin": true,
        })
    );
}

#[tokio::test]
async fn errors_in_required_modules_point_into_them() {
    let spec = handler("async function handleEvent() { return require('./bad').run(); }")
        .with_module("/bad.js", "exports.run = function () {\n  const config = {};\n  if (!config.value) throw new RangeError('no value');\n};");
    let image = image(&spec).await;
    let outcome = run(&image, json!({})).await;
    let error = outcome.result.expect_err("failed").error;
    assert_eq!(error.name, "RangeError");
    assert_eq!(error.file.as_deref(), Some("/bad.js"), "{:?}", error.stack);
    assert_eq!(error.line, Some(3), "{:?}", error.stack);
}

#[tokio::test]
async fn web_apis_are_present() {
    let image = image(&handler(
        r#"async function handleEvent() {
            const url = new URL('/v1/users?page=2#top', 'https://api.example.com:443/base/');
            url.searchParams.append('size', '10');
            const bytes = new TextEncoder().encode('héllo');
            const random = crypto.getRandomValues(new Uint8Array(16));
            const clone = structuredClone({ d: new Date(0), m: new Map([[1, 2]]) });
            return {
              href: url.href,
              host: url.host,
              page: url.searchParams.get('page'),
              bytes: bytes.length,
              text: new TextDecoder().decode(bytes),
              b64: btoa('chat'),
              unb64: atob('Y2hhdA=='),
              uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
              randomLength: random.length,
              cloneOk: clone.d instanceof Date && clone.m.get(1) === 2,
              perf: typeof performance.now(),
            };
        }"#,
    ))
    .await;
    assert_eq!(
        result(&run(&image, json!({})).await),
        json!({
            "href": "https://api.example.com/v1/users?page=2&size=10#top",
            "host": "api.example.com",
            "page": "2",
            "bytes": 6,
            "text": "héllo",
            "b64": "Y2hhdA==",
            "unb64": "chat",
            "uuid": true,
            "randomLength": 16,
            "cloneOk": true,
            "perf": "number",
        })
    );
}
