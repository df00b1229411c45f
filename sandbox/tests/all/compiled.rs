//! TypeScript and ES module scripts: compiled with swc, run in the sandbox,
//! errors reported at the user's line and column.

use std::sync::{Arc, Mutex};

use sandbox::{
    Error, HostCall, HostCallError, HostCallFuture, HostCalls, ImageSpec, Limits, Script,
};
use serde_json::{Value, json};

use crate::support::*;

/// The `UserAttemptedStartSessionEvent` handler from the Platform API docs,
/// verbatim.
const SPEC_HANDLER: &str = "const logs = [];\n\nasync function handleEvent(event: UserAttemptedStartSessionEvent, context: Context) {\n let email = event.username;\n let displayName = event.authParams.displayName || email;\n\n let userApi = context.getUserApi();\n\n logs.push('Hello ' + event.username);\n\n await userApi.getUserExists(email)\n .catch(async () => {\n let user = await userApi.createUser(\n {\n 'name': email,\n 'displayName': displayName\n }\n );\n\n let channelApi = context.getChannelApi();\n\n await channelApi.createChannelMember(702, { 'id': user.data.id });\n });\n\n return logs;\n}";

/// A stand-in for the service's platform client: a context script whose
/// API methods are each a host call named after the method.
const PLATFORM_STAND_IN: &str = r#"
const host = require('chatfn:host');
const api = (names) => Object.fromEntries(names.map((n) => [n, (...args) => host.call(n, args)]));
module.exports = (data) => Object.freeze({
  ...data,
  getUserApi: () => api(['getUserExists', 'createUser']),
  getChannelApi: () => api(['createChannelMember']),
});
"#;

#[derive(Default)]
struct Platform {
    calls: Mutex<Vec<(String, Value)>>,
}

impl HostCalls for Platform {
    fn call(&self, call: HostCall) -> HostCallFuture {
        let args: Value = serde_json::from_str(call.args.get()).unwrap_or(Value::Null);
        self.calls
            .lock()
            .expect("lock")
            .push((call.name.clone(), args.clone()));
        Box::pin(async move {
            match call.name.as_str() {
                "getUserExists" => {
                    let mut error =
                        HostCallError::new("PlatformError", "Request failed with status code 404");
                    error
                        .data
                        .insert("response".into(), json!({ "status": 404 }));
                    Err(error)
                }
                "createUser" => {
                    Ok(json!({ "status": 201, "data": { "id": 42, "name": args[0]["name"] } }))
                }
                "createChannelMember" => Ok(json!({ "status": 200, "data": {} })),
                other => Err(HostCallError::unknown_operation(other)),
            }
        })
    }
}

#[tokio::test]
async fn the_spec_handler_compiles_and_runs() {
    let spec = ImageSpec::new(Script::new("handler.ts", SPEC_HANDLER))
        .with_context(Script::new("context.js", PLATFORM_STAND_IN));
    let image = image(&spec).await;
    let platform = Arc::new(Platform::default());
    let event = json!({ "username": "ada@example.com", "authParams": { "displayName": "Ada" } });
    let outcome = run_with(&image, event, &Limits::default(), platform.clone()).await;
    assert_eq!(result(&outcome), json!(["Hello ada@example.com"]));
    let calls = platform.calls.lock().expect("lock").clone();
    assert_eq!(
        calls,
        [
            ("getUserExists".to_string(), json!(["ada@example.com"])),
            (
                "createUser".to_string(),
                json!([{ "name": "ada@example.com", "displayName": "Ada" }])
            ),
            (
                "createChannelMember".to_string(),
                json!([702, { "id": 42 }])
            ),
        ]
    );
}

#[tokio::test]
async fn an_es_module_init_script_is_loaded_through_require() {
    let spec = ImageSpec::new(Script::new(
        "handler.ts",
        "async function handleEvent(e: { name: string }) { return [x.greet(e.name), typeof helper, version]; }",
    ))
    .with_init(Script::new(
        "init.ts",
        "import x from 'pkg';\nimport { version } from 'pkg/package.json';\nconst helper = 1;\nexport { x, version };\n",
    ))
    .with_module("/node_modules/pkg/package.json", r#"{"name":"pkg","version":"1.2.3","main":"lib/index.js"}"#)
    .with_module("/node_modules/pkg/lib/index.js", "module.exports = { greet: (n) => 'hi ' + n };");
    let outcome = run(&image(&spec).await, json!({ "name": "ada" })).await;
    // Named exports become globals; module-scoped declarations stay private.
    assert_eq!(result(&outcome), json!(["hi ada", "undefined", "1.2.3"]));
}

#[tokio::test]
async fn a_handler_may_be_an_es_module() {
    let named = "import { upper } from './lib';\nexport async function handleEvent(e: any) { return upper(e.s); }\n";
    let default =
        "import { upper } from './lib';\nexport default async (e: any) => upper(e.s) + '!';\n";
    let local = "import { upper } from './lib';\nasync function handleEvent(e: any) { return upper(e.s) + '?'; }\n";
    let mut results = Vec::new();
    for source in [named, default, local] {
        let spec = ImageSpec::new(Script::new("handler.ts", source))
            .with_module("/lib.js", "exports.upper = (s) => s.toUpperCase();");
        results.push(result(
            &run(&image(&spec).await, json!({ "s": "abc" })).await,
        ));
    }
    assert_eq!(results, [json!("ABC"), json!("ABC!"), json!("ABC?")]);
}

const TS_FEATURES: &str = r#"
enum Tier { Free, Pro = 10, Team }
namespace Pricing {
  export const base = 3;
  export function price(tier: Tier): number { return base * (tier + 1); }
}
class Account<T extends { id: string }> {
  constructor(public readonly owner: T, private credits: number = 0) {}
  add(n: number): this { this.credits += n; return this; }
  get balance(): number { return this.credits; }
}
interface Event { user?: { id: string; tags?: string[] } }
const defaults = { tier: Tier.Pro } satisfies { tier: Tier };
function first<T>(xs: T[]): T | undefined { return xs[0]; }
async function handleEvent(event: Event) {
  const account = new Account({ id: event.user?.id ?? 'anon' }, 5).add(Pricing.price(defaults.tier));
  return [Tier[Tier.Team], account.owner.id, account.balance, first(event.user?.tags ?? []) ?? null, event.user?.tags?.length];
}
"#;

const JS_EQUIVALENT: &str = r#"
const Tier = { Free: 0, Pro: 10, Team: 11, 0: 'Free', 10: 'Pro', 11: 'Team' };
const Pricing = { base: 3, price(tier) { return 3 * (tier + 1); } };
class Account {
  constructor(owner, credits = 0) { this.owner = owner; this.credits = credits; }
  add(n) { this.credits += n; return this; }
  get balance() { return this.credits; }
}
const defaults = { tier: Tier.Pro };
function first(xs) { return xs[0]; }
async function handleEvent(event) {
  const account = new Account({ id: event.user?.id ?? 'anon' }, 5).add(Pricing.price(defaults.tier));
  return [Tier[Tier.Team], account.owner.id, account.balance, first(event.user?.tags ?? []) ?? null, event.user?.tags?.length];
}
"#;

#[tokio::test]
async fn typescript_features_give_the_same_result_as_plain_javascript() {
    let ts = image(&ImageSpec::new(Script::new("handler.ts", TS_FEATURES))).await;
    let js = image(&ImageSpec::new(Script::new("handler.js", JS_EQUIVALENT))).await;
    for event in [
        json!({}),
        json!({ "user": { "id": "u1", "tags": ["a", "b"] } }),
    ] {
        let (a, b) = (
            result(&run(&ts, event.clone()).await),
            result(&run(&js, event).await),
        );
        assert_eq!(a, b);
    }
    assert_eq!(
        result(&run(&ts, json!({ "user": { "id": "u1", "tags": ["a"] } })).await),
        json!(["Team", "u1", 38, "a", 1])
    );
}

#[tokio::test]
async fn runtime_errors_point_at_the_typescript_line() {
    // Types before the throw are stripped, so the compiled line differs.
    let source = "interface A {\n  x: number;\n  y: number;\n}\ntype B = A | null;\n\nasync function handleEvent(e: A): Promise<B> {\n  const doubled: number = e.x * 2;\n  throw new RangeError(`too big: ${doubled}`);\n}\n";
    let outcome = run(
        &image(&ImageSpec::new(Script::new("handler.ts", source))).await,
        json!({ "x": 2 }),
    )
    .await;
    let error = outcome.result.expect_err("failed").error;
    assert_eq!(
        (error.name.as_str(), error.message.as_str()),
        ("RangeError", "too big: 4")
    );
    // QuickJS places a `throw new X()` at the constructor call: column 13.
    assert_eq!(
        (error.file.as_deref(), error.line, error.column),
        (Some("handler.ts"), Some(9), Some(13)),
        "{error:?}"
    );
    assert!(
        error
            .stack
            .as_deref()
            .unwrap_or("")
            .contains("at handleEvent (handler.ts:9:13)"),
        "{:?}",
        error.stack
    );
}

#[tokio::test]
async fn init_errors_point_at_the_typescript_line() {
    let init = "type Config = { url: string };\n\n\nconst config: Config = JSON.parse('{}');\nif (!config.url) throw new Error('CONFIG_URL is missing');\n";
    let spec = ImageSpec::new(Script::new("handler.ts", "async function handleEvent() {}"))
        .with_init(Script::new("init.ts", init));
    let Err(Error::Init { error, .. }) = sandbox().build_image(&spec).await else {
        panic!("expected an init error")
    };
    assert_eq!(
        (error.file.as_deref(), error.line),
        (Some("init.ts"), Some(5)),
        "{error:?}"
    );
}

#[tokio::test]
async fn compile_errors_fail_the_build_with_positions() {
    let spec = ImageSpec::new(Script::new(
        "handler.ts",
        "async function handleEvent(e: Event) {\n  const x: number = ;\n}\n",
    ));
    let Err(Error::Compile(error)) = sandbox().build_image(&spec).await else {
        panic!("expected a compile error")
    };
    assert!(
        error.to_string().starts_with("handler.ts:2:21: "),
        "{error}"
    );

    let spec =
        ImageSpec::new(Script::new("handler.ts", "async function handleEvent() {}")).with_init(
            Script::new("init.ts", "import x from 'y';\nawait x.ready;\n"),
        );
    let Err(Error::Compile(error)) = sandbox().build_image(&spec).await else {
        panic!("expected a compile error")
    };
    assert!(
        error.to_string().contains("init.ts:2:1: top-level await"),
        "{error}"
    );
}

#[tokio::test]
async fn a_context_script_builds_each_invocations_context() {
    // The script runs once, before the snapshot; its function runs per
    // invocation on that invocation's context data.
    let context = "let built = 0;\nmodule.exports = (data) => ({ ...data, built: ++built, kind: typeof data });";
    let spec = ImageSpec::new(Script::new(
        "handler.js",
        "async function handleEvent(e, context) { return context; }",
    ))
    .with_context(Script::new("context.js", context));
    let image = image(&spec).await;
    for _ in 0..2 {
        let outcome = run(&image, json!({})).await;
        // `built` is 1 each time: nothing leaks from one invocation to the next.
        assert_eq!(result(&outcome), json!({ "built": 1, "kind": "object" }));
    }
}

#[tokio::test]
async fn a_context_script_must_export_a_function() {
    let spec = ImageSpec::new(Script::new("handler.js", "async function handleEvent() {}"))
        .with_context(Script::new("context.js", "module.exports = 42;"));
    let Err(Error::Init { error, .. }) = sandbox().build_image(&spec).await else {
        panic!("expected an init error");
    };
    assert!(
        error.message.contains("context.js must export a function"),
        "{error:?}"
    );
}
