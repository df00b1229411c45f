//! Why the service could not do what was asked. A run that happened and
//! failed is not an error: it is an [`Invocation`](crate::invocation::Invocation)
//! with status FAILED. Causes stay typed up to the API, which maps them to
//! statuses in one table (`api/error.rs`).

use crate::batch::Stopped;
use crate::store::StoreError;

/// `Result` with the service's [`Error`].
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// Reading or writing the database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Every slot for blocking runs stayed busy for the whole wait.
    #[error("every invocation slot is busy")]
    Saturated,
    /// The application's own runs of this kind took its whole cap for the
    /// whole wait.
    #[error("this application already has {cap} {runs} running")]
    AppAtCap { runs: &'static str, cap: usize },
    /// The sandbox could not start the run (e.g. its instance pool is full).
    #[error(transparent)]
    Sandbox(#[from] sandbox::Error),
    /// A dependency list could not be resolved or installed.
    #[error(transparent)]
    Dependencies(#[from] npm_resolver::Error),
    /// A background writer has stopped.
    #[error(transparent)]
    Stopped(#[from] Stopped),
}
