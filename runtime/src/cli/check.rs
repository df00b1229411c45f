//! `chatfn check`: compile handler and init scripts the way an image build
//! does and print diagnostics, for users' CI.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use compiler::{Compiler, SourceKind};

use super::{EXIT_FAILED, UsageError};

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// Scripts to check (`.ts` or `.js`).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub(crate) fn run(args: CheckArgs) -> Result<ExitCode> {
    let compiler = Compiler::default();
    let mut stdout = std::io::stdout().lock();
    let (mut failed, mut errors) = (0usize, 0usize);
    for path in &args.files {
        let source = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
        // Diagnostics name the file as given, so editors and CI can jump to it.
        let name = path.display().to_string();
        if let Err(error) = compiler.compile(&source, &name, SourceKind::Script) {
            failed += 1;
            errors += error.diagnostics.len();
            writeln!(stdout, "{error}")?;
        }
    }
    stdout.flush()?;
    let files = args.files.len();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if failed == 0 {
        eprintln!("{} checked, no errors", plural(files, "file"));
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} checked: {} in {}",
            plural(files, "file"),
            plural(errors, "error"),
            plural(failed, "file")
        );
        Ok(ExitCode::from(EXIT_FAILED))
    }
}
