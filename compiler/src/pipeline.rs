//! The swc pipeline: parse → checks → resolver → TypeScript strip → (ES
//! module → CommonJS) → hygiene → fixer → codegen with a source map.
//! Runs on a worker thread (see `pool`).

use std::sync::{Arc, Mutex, PoisonError};

use swc_core::common::errors::{DiagnosticBuilder, Emitter, HANDLER, Handler};
use swc_core::common::source_map::SourceMapGenConfig;
use swc_core::common::sync::Lrc;
use swc_core::common::{
    FileName, GLOBALS, Globals, Mark, SourceMap as SwcSourceMap, Span, Spanned,
};
use swc_core::ecma::ast::{
    ArrowExpr, AwaitExpr, CallExpr, Callee, Class, Decorator, EsVersion, Expr, ForOfStmt, Function,
    Lit, ModuleItem, Pat, Program, Script, Stmt, TsType,
};
use swc_core::ecma::codegen::{Emitter as CodeEmitter, text_writer::JsWriter};
use swc_core::ecma::parser::{EsSyntax, Parser, StringInput, Syntax, TsSyntax};
use swc_core::ecma::transforms::base::helpers::{HELPERS, Helpers, inject_helpers};
use swc_core::ecma::transforms::base::{fixer::fixer, hygiene::hygiene, resolver};
use swc_core::ecma::transforms::module::path::Resolver;
use swc_core::ecma::transforms::module::util::{Config as ModuleConfig, ImportInterop};
use swc_core::ecma::transforms::module::{
    common_js, common_js::FeatureFlag, import_analysis::import_analyzer,
};
use swc_core::ecma::transforms::typescript::{Config as TsConfig, typescript};
use swc_core::ecma::visit::{Visit, VisitWith};

use crate::guard::too_deep;
use crate::source_map::SourceMap;
use crate::{CompileError, Compiled, Diagnostic, Format, Result};

pub(crate) struct Job {
    pub(crate) source: String,
    pub(crate) file_name: String,
    pub(crate) max_nesting: u32,
}

/// Errors swc reports through its global handler (transform errors).
#[derive(Clone, Default)]
struct Collected(Arc<Mutex<Vec<(Span, String)>>>);

impl Collected {
    fn take(&self) -> Vec<(Span, String)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Emitter for Collected {
    fn emit(&mut self, db: &mut DiagnosticBuilder<'_>) {
        if !db.is_error() {
            return;
        }
        let span = db.span.primary_span().unwrap_or_default();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((span, db.message()));
    }
}

pub(crate) fn run(job: Job) -> Result<Compiled> {
    let cm: Lrc<SwcSourceMap> = Lrc::default();
    let file = cm.new_source_file(
        Lrc::new(FileName::Custom(job.file_name.clone())),
        job.source,
    );
    let collected = Collected::default();
    let handler = Handler::with_emitter(false, false, Box::new(collected.clone()));
    let at = |span: Span, message: String| {
        let (line, column) = match cm.try_lookup_char_pos(span.lo) {
            Ok(loc) => (loc.line, loc.col.0 + 1),
            Err(_) => (1, 1),
        };
        Diagnostic::new(
            &job.file_name,
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
            message,
        )
    };
    let typescript_syntax = !is_javascript(&job.file_name);

    GLOBALS.set(&Globals::new(), || {
        HANDLER.set(&handler, || {
            let syntax = if typescript_syntax {
                Syntax::Typescript(TsSyntax {
                    decorators: true,
                    ..Default::default()
                })
            } else {
                Syntax::Es(EsSyntax {
                    decorators: true,
                    import_attributes: true,
                    explicit_resource_management: true,
                    ..Default::default()
                })
            };
            let mut parser = Parser::new(syntax, StringInput::from(&*file), None);
            let parsed = parser.parse_program();
            let mut errors: Vec<Diagnostic> = parser
                .take_errors()
                .into_iter()
                .map(|e| at(e.span(), e.kind().msg().into_owned()))
                .collect();
            let mut program = match parsed {
                Ok(program) => program,
                Err(e) => {
                    errors.push(at(e.span(), e.kind().msg().into_owned()));
                    return Err(CompileError::sorted(errors));
                }
            };
            if !errors.is_empty() {
                return Err(CompileError::sorted(errors));
            }

            let mut check = Check {
                max_depth: job.max_nesting,
                ..Check::default()
            };
            program.visit_with(&mut check);
            if !check.found.is_empty() {
                let errors = check
                    .found
                    .into_iter()
                    .map(|(span, message)| at(span, message))
                    .collect();
                return Err(CompileError::sorted(errors));
            }

            let unresolved_mark = Mark::new();
            let top_level_mark = Mark::new();
            program.mutate(resolver(unresolved_mark, top_level_mark, typescript_syntax));
            if typescript_syntax {
                let config = TsConfig {
                    // A stripped `import type` must not make a script a module.
                    no_empty_export: true,
                    ..Default::default()
                };
                program.mutate(typescript(config, unresolved_mark, top_level_mark));
            }

            let format = if has_module_syntax(&program) {
                HELPERS.set(&Helpers::new(false), || {
                    program.mutate(import_analyzer(ImportInterop::Swc, false));
                    program.mutate(inject_helpers(unresolved_mark));
                    program.mutate(common_js(
                        Resolver::Default,
                        unresolved_mark,
                        ModuleConfig::default(),
                        FeatureFlag {
                            support_block_scoping: true,
                            support_arrow: true,
                        },
                    ));
                });
                Format::CommonJs
            } else {
                program = into_script(program);
                Format::Script
            };
            program.mutate(hygiene());
            program.mutate(fixer(None));

            let transform_errors = collected.take();
            if !transform_errors.is_empty() {
                let errors = transform_errors
                    .into_iter()
                    .map(|(span, message)| at(span, message))
                    .collect();
                return Err(CompileError::sorted(errors));
            }

            let mut requires = Requires::default();
            program.visit_with(&mut requires);

            let mut code = Vec::new();
            let mut mappings = Vec::new();
            {
                let mut emitter = CodeEmitter {
                    cfg: swc_core::ecma::codegen::Config::default()
                        .with_target(EsVersion::latest()),
                    cm: cm.clone(),
                    comments: None,
                    wr: JsWriter::new(cm.clone(), "\n", &mut code, Some(&mut mappings)),
                };
                emitter.emit_program(&program).map_err(|e| {
                    CompileError::one(at(program.span(), format!("code generation failed: {e}")))
                })?;
            }
            let code = String::from_utf8(code).map_err(|_| {
                CompileError::one(at(
                    program.span(),
                    "code generation produced invalid UTF-8".into(),
                ))
            })?;
            let map = cm.build_source_map(
                &mappings,
                None,
                MapConfig {
                    file: job.file_name.clone(),
                },
            );
            Ok(Compiled {
                code,
                format,
                source_map: SourceMap::from_swc(map),
                requires: requires.found,
                warnings: Vec::new(),
            })
        })
    })
}

pub(crate) fn is_javascript(file_name: &str) -> bool {
    [".js", ".mjs", ".cjs"]
        .iter()
        .any(|ext| file_name.ends_with(ext))
}

fn has_module_syntax(program: &Program) -> bool {
    match program {
        Program::Module(module) => module
            .body
            .iter()
            .any(|item| matches!(item, ModuleItem::ModuleDecl(_))),
        Program::Script(_) => false,
    }
}

/// A module without `import`/`export` (after stripping types) is a script:
/// its top-level declarations stay global.
fn into_script(program: Program) -> Program {
    match program {
        Program::Module(module) => Program::Script(Script {
            span: module.span,
            body: module
                .body
                .into_iter()
                .filter_map(|item| match item {
                    ModuleItem::Stmt(stmt) => Some(stmt),
                    ModuleItem::ModuleDecl(_) => None,
                })
                .collect(),
            shebang: module.shebang,
        }),
        script => script,
    }
}

struct MapConfig {
    file: String,
}

impl SourceMapGenConfig for MapConfig {
    fn file_name_to_source(&self, _: &FileName) -> String {
        self.file.clone()
    }

    fn inline_sources_content(&self, _: &FileName) -> bool {
        false
    }
}

/// Refuses what would otherwise be silently broken: trees too deep for the
/// passes, decorators, top-level `await`.
#[derive(Default)]
struct Check {
    max_depth: u32,
    depth: u32,
    functions: u32,
    found: Vec<(Span, String)>,
}

impl Check {
    fn nested(&mut self, span: Span, visit: impl FnOnce(&mut Check)) {
        if self.depth >= self.max_depth {
            if self.found.len() < 10 {
                self.found.push((span, too_deep(self.max_depth)));
            }
            return;
        }
        self.depth += 1;
        visit(self);
        self.depth -= 1;
    }

    fn function(&mut self, visit: impl FnOnce(&mut Check)) {
        self.functions += 1;
        visit(self);
        self.functions -= 1;
    }
}

impl Visit for Check {
    fn visit_expr(&mut self, n: &Expr) {
        self.nested(n.span(), |c| n.visit_children_with(c));
    }

    fn visit_stmt(&mut self, n: &Stmt) {
        self.nested(n.span(), |c| n.visit_children_with(c));
    }

    fn visit_pat(&mut self, n: &Pat) {
        self.nested(n.span(), |c| n.visit_children_with(c));
    }

    fn visit_ts_type(&mut self, n: &TsType) {
        self.nested(n.span(), |c| n.visit_children_with(c));
    }

    fn visit_function(&mut self, n: &Function) {
        self.function(|c| n.visit_children_with(c));
    }

    fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
        self.function(|c| n.visit_children_with(c));
    }

    fn visit_class(&mut self, n: &Class) {
        // Class bodies are not top level for `await`.
        self.function(|c| n.visit_children_with(c));
    }

    fn visit_await_expr(&mut self, n: &AwaitExpr) {
        if self.functions == 0 {
            self.found.push((n.span, TOP_LEVEL_AWAIT.into()));
        }
        n.visit_children_with(self);
    }

    fn visit_for_of_stmt(&mut self, n: &ForOfStmt) {
        if n.is_await && self.functions == 0 {
            self.found.push((n.span, TOP_LEVEL_AWAIT.into()));
        }
        n.visit_children_with(self);
    }

    fn visit_decorator(&mut self, n: &Decorator) {
        self.found.push((
            n.span,
            "decorators are not supported in chat functions; call the decorator function directly instead".into(),
        ));
    }
}

const TOP_LEVEL_AWAIT: &str = "top-level await is not supported: scripts run synchronously at initialization; move the await into handleEvent or an async function";

/// String-literal `require("x")` calls, in order of first use.
#[derive(Default)]
struct Requires {
    found: Vec<String>,
}

impl Visit for Requires {
    fn visit_call_expr(&mut self, n: &CallExpr) {
        if let Callee::Expr(callee) = &n.callee
            && let Expr::Ident(ident) = &**callee
            && ident.sym == *"require"
            && let [arg] = n.args.as_slice()
            && arg.spread.is_none()
            && let Expr::Lit(Lit::Str(s)) = &*arg.expr
            && let Some(specifier) = s.value.as_str()
            && !self.found.iter().any(|f| f == specifier)
        {
            self.found.push(specifier.to_owned());
        }
        n.visit_children_with(self);
    }
}
