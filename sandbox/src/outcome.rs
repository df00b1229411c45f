//! What an invocation produced: [`Outcome`].

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// How an invocation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The wall-clock limit was reached.
    Timeout,
    /// The CPU-time limit was reached.
    CpuLimit,
    /// The memory limit was reached.
    MemoryLimit,
    /// The handler threw or its promise rejected.
    Exception,
    /// The guest trapped (e.g. the call stack was exhausted by deep recursion).
    Crash,
    /// The result cannot be stored: not JSON, or too large.
    InvalidResult,
    /// The handler's promise can never settle: nothing is pending.
    Unsettled,
}

impl ErrorKind {
    /// The stable name used in JSON (`TIMEOUT`, `MEMORY_LIMIT`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::CpuLimit => "CPU_LIMIT",
            ErrorKind::MemoryLimit => "MEMORY_LIMIT",
            ErrorKind::Exception => "EXCEPTION",
            ErrorKind::Crash => "CRASH",
            ErrorKind::InvalidResult => "INVALID_RESULT",
            ErrorKind::Unsettled => "UNSETTLED",
        }
    }
}

/// An error as reported by guest code or about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestError {
    /// The JS error's name (`TypeError`, ...), or a sandbox name for limits.
    pub name: String,
    /// The message.
    pub message: String,
    /// The JS stack, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// The script the error points into (the innermost frame in user code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line in `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column in `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl GuestError {
    /// An error with a name and message and no position.
    pub fn new(name: &str, message: impl Into<String>) -> GuestError {
        GuestError {
            name: name.to_string(),
            message: message.into(),
            stack: None,
            file: None,
            line: None,
            column: None,
        }
    }

    /// Parses the guest's `{name, message, stack}` report and locates the
    /// innermost stack frame in user code.
    pub(crate) fn from_report(json: &[u8]) -> GuestError {
        #[derive(Deserialize)]
        struct Report {
            name: Option<String>,
            message: Option<String>,
            stack: Option<String>,
        }
        let report: Report = match serde_json::from_slice(json) {
            Ok(report) => report,
            Err(_) => return GuestError::new("Error", "the guest sent an unreadable error report"),
        };
        let mut error = GuestError::new(
            report.name.as_deref().unwrap_or("Error"),
            report.message.unwrap_or_default(),
        );
        // The prelude's own frames are noise to users (like node:internal
        // frames would be); keep only frames of user code.
        error.stack = report
            .stack
            .map(|stack| {
                stack
                    .lines()
                    .filter(|frame| {
                        !frame.contains("(chatfn:") && !frame.trim_start().starts_with("at chatfn:")
                    })
                    .map(|frame| format!("{frame}\n"))
                    .collect::<String>()
            })
            .filter(|s| !s.is_empty());
        if let Some((file, line, column)) = error.stack.as_deref().and_then(user_frame) {
            error.file = Some(file);
            error.line = Some(line);
            error.column = Some(column);
        }
        error
    }
}

impl GuestError {
    /// A compile failure as an error report: all diagnostics in the message,
    /// positioned at the first.
    pub fn from_compile_error(error: &compiler::CompileError) -> GuestError {
        let first = error.diagnostics.first();
        GuestError {
            file: first.map(|d| d.file.clone()),
            line: first.map(|d| d.line),
            column: first.map(|d| d.column),
            ..GuestError::new("CompileError", error.to_string())
        }
    }

    /// Rewrites every `file:line:column` in the stack, and the error's own
    /// position, through `map` (from compiled code to the user's source);
    /// positions `map` does not know stay as they are.
    pub(crate) fn map_positions(&mut self, map: impl Fn(&str, u32, u32) -> Option<(u32, u32)>) {
        if let Some(stack) = &self.stack {
            let mapped: String = stack
                .lines()
                .map(|frame| {
                    let mut frame = frame.to_owned();
                    if let Some(((file, line, column), range)) = frame_location(&frame)
                        && let Some((line, column)) = map(&file, line, column)
                    {
                        frame.replace_range(range, &format!("{file}:{line}:{column}"));
                    }
                    frame.push('\n');
                    frame
                })
                .collect();
            self.stack = Some(mapped);
        }
        if let (Some(file), Some(line), Some(column)) = (&self.file, self.line, self.column)
            && let Some((line, column)) = map(file, line, column)
        {
            self.line = Some(line);
            self.column = Some(column);
        }
    }
}

impl std::fmt::Display for GuestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.message)?;
        if let (Some(file), Some(line), Some(column)) = (&self.file, self.line, self.column) {
            write!(f, " (at {file}:{line}:{column})")?;
        }
        Ok(())
    }
}

/// The first stack frame outside the prelude, as `(file, line, column)`.
/// Engine-made sources are skipped too: `JSON.parse` reports its input as
/// `<input>:1:1`, which is no file of the user's.
fn user_frame(stack: &str) -> Option<(String, u32, u32)> {
    stack.lines().find_map(|frame| {
        let (location, _) = frame_location(frame)?;
        if location.0.starts_with("chatfn:")
            || location.0 == "native"
            || location.0.starts_with('<')
        {
            return None;
        }
        Some(location)
    })
}

/// A frame's `(file, line, column)` and the byte range they span in it.
/// QuickJS frames look like `    at name (file:line:col)` or `    at file:line:col`.
fn frame_location(frame: &str) -> Option<((String, u32, u32), std::ops::Range<usize>)> {
    let trimmed = frame.trim_end();
    let body_start = frame.len() - frame.trim_start().len();
    frame[body_start..].strip_prefix("at ")?;
    let range = match (trimmed.rfind('('), trimmed.ends_with(')')) {
        (Some(open), true) if open > body_start => open + 1..trimmed.len() - 1,
        _ => body_start + 3..trimmed.len(),
    };
    let location = &frame[range.clone()];
    let (rest, column) = location.rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    Some((
        (file.to_string(), line.parse().ok()?, column.parse().ok()?),
        range,
    ))
}

/// A console level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// `console.debug`, `console.trace`.
    Debug,
    /// `console.log`, `console.dir`.
    Log,
    /// `console.info`, `console.count`, `console.time*`.
    Info,
    /// `console.warn`, and the sandbox's own notices.
    Warn,
    /// `console.error`, `console.assert`.
    Error,
}

impl LogLevel {
    pub(crate) fn from_index(index: u32) -> LogLevel {
        match index {
            0 => LogLevel::Debug,
            1 => LogLevel::Log,
            2 => LogLevel::Info,
            3 => LogLevel::Warn,
            _ => LogLevel::Error,
        }
    }
}

/// One console line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Its level.
    pub level: LogLevel,
    /// The formatted line (as Node's console would print it).
    pub message: String,
}

/// Why an invocation failed.
#[derive(Clone, Debug)]
pub struct Failure {
    /// How it failed.
    pub kind: ErrorKind,
    /// The error, as the guest reported it or about it.
    pub error: GuestError,
}

/// The result of one invocation.
#[derive(Debug)]
pub struct Outcome {
    /// The handler's value as JSON (`null` for `undefined`) when
    /// `handleEvent` returned (or resolved to) one; otherwise why it failed.
    pub result: Result<Box<RawValue>, Failure>,
    /// Console output, in order, within the log budget.
    pub logs: Vec<LogEntry>,
    /// Host calls the handler started.
    pub host_calls: u32,
    /// From the start of instantiation to the end.
    pub duration: Duration,
    /// Whether the instance came from the image's warm pool (made ahead
    /// of time) rather than being made for this invocation.
    pub warm: bool,
    /// Whether the instance had served earlier invocations of the image
    /// (see [`Reuse`](crate::Reuse)); `warm` is then true too.
    pub reused: bool,
    /// The part of `duration` before `handleEvent` was called: getting an
    /// instance ready (all of `duration` when it never was called).
    pub startup: Duration,
    /// Time spent running on an executor thread (what
    /// [`Limits::cpu_time`](crate::Limits::cpu_time) bounds).
    pub cpu: Duration,
}

impl Outcome {
    /// Whether the invocation succeeded.
    pub fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    /// The failure kind, if it failed.
    pub fn error_kind(&self) -> Option<ErrorKind> {
        self.result.as_ref().err().map(|failure| failure.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_user_frame() {
        let stack = "    at fail (chatfn:prelude/x.js:1:2)\n    at inner (handler.js:3:11)\n    at handler.js:9:1\n";
        assert_eq!(user_frame(stack), Some(("handler.js".into(), 3, 11)));
        assert_eq!(
            user_frame("    at /node_modules/a/b.js:10:5\n"),
            Some(("/node_modules/a/b.js".into(), 10, 5))
        );
        assert_eq!(user_frame("    at native\n"), None);
        // A JSON.parse failure: the handler's call, not the parser's input.
        let parse =
            "    at <input>:1:1\n    at parse (native)\n    at handleEvent (handler.ts:3:15)\n";
        assert_eq!(user_frame(parse), Some(("handler.ts".into(), 3, 15)));
    }

    #[test]
    fn positions_are_mapped_in_the_stack_and_the_error() {
        let mut error = GuestError::from_report(
            br#"{"name":"Error","message":"x","stack":"    at inner (handler.ts:3:11)\n    at handler.ts:9:1\n    at lib (/node_modules/a.js:2:2)\n"}"#,
        );
        error.map_positions(|file, line, column| {
            (file == "handler.ts").then_some((line + 10, column + 1))
        });
        assert_eq!(
            error.stack.as_deref(),
            Some(
                "    at inner (handler.ts:13:12)\n    at handler.ts:19:2\n    at lib (/node_modules/a.js:2:2)\n"
            )
        );
        assert_eq!((error.line, error.column), (Some(13), Some(12)));
    }

    #[test]
    fn unreadable_reports_are_still_errors() {
        let error = GuestError::from_report(b"not json");
        assert_eq!(error.name, "Error");
        assert!(error.line.is_none());
    }
}
