//! The compiler on real inputs: TypeScript stripping, ES modules to
//! CommonJS, diagnostics, source maps and hostile input.

use std::time::{Duration, Instant};

use compiler::{CompileError, Compiled, Compiler, Format, SourceKind};

fn compiler() -> &'static Compiler {
    static COMPILER: std::sync::OnceLock<Compiler> = std::sync::OnceLock::new();
    COMPILER.get_or_init(Compiler::default)
}

fn ok(source: &str, file: &str, kind: SourceKind) -> Compiled {
    match compiler().compile(source, file, kind) {
        Ok(out) => out,
        Err(e) => panic!("{file} did not compile:\n{e}"),
    }
}

fn err(source: &str, file: &str) -> CompileError {
    match compiler().compile(source, file, SourceKind::Script) {
        Ok(out) => panic!("{file} compiled, expected an error:\n{}", out.code),
        Err(e) => e,
    }
}

const SPEC_HANDLER: &str = "const logs = [];\n\nasync function handleEvent(event: UserAttemptedStartSessionEvent, context: Context) {\n let email = event.username;\n let displayName = event.authParams.displayName || email;\n\n let userApi = context.getUserApi();\n\n logs.push('Hello ' + event.username);\n\n await userApi.getUserExists(email)\n .catch(async () => {\n let user = await userApi.createUser(\n {\n 'name': email,\n 'displayName': displayName\n }\n );\n\n let channelApi = context.getChannelApi();\n\n await channelApi.createChannelMember(702, { 'id': user.data.id });\n });\n\n return logs;\n}";

#[test]
fn the_spec_handler_stays_a_script_without_types() {
    let out = ok(SPEC_HANDLER, "handler.ts", SourceKind::Script);
    assert_eq!(out.format, Format::Script);
    assert!(
        out.code
            .contains("async function handleEvent(event, context)"),
        "{}",
        out.code
    );
    assert!(!out.code.contains("UserAttemptedStartSessionEvent"));
    assert!(
        !out.code.contains("use strict"),
        "a script must not become strict"
    );
    assert!(out.requires.is_empty());
}

#[test]
fn type_only_imports_do_not_make_a_module() {
    let src = "import type { Event } from './types';\nimport { type Context } from './types';\nasync function handleEvent(e: Event, c: Context) { return 1 }\n";
    let out = ok(src, "handler.ts", SourceKind::Script);
    assert_eq!(out.format, Format::Script, "{}", out.code);
    assert!(!out.code.contains("require"), "{}", out.code);
}

#[test]
fn typescript_constructs_are_stripped_or_lowered() {
    let src = r#"
enum Color { Red, Green = 5, Blue }
namespace Geometry { export const unit = 2; export function double(n: number) { return n * unit; } }
class Point { constructor(public x: number, private readonly y: number) {} sum(): number { return this.x + this.y; } }
function first<T>(items: readonly T[]): T | undefined { return items[0]; }
const config = { retries: 3 } satisfies { retries: number };
const maybe: { a?: { b?: number } } = {};
let n = <number>(maybe.a?.b ?? 7);
abstract class Shape { abstract area(): number; }
declare const injected: string;
interface Ignored { x: number }
type Alias = Ignored | null;
"#;
    let out = ok(src, "types.ts", SourceKind::Script);
    for gone in [
        "interface",
        "type Alias",
        "declare",
        "abstract",
        "satisfies",
        "<T>",
        ": number",
        "public x",
        "readonly",
    ] {
        assert!(!out.code.contains(gone), "{gone} left in:\n{}", out.code);
    }
    assert!(
        out.code.contains("Color[Color[\"Green\"] = 5]"),
        "{}",
        out.code
    );
    assert!(out.code.contains("this.x = x"), "{}", out.code);
}

#[test]
fn es_modules_become_commonjs_with_default_interop() {
    let src = "import x from 'pkg';\nimport * as all from 'other';\nimport { named as n } from './local';\nexport { x };\nexport const y = n + all.z;\nexport default function f() {}\n";
    let out = ok(src, "init.ts", SourceKind::Script);
    assert_eq!(out.format, Format::CommonJs);
    assert_eq!(out.requires, ["pkg", "other", "./local"]);
    assert!(out.code.contains("require(\"pkg\")"), "{}", out.code);
    // Helpers are inlined, never required from @swc/helpers.
    assert!(!out.code.contains("@swc/helpers"), "{}", out.code);
    assert!(
        out.code.contains("function _interop_require_default"),
        "{}",
        out.code
    );
}

#[test]
fn a_module_file_without_module_syntax_is_left_a_script() {
    let src = "var a = 010;\nwith (Math) { module.exports = max(a, 1); }\n";
    let out = ok(src, "/node_modules/old/index.js", SourceKind::Module);
    assert_eq!(out.format, Format::Script);
    assert!(!out.code.contains("use strict"));
}

#[test]
fn commonjs_requires_are_listed() {
    let out = ok(
        "const a = require('dayjs');\nconst b = require(`x`);\nconst c = require('dayjs');\nfunction handleEvent() { return require('lodash/get'); }",
        "handler.js",
        SourceKind::Script,
    );
    assert_eq!(out.requires, ["dayjs", "lodash/get"]);
}

#[test]
fn syntax_errors_are_at_the_users_line_and_column() {
    let e = err(
        "const a = 1;\nfunction handleEvent(event) {\n  return event.;\n}\n",
        "handler.ts",
    );
    let d = &e.diagnostics[0];
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        ("handler.ts", 3, 16),
        "{e}"
    );
    assert!(e.to_string().starts_with("handler.ts:3:16: "), "{e}");

    let e = err("let x = 1;\n  let y = ;\n", "init.js");
    assert_eq!(
        (e.diagnostics[0].line, e.diagnostics[0].column),
        (2, 11),
        "{e}"
    );
}

#[test]
fn unsupported_constructs_are_refused_with_a_reason() {
    let e = err(
        "import x from 'y';\nconst v = await x();\nexport { v };\n",
        "init.ts",
    );
    assert_eq!(e.diagnostics[0].line, 2, "{e}");
    assert!(e.diagnostics[0].message.contains("top-level await"), "{e}");

    let e = err("function d(t: any) {}\n@d\nclass A {}\n", "handler.ts");
    assert_eq!(e.diagnostics[0].line, 2, "{e}");
    assert!(e.diagnostics[0].message.contains("decorators"), "{e}");

    // Awaits inside functions are fine.
    ok(
        "export async function f() { await 1; for await (const x of []) {} }",
        "m.ts",
        SourceKind::Module,
    );
}

#[test]
fn source_maps_lead_back_to_typescript_lines() {
    let src = "interface A {\n  x: number;\n}\ntype B = A;\n\n\nfunction handleEvent(e: A): B {\n  throw new Error('on line 8');\n}\n";
    let out = ok(src, "handler.ts", SourceKind::Script);
    let line = out
        .code
        .lines()
        .position(|l| l.contains("throw new Error"))
        .expect("throw in output") as u32
        + 1;
    assert!(
        line < 8,
        "types were stripped, so the throw moved up:\n{}",
        out.code
    );
    let col = out
        .code
        .lines()
        .nth(line as usize - 1)
        .and_then(|l| l.find("throw"))
        .expect("throw on its line") as u32
        + 1;
    let pos = out.source_map.original(line, col).expect("mapped");
    assert_eq!((pos.line, pos.column), (8, 3));

    // The map survives a JSON round trip.
    let again = compiler::SourceMap::from_json(&out.source_map.to_json()).expect("valid map");
    assert_eq!(again.original(line, col), Some(pos));
}

#[test]
fn cache_keys_cover_every_input() {
    let a = compiler::cache_key("x", "a.ts", SourceKind::Script);
    assert_eq!(a, compiler::cache_key("x", "a.ts", SourceKind::Script));
    assert_ne!(a, compiler::cache_key("y", "a.ts", SourceKind::Script));
    assert_ne!(a, compiler::cache_key("x", "a.js", SourceKind::Script));
    assert_ne!(a, compiler::cache_key("x", "a.ts", SourceKind::Module));
}

fn assert_quick_diagnostic(source: &str, what: &str) {
    let started = Instant::now();
    let e = err(source, "hostile.js");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "{what}: took {took:?}");
    assert!(
        e.diagnostics.iter().all(|d| d.line >= 1 && d.column >= 1),
        "{what}: {e}"
    );
    assert!(e.to_string().contains("nests too deeply"), "{what}: {e}");
}

#[test]
fn hostile_nesting_ends_as_a_quick_diagnostic_and_the_process_goes_on() {
    assert_quick_diagnostic(
        &format!("x = {}1{};", "(".repeat(10_000), ")".repeat(10_000)),
        "10k parentheses",
    );
    let chain: Vec<String> = (0..100_000).map(|i| format!("a{i}")).collect();
    assert_quick_diagnostic(&format!("x = {};", chain.join("+")), "100k-term chain");
    assert_quick_diagnostic(
        &format!("x = {}y;", "!".repeat(200_000)),
        "200k prefix operators",
    );
    assert_quick_diagnostic(
        &format!("x = {}0;", "a ? b : ".repeat(50_000)),
        "50k conditionals",
    );
    assert_quick_diagnostic(
        &format!("x = {}1{};", "[".repeat(100_000), "]".repeat(100_000)),
        "100k brackets",
    );
    // The same compiler then compiles a normal file.
    ok(SPEC_HANDLER, "handler.ts", SourceKind::Script);
}

#[test]
fn deep_but_legitimate_code_compiles() {
    let nested = format!("const x = {}1{};", "(".repeat(200), ")".repeat(200));
    ok(&nested, "deep.js", SourceKind::Script);
    let chain: Vec<String> = (0..300).map(|i| format!("'s{i}'")).collect();
    ok(
        &format!("const s = {};", chain.join(" + ")),
        "concat.js",
        SourceKind::Script,
    );
}

#[test]
fn oversized_sources_are_refused_before_parsing() {
    let small = Compiler::new(compiler::CompilerConfig {
        max_source_bytes: 1024,
        ..Default::default()
    });
    let e = small
        .compile(&"x;".repeat(600), "big.js", SourceKind::Script)
        .expect_err("too big");
    assert!(e.to_string().contains("1200 bytes"), "{e}");
}
