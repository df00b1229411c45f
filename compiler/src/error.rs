//! The compiler's error: a compile that failed, with its diagnostics.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Diagnostic;

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
