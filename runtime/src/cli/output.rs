//! Terminal output: colour only on a terminal and never with `NO_COLOR`,
//! and plain aligned columns.

use std::io::IsTerminal as _;

/// Whether standard output takes colour.
pub(crate) fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// An invocation status, coloured as its outcome.
pub(crate) fn status(status: &str, colour: bool) -> String {
    if !colour {
        return status.to_owned();
    }
    let code = match status {
        "SUCCEEDED" => "32",
        "FAILED" | "error" => "31",
        _ => "33",
    };
    format!("\x1b[{code}m{status}\x1b[0m")
}

pub(crate) fn dim(text: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[2m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Rows as columns padded to their widest cell (the last column unpadded).
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut text = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            text.push_str(cell);
            if i < last {
                let pad = widths[i] - cell.chars().count() + 2;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        text.trim_end().to_owned()
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let text = table(
            &["ID", "NAME"],
            &[
                vec!["1".into(), "Check sign-ins".into()],
                vec!["12".into(), "x".into()],
            ],
        );
        assert_eq!(text, "ID  NAME\n1   Check sign-ins\n12  x\n");
        assert_eq!(status("FAILED", false), "FAILED");
        assert_eq!(status("FAILED", true), "\x1b[31mFAILED\x1b[0m");
    }
}
