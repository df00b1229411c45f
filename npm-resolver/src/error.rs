//! The resolver's error type.

/// `Result` with the resolver's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an install failed. Messages name the package and say what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A dependency's name breaks npm's naming rules.
    #[error("'{name}' is not a valid npm package name: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// The rule it breaks.
        reason: String,
    },
    /// A version field is neither a range nor a dist-tag.
    #[error("{name}@{spec}: not a version, range or dist-tag npm understands")]
    InvalidSpec {
        /// The dependency.
        name: String,
        /// Its version field.
        spec: String,
    },
    /// A git, URL or path dependency: only the registry is supported.
    #[error("{name}@{spec} cannot be installed: {reason}")]
    UnsupportedSpec {
        /// The dependency.
        name: String,
        /// Its version field.
        spec: String,
        /// What it points at and what to use instead.
        reason: String,
    },
    /// The registry has no such package.
    #[error("package '{name}' is not in the registry")]
    NotFound {
        /// The package.
        name: String,
    },
    /// No published version satisfies the range.
    #[error("no version of {name} matches '{spec}'{}", latest.as_ref().map(|l| format!(" (latest is {l})")).unwrap_or_default())]
    NoMatchingVersion {
        /// The package.
        name: String,
        /// The range or tag asked for.
        spec: String,
        /// The `latest` dist-tag, to help pick a range.
        latest: Option<String>,
    },
    /// A package that cannot work in the sandbox (native code).
    #[error("{name}@{version} is not supported: {reason}")]
    Unsupported {
        /// The package.
        name: String,
        /// Its version.
        version: String,
        /// Why.
        reason: String,
    },
    /// The registry failed (after retries) or answered nonsense.
    #[error("the registry failed for {url}: {message}")]
    Registry {
        /// What was fetched.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A tarball's hash differs from the registry's integrity value.
    #[error(
        "{package}: the tarball does not match its integrity hash (expected {expected}, got {actual})"
    )]
    Integrity {
        /// `name@version`.
        package: String,
        /// The locked or published integrity.
        expected: String,
        /// The downloaded tarball's.
        actual: String,
    },
    /// A tarball with links, `..`, absolute paths, or too much content.
    #[error("{package}: unsafe tarball entry '{entry}': {reason}")]
    UnsafeTarball {
        /// `name@version`.
        package: String,
        /// The offending entry's path.
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The tree has more packages than allowed.
    #[error("more than {0} packages: the dependency tree is too large")]
    TooManyPackages(usize),
    /// The module map would be larger than allowed.
    #[error("the dependencies' files are larger than {0} bytes")]
    TooLarge(usize),
    /// A lockfile that does not parse or has the wrong version.
    #[error("invalid lockfile: {0}")]
    InvalidLockfile(String),
    /// Reading or writing the store failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The failure.
        source: std::io::Error,
    },
}
