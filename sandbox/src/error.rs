//! The sandbox's error type. Invocation failures are not errors of this
//! type: they are [`Outcome`](crate::Outcome)s. These are failures to set up.

use crate::{GuestError, LogEntry};

/// `Result` with the sandbox's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an engine could not be created or an image could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The [`SandboxConfig`](crate::SandboxConfig) is unusable.
    #[error("invalid sandbox configuration: {message}")]
    InvalidConfig {
        /// What is wrong.
        message: String,
    },
    /// The [`Limits`](crate::Limits) are unusable with this engine.
    #[error("invalid limits: {message}")]
    InvalidLimits {
        /// What is wrong.
        message: String,
    },
    /// The init script or handler does not compile.
    #[error("{0}")]
    Compile(#[from] compiler::CompileError),
    /// The init script or handler threw (or failed to parse) while the image
    /// was being built.
    #[error("initialization failed: {error}")]
    Init {
        /// The error the guest reported, with its position.
        error: Box<GuestError>,
        /// Console output of the init script and handler up to the error.
        logs: Vec<LogEntry>,
    },
    /// The init script used up its time or memory budget at build time.
    #[error("initialization failed: {message}")]
    InitLimit {
        /// Which budget, and its size.
        message: String,
    },
    /// wasmtime failed (compiling, instantiating, snapshotting).
    #[error("{context}: {message}")]
    Engine {
        /// What was being done.
        context: &'static str,
        /// The engine's error, with its causes.
        message: String,
    },
    /// Every pooled instance slot is in use; try again later.
    #[error("all {max_instances} instance slots are in use")]
    PoolExhausted {
        /// The pool's size.
        max_instances: u32,
    },
}

impl Error {
    pub(crate) fn engine(context: &'static str) -> impl FnOnce(wasmtime::Error) -> Error {
        move |source| Error::Engine {
            context,
            message: format!("{source:#}"),
        }
    }
}
