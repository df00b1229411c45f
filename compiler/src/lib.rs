//! Compiles chat function sources for the sandbox.
//!
//! TypeScript is stripped and ES module syntax becomes CommonJS, with swc.
//! Every compile returns the code, a [`SourceMap`] back to the user's file,
//! the specifiers the code `require`s, and [`Diagnostic`]s positioned at the
//! user's line and column.
//!
//! Compiles run on a few reusable worker threads with large stacks: swc
//! recurses over the syntax tree, so hostile input (thousands of nested
//! parentheses, a 100k-term `a+b+…` chain) would otherwise overflow a normal
//! stack and abort the process. Input is bounded before parsing (size,
//! estimated nesting), each compile is time-limited, and a panic inside swc
//! ends as a diagnostic.
//!
//! ```
//! use compiler::{Compiler, SourceKind};
//!
//! let compiler = Compiler::new(Default::default());
//! let out = compiler
//!     .compile("import dayjs from 'dayjs';\nexport const now: string = dayjs().format();", "init.ts", SourceKind::Script)
//!     .unwrap();
//! assert_eq!(out.requires, ["dayjs"]);
//! assert!(out.code.contains(r#"require("dayjs")"#));
//! ```

mod diagnostic;
mod error;
mod guard;
mod pipeline;
mod pool;
mod source_map;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use diagnostic::Diagnostic;
pub use error::{CompileError, Result};
pub use source_map::{InvalidSourceMap, Position, SourceMap};

/// The compiler's version as it affects output: part of every cache key.
pub const VERSION: &str = concat!(
    "chatfn-compiler/",
    env!("CARGO_PKG_VERSION"),
    "+swc_core-83.0.0"
);

/// What a source is compiled as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A handler or initialization script. Without `import`/`export` it stays
    /// a script, so its top-level declarations (`function handleEvent`) are
    /// globals; with them it becomes a CommonJS module.
    Script,
    /// A module file (a package file loaded by `require`): ES module syntax
    /// becomes CommonJS. A file without any is left a (sloppy-mode) script, as
    /// Node loads it.
    Module,
}

/// The shape of compiled code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain script code: evaluate it as is.
    Script,
    /// CommonJS: evaluate it inside a `(exports, require, module, __filename,
    /// __dirname)` wrapper.
    CommonJs,
}

/// The result of a successful compile.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Compiled {
    /// JavaScript the sandbox evaluates.
    pub code: String,
    /// Whether `code` is a script or CommonJS.
    pub format: Format,
    /// Maps positions in `code` back to the user's source.
    pub source_map: SourceMap,
    /// String-literal `require(...)` specifiers, in order of first use
    /// (imports converted to CommonJS included).
    pub requires: Vec<String>,
    /// Non-fatal findings.
    pub warnings: Vec<Diagnostic>,
}

/// Bounds and resources for compiling.
#[derive(Clone, Debug)]
pub struct CompilerConfig {
    /// Largest accepted source, in bytes.
    pub max_source_bytes: usize,
    /// Largest accepted syntactic nesting (an estimate made before parsing,
    /// then the real depth of the tree).
    pub max_nesting: u32,
    /// A compile taking longer than this ends with a diagnostic.
    pub timeout: Duration,
    /// Worker threads kept for compiling.
    pub workers: usize,
    /// Stack size of each worker thread (reserved, not committed, memory).
    pub worker_stack_bytes: usize,
}

impl Default for CompilerConfig {
    fn default() -> CompilerConfig {
        CompilerConfig {
            max_source_bytes: 8 << 20,
            max_nesting: 1000,
            timeout: Duration::from_secs(10),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4)),
            worker_stack_bytes: 256 << 20,
        }
    }
}

/// Compiles sources on a pool of big-stack worker threads. Cheap to share:
/// `&Compiler` is all `compile` needs, and clones share the pool; create one
/// per process.
#[derive(Clone)]
pub struct Compiler {
    config: CompilerConfig,
    pool: std::sync::Arc<pool::Pool>,
}

impl Compiler {
    /// A compiler with `config`. Worker threads start on first use.
    pub fn new(config: CompilerConfig) -> Compiler {
        let pool = std::sync::Arc::new(pool::Pool::new(
            config.workers.max(1),
            config.worker_stack_bytes,
        ));
        Compiler { config, pool }
    }

    /// Compiles `source`, named `file_name` in diagnostics, stack traces and
    /// the source map. `.js`, `.mjs` and `.cjs` files are parsed as
    /// JavaScript, anything else as TypeScript.
    ///
    /// Both kinds compile alike today (module syntax decides the output
    /// format); `kind` states the caller's intent and is part of
    /// [`cache_key`].
    pub fn compile(&self, source: &str, file_name: &str, _kind: SourceKind) -> Result<Compiled> {
        guard::check_size(source, file_name, self.config.max_source_bytes)?;
        guard::check_nesting(source, file_name, self.config.max_nesting)?;
        let job = pipeline::Job {
            source: source.to_owned(),
            file_name: file_name.to_owned(),
            max_nesting: self.config.max_nesting,
        };
        self.pool.run(job, self.config.timeout)
    }
}

impl Default for Compiler {
    fn default() -> Compiler {
        Compiler::new(CompilerConfig::default())
    }
}

/// The cache key of a compile: sha256 over the source, its file name (which
/// picks the language and names the source map), the kind and [`VERSION`].
/// Equal keys give equal output.
pub fn cache_key(source: &str, file_name: &str, kind: SourceKind) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [VERSION, file_name, kind_tag(kind), source] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().into()
}

fn kind_tag(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Script => "script",
        SourceKind::Module => "module",
    }
}
