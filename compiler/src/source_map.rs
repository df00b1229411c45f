//! Source maps from compiled code back to the user's file.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// Maps positions in compiled code to the source it came from. Serializes as
/// the standard source map JSON (version 3).
#[derive(Clone)]
pub struct SourceMap {
    inner: swc_sourcemap::SourceMap,
}

impl SourceMap {
    pub(crate) fn from_swc(inner: swc_sourcemap::SourceMap) -> SourceMap {
        SourceMap { inner }
    }

    /// Parses source map JSON, as written by [`SourceMap::to_json`].
    pub fn from_json(json: &str) -> Result<SourceMap, InvalidSourceMap> {
        swc_sourcemap::SourceMap::from_slice(json.as_bytes())
            .map(SourceMap::from_swc)
            .map_err(|e| InvalidSourceMap(e.to_string()))
    }

    /// The source map as JSON.
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        // Writing to a Vec cannot fail, and the map holds only UTF-8 strings.
        if self.inner.to_writer(&mut out).is_err() {
            return String::from("{}");
        }
        String::from_utf8(out).unwrap_or_else(|_| String::from("{}"))
    }

    /// The original position of a 1-based `line` and `column` in the
    /// compiled code: the nearest mapped token at or before it.
    pub fn original(&self, line: u32, column: u32) -> Option<Position> {
        let token = self
            .inner
            .lookup_token(line.checked_sub(1)?, column.saturating_sub(1))?;
        if !token.has_source() {
            return None;
        }
        Some(Position {
            line: token.get_src_line() + 1,
            column: token.get_src_col() + 1,
        })
    }
}

impl fmt::Debug for SourceMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceMap")
            .field("tokens", &self.inner.get_token_count())
            .finish()
    }
}

impl Serialize for SourceMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_json())
    }
}

impl<'de> Deserialize<'de> for SourceMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SourceMap, D::Error> {
        let json = String::deserialize(deserializer)?;
        SourceMap::from_json(&json).map_err(serde::de::Error::custom)
    }
}

/// Source map JSON that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid source map: {0}")]
pub struct InvalidSourceMap(String);
