//! Compiles chat function sources for the sandbox: TypeScript stripped and
//! ES modules turned into CommonJS with swc, with source maps and
//! diagnostics at the user's line and column.
//!
//! Not built yet: handlers are plain JavaScript until this crate lands.
