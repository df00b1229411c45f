//! Diagnostics at the user's line and column.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A finding in a source file, at a 1-based line and column (columns count
/// characters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file name given to the compiler.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(
        file: &str,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: file.to_owned(),
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// `Result` with the compiler's [`CompileError`].
pub type Result<T, E = CompileError> = std::result::Result<T, E>;

/// A compile that failed: at least one error [`Diagnostic`], in source order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompileError {
    /// The errors found, first one first.
    pub diagnostics: Vec<Diagnostic>,
}

impl CompileError {
    pub(crate) fn one(diagnostic: Diagnostic) -> CompileError {
        CompileError {
            diagnostics: vec![diagnostic],
        }
    }

    pub(crate) fn sorted(mut diagnostics: Vec<Diagnostic>) -> CompileError {
        diagnostics.sort_by_key(|d| (d.line, d.column));
        diagnostics.dedup();
        CompileError { diagnostics }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileError {}
