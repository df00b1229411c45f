//! Resolves and installs a chat runtime's npm dependencies: registry client,
//! semver resolution, integrity checks, a content-addressed store, lockfile
//! and `require` entry points.
//!
//! Not built yet: the module map holds only files given to it directly.
