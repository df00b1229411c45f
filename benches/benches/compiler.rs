//! Compile throughput: a handler-sized TypeScript file, and a 1 MB ES module
//! (a package file) converted to CommonJS. Times include the hand-off to a
//! compiler worker thread, as every real compile pays it.

#![allow(missing_docs, reason = "criterion_group! generates undocumented items")]

use compiler::{Compiler, SourceKind};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const HANDLER: &str = r#"
interface UserAttemptedStartSessionEvent { username: string; authParams: { displayName?: string } }
const logs: string[] = [];

async function handleEvent(event: UserAttemptedStartSessionEvent, context: any) {
  let email = event.username;
  let displayName = event.authParams.displayName || email;
  let userApi = context.getUserApi();
  logs.push('Hello ' + event.username);
  await userApi.getUserExists(email).catch(async () => {
    let user = await userApi.createUser({ name: email, displayName });
    let channelApi = context.getChannelApi();
    await channelApi.createChannelMember(702, { id: user.data.id });
  });
  return logs;
}
"#;

/// One chunk of a typical library module; repeated with fresh names.
fn module_chunk(i: usize) -> String {
    format!(
        r#"
import {{ helper{i} as h{i} }} from './helpers/{i}.js';
export const DEFAULTS_{i} = Object.freeze({{ retries: {i}, timeout: 1000 * {i}, name: `chunk-{i}` }});
export class Client{i} {{
  #token;
  constructor(options = {{}}) {{ this.options = {{ ...DEFAULTS_{i}, ...options }}; this.#token = options.token ?? null; }}
  async request(path, body) {{
    for (let attempt = 0; attempt < this.options.retries; attempt++) {{
      try {{ return await h{i}(path, body, this.#token); }}
      catch (err) {{ if (err?.response?.status < 500) throw err; }}
    }}
    throw new Error(`request to ${{path}} failed after ${{this.options.retries}} attempts`);
  }}
  static from(value) {{ return value instanceof Client{i} ? value : new Client{i}(value); }}
}}
export function format{i}(values, sep = ', ') {{
  return values.filter(Boolean).map((v, n) => `${{n}}:${{typeof v === 'object' ? JSON.stringify(v) : v}}`).join(sep);
}}
export default Client{i};
"#
    )
}

fn bench(c: &mut Criterion) {
    let compiler = Compiler::default();
    let module: String = (0..)
        .map(module_chunk)
        .scan(0, |len, chunk| {
            *len += chunk.len();
            (*len <= 1 << 20).then_some(chunk)
        })
        .collect();

    let mut group = c.benchmark_group("compile");
    group.throughput(Throughput::Bytes(HANDLER.len() as u64));
    group.bench_function("handler-ts", |b| {
        b.iter(|| {
            compiler
                .compile(HANDLER, "handler.ts", SourceKind::Script)
                .expect("compiles")
        })
    });
    group.throughput(Throughput::Bytes(module.len() as u64));
    group.sample_size(10);
    group.bench_function("module-1mb-esm-to-cjs", |b| {
        b.iter(|| {
            compiler
                .compile(&module, "/node_modules/lib/index.mjs", SourceKind::Module)
                .expect("compiles")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
