//! A property test over mutated sources: whatever the input, a compile ends
//! with code or with diagnostics that each have a position inside the file,
//! and never with a panic (an "internal error") or a crash.

use compiler::{Compiler, SourceKind};

const SEEDS: &[(&str, &str)] = &[
    (
        "handler.ts",
        "const logs: string[] = [];\nasync function handleEvent(event: UserAttemptedStartSessionEvent, context: Context) {\n  const api = context.getUserApi();\n  const r = await api.getUserExists(event.username).catch(async () => api.createUser({ name: event.username }));\n  logs.push(`hi ${event.username}`);\n  return { ok: r?.status === 200, logs };\n}\n",
    ),
    (
        "init.ts",
        "import dayjs from 'dayjs';\nimport * as _ from 'lodash';\nexport enum Level { Low = 1, High }\nexport namespace N { export const x = 1 }\nexport class Box<T> { constructor(private value: T) {} get(): T { return this.value } }\nexport default { dayjs, _ } satisfies object;\n",
    ),
    (
        "module.js",
        "'use strict';\nconst re = /a(b|c)*[)\\]]/gi;\nmodule.exports = function f(a, b = 2, ...rest) {\n  label: for (const x of rest) { if (x) continue label; }\n  return a ** b / 2 > 1 ? `t${a}` : { ...rest };\n};\n",
    ),
];

const TOKENS: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "`",
    "${",
    "/",
    "'",
    "\"",
    "@",
    "await ",
    "import ",
    "export ",
    "<",
    ">",
    "enum ",
    "\n",
    "😀",
    "=>",
    "?.",
    "as ",
    "satisfies ",
    "#x",
    "\\u{",
    "/*",
    "*/",
    "//",
    ";",
    ",",
    "...",
    "yield ",
    "function ",
    "class ",
    "async ",
    "declare ",
    "namespace ",
    "type ",
    "0x",
    "1e",
    "'\n",
    "\u{2028}",
    "\0",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, so a failure replays.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(rng: &mut Rng, source: &str) -> String {
    let mut s = source.to_owned();
    for _ in 0..1 + rng.below(4) {
        let at = char_boundary(&s, rng.below(s.len() + 1));
        match rng.below(3) {
            0 => s.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
            1 => {
                let end = char_boundary(&s, (at + 1 + rng.below(12)).min(s.len()));
                s.replace_range(at..end, "");
            }
            _ => {
                // Duplicate a slice somewhere else.
                let end = char_boundary(&s, (at + rng.below(40)).min(s.len()));
                let slice = s[at..end].to_owned();
                let to = char_boundary(&s, rng.below(s.len() + 1));
                s.insert_str(to, &slice);
            }
        }
    }
    s
}

#[test]
fn mutated_sources_end_in_code_or_positioned_diagnostics() {
    let compiler = Compiler::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut compiled, mut refused) = (0, 0);
    for round in 0..10_000 {
        let (file, seed) = SEEDS[round % SEEDS.len()];
        let kind = if round % 2 == 0 {
            SourceKind::Script
        } else {
            SourceKind::Module
        };
        let source = mutate(&mut rng, seed);
        match compiler.compile(&source, file, kind) {
            Ok(out) => {
                compiled += 1;
                assert!(out.source_map.to_json().starts_with('{'), "round {round}");
            }
            Err(e) => {
                refused += 1;
                let lines = source.lines().count() as u32 + 1;
                assert!(
                    !e.diagnostics.is_empty(),
                    "round {round}: an error without diagnostics"
                );
                for d in &e.diagnostics {
                    assert!(
                        d.line >= 1 && d.line <= lines && d.column >= 1,
                        "round {round}: {d} is outside the file\n{source}"
                    );
                    assert!(
                        !d.message.contains("internal error"),
                        "round {round}: {d}\n{source}"
                    );
                    assert_eq!(d.file, file);
                }
            }
        }
    }
    // Both outcomes happen, or the mutations are not exercising anything.
    assert!(
        compiled > 100 && refused > 100,
        "compiled {compiled}, refused {refused}"
    );
}
