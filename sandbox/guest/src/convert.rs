//! Conversions between JS values and Rust data that every native module
//! needs. A leaf: `natives` registers the other modules' functions, so
//! they take these from here rather than from it.

use javy::quickjs::{ArrayBuffer, Ctx, String as JsString};

/// Converts a JS string to UTF-8, replacing lone surrogates instead of failing.
pub(crate) fn lossy<'js>(ctx: &Ctx<'js>, s: &JsString<'js>) -> String {
    match s.to_string() {
        Ok(s) => s,
        Err(e) => javy::to_string_lossy(ctx, s, e),
    }
}

/// An ArrayBuffer's bytes (empty when it was detached).
pub(crate) fn bytes<'a>(buffer: &'a ArrayBuffer<'_>) -> &'a [u8] {
    buffer.as_bytes().unwrap_or_default()
}
