//! Cheap checks made before swc sees a source.
//!
//! swc's parser, passes and code generator recurse once per level of
//! syntactic nesting, and drop the tree recursively too. The worker threads
//! have big stacks, but a few megabytes of `((((…` or `!!!!…` or `a+b+…`
//! would still exhaust them, which aborts the process. So before parsing, a
//! tolerant scan estimates the deepest nesting the tree could have and
//! refuses the source if it is past the limit.

use crate::{CompileError, Diagnostic, Result};

pub(crate) fn check_size(source: &str, file: &str, max: usize) -> Result<()> {
    if source.len() <= max {
        return Ok(());
    }
    Err(CompileError::one(Diagnostic::new(
        file,
        1,
        1,
        format!(
            "the file is {} bytes; the largest accepted is {max} bytes",
            source.len()
        ),
    )))
}

pub(crate) fn check_nesting(source: &str, file: &str, max: u32) -> Result<()> {
    match scan(source.as_bytes(), max) {
        None => Ok(()),
        Some(offset) => {
            let (line, column) = line_column(source, offset);
            Err(CompileError::one(Diagnostic::new(
                file,
                line,
                column,
                too_deep(max),
            )))
        }
    }
}

pub(crate) fn too_deep(max: u32) -> String {
    format!(
        "the code nests too deeply (more than {max} levels of brackets and operators in one expression); split it into smaller expressions or functions"
    )
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_column(source: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (saturate(line), saturate(column))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Start, or after an operator / opening bracket: an expression is next.
    Operator,
    /// After an identifier, literal or closing bracket.
    Value,
}

struct Level {
    /// Operators counted on this level since its last `,` or `;`.
    count: u32,
    /// The level is a `${…}` inside a template literal.
    template: bool,
}

/// Keywords that take an operand, as operators do.
const KEYWORD_OPERATORS: &[&[u8]] = &[
    b"typeof",
    b"void",
    b"delete",
    b"await",
    b"new",
    b"instanceof",
    b"in",
    b"yield",
];
/// Keywords after which a `/` starts a regular expression.
const KEYWORDS_BEFORE_EXPRESSION: &[&[u8]] = &[
    b"return", b"case", b"do", b"else", b"throw", b"of", b"extends",
];

/// Returns the byte offset where the estimated nesting first passes `max`.
///
/// The estimate is brackets open plus operators seen on each open level since
/// that level's last `,` or `;` (or a line break between two statements). It
/// over-counts (`===` is three), so the limit is generous for real code; it
/// never under-counts a chain, whatever the spacing, comments or line breaks.
fn scan(src: &[u8], max: u32) -> Option<usize> {
    let mut levels = vec![Level {
        count: 0,
        template: false,
    }];
    // Sum of `count` over `levels` plus the number of open brackets.
    let mut depth: u32 = 0;
    let mut prev = Prev::Operator;
    let mut newline = false;
    let mut i = 0;

    macro_rules! bump {
        ($at:expr) => {{
            depth += 1;
            if let Some(level) = levels.last_mut() {
                level.count += 1;
            }
            if depth > max {
                return Some($at);
            }
        }};
    }
    // A bracket (or `${`) is a level of its own.
    macro_rules! open {
        ($at:expr, $template:expr) => {{
            levels.push(Level {
                count: 0,
                template: $template,
            });
            depth += 1;
            if depth > max {
                return Some($at);
            }
        }};
    }
    macro_rules! reset {
        () => {{
            if let Some(level) = levels.last_mut() {
                depth -= level.count;
                level.count = 0;
            }
        }};
    }

    while i < src.len() {
        let b = src[i];
        match b {
            b'\n' => {
                newline = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'/' if src.get(i + 1) == Some(&b'/') => {
                i = skip_line(src, i);
                continue;
            }
            b'/' if src.get(i + 1) == Some(&b'*') => {
                let end = find(src, i + 2, b"*/").map_or(src.len(), |e| e + 2);
                newline |= src[i..end].contains(&b'\n');
                i = end;
                continue;
            }
            _ => {}
        }
        // A line break between a value and something that starts a new
        // expression ends a statement (ASI), so counting restarts; a break
        // next to an operator does not.
        let starts_value =
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'\'' | b'"' | b'`' | 0x80..);
        if newline && prev == Prev::Value && starts_value {
            reset!();
        }
        newline = false;
        match b {
            b'\'' | b'"' => {
                i = skip_string(src, i);
                prev = Prev::Value;
            }
            b'`' => {
                match skip_template(src, i + 1) {
                    Template::End(end) => {
                        i = end;
                        prev = Prev::Value;
                    }
                    Template::Interpolation(next) => {
                        open!(i, true);
                        i = next;
                        prev = Prev::Operator;
                    }
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                open!(i, false);
                i += 1;
                prev = Prev::Operator;
            }
            b')' | b']' | b'}' => {
                i += 1;
                prev = Prev::Value;
                // An unmatched closer (the file's own error) leaves the base level.
                if levels.len() > 1
                    && let Some(level) = levels.pop()
                {
                    depth -= level.count + 1;
                    if level.template && b == b'}' {
                        match skip_template(src, i) {
                            Template::End(end) => i = end,
                            Template::Interpolation(next) => {
                                open!(i, true);
                                i = next;
                                prev = Prev::Operator;
                            }
                        }
                    }
                }
            }
            b',' | b';' => {
                reset!();
                i += 1;
                prev = Prev::Operator;
            }
            b'/' if prev == Prev::Operator => {
                i = skip_regex(src, i);
                prev = Prev::Value;
            }
            b'0'..=b'9' => {
                i = skip_word(src, i, true);
                prev = Prev::Value;
            }
            b'.' if src.get(i + 1).is_some_and(u8::is_ascii_digit) && prev == Prev::Operator => {
                i = skip_word(src, i, true);
                prev = Prev::Value;
            }
            _ if b.is_ascii_alphabetic()
                || matches!(b, b'_' | b'$' | b'\\' | b'#' | b'@' | 0x80..) =>
            {
                let end = skip_word(src, i, false);
                let word = &src[i..end];
                if KEYWORD_OPERATORS.contains(&word) {
                    bump!(i);
                    prev = Prev::Operator;
                } else if KEYWORDS_BEFORE_EXPRESSION.contains(&word) {
                    prev = Prev::Operator;
                } else {
                    prev = Prev::Value;
                }
                i = end;
            }
            _ => {
                // Punctuators: every character counts, so `!!!!x` and
                // `a+b+c` both grow with their length.
                bump!(i);
                i += 1;
                prev = Prev::Operator;
            }
        }
    }
    None
}

enum Template {
    /// Offset after the closing backtick.
    End(usize),
    /// Offset after a `${`.
    Interpolation(usize),
}

/// Scans template characters from `i` (just past a backtick or a `}`).
fn skip_template(src: &[u8], mut i: usize) -> Template {
    while i < src.len() {
        match src[i] {
            b'\\' => i += 2,
            b'`' => return Template::End(i + 1),
            b'$' if src.get(i + 1) == Some(&b'{') => return Template::Interpolation(i + 2),
            _ => i += 1,
        }
    }
    Template::End(src.len())
}

fn skip_line(src: &[u8], i: usize) -> usize {
    src[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(src.len(), |p| i + p)
}

fn find(src: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    src.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// A string literal; an unterminated one ends at the line break.
fn skip_string(src: &[u8], i: usize) -> usize {
    let quote = src[i];
    let mut j = i + 1;
    while j < src.len() {
        match src[j] {
            b'\\' => j += 2,
            b'\n' => return j,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    src.len()
}

/// A regular expression literal with its flags; ends at a line break if it
/// was not one after all.
fn skip_regex(src: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    let mut class = false;
    while j < src.len() {
        match src[j] {
            b'\\' => j += 2,
            b'\n' => return j,
            b'[' => {
                class = true;
                j += 1;
            }
            b']' => {
                class = false;
                j += 1;
            }
            b'/' if !class => return skip_word(src, j + 1, false),
            _ => j += 1,
        }
    }
    src.len()
}

/// An identifier, keyword or number (with `.` when `number`).
fn skip_word(src: &[u8], i: usize, number: bool) -> usize {
    let mut j = i;
    while j < src.len() {
        let b = src[j];
        if b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'$' | b'\\' | b'#' | b'@' | 0x80..)
            || (number && b == b'.')
        {
            j += 1;
        } else {
            break;
        }
    }
    j.max(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_ok(src: &str, max: u32) -> bool {
        scan(src.as_bytes(), max).is_none()
    }

    #[test]
    fn real_code_passes() {
        let src = r#"
            const re = /[(\[{]+/g; // ((((
            const s = "(((((((" + '[[[[' + `${a + `${b}`}(((`;
            async function handleEvent(event, context) {
              if (event.a && event.b || !event.c) return { x: [1, 2, 3].map((n) => n * 2) };
              for (let i = 0; i < 10; i++) { total += i }
              x = a
              y = b
              return x / y / 2;
            }
        "#;
        assert!(depth_ok(src, 40));
    }

    #[test]
    fn statements_without_semicolons_do_not_accumulate() {
        let src = "let a = b + c\n".repeat(10_000);
        assert!(depth_ok(&src, 50));
    }

    #[test]
    fn chains_are_counted_however_they_are_spelled() {
        for chain in [
            "a+b+".repeat(600),
            "a\n+".repeat(1200),
            "a /* x */ + b\n+ ".repeat(600),
            "!".repeat(1200),
            "(".repeat(1200),
            "x.y".repeat(1200),
            "a ? b : ".repeat(600),
            "typeof ".repeat(1200),
            "a + f(1, 2) + ".repeat(600),
            "`${".repeat(1200),
        ] {
            assert!(!depth_ok(&chain, 1000), "{}", &chain[..20]);
        }
    }

    #[test]
    fn positions_are_one_based_characters() {
        assert_eq!(line_column("ab\ncé(", 6), (2, 3));
        assert_eq!(line_column("", 0), (1, 1));
    }
}
