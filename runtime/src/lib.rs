//! chatfn's service and command-line tool, as a library.
//!
//! A tour, from the outside in (ARCHITECTURE.md has the whole map):
//!
//! - [`cli`]: `chatfn serve`, `apps`, `invoke`, `check`. It parses flags
//!   into a [`Config`] (validated once) and calls the layers below; the
//!   binary's `main` is one line.
//! - `api`: the HTTP API ([`app`] builds its router). Handlers parse and
//!   check input, call the [`Service`], and turn typed results into
//!   resources; `api/error.rs` maps every error cause to a status.
//! - `service`: the parts wired together, and the blocking run (within its
//!   own slots) that triggers and test runs share.
//! - `queue`: the durable queue of non-blocking runs (dispatcher and batch
//!   writer), over the `JobStore`; it runs jobs through the `invoker`.
//! - `invoker`: the one way a handler runs, for `serve` and `invoke` alike:
//!   image, limits, `context`, host calls, invocation record.
//! - `host` with `fetch`, `platform` and `sockets`: what a guest may do
//!   outside the sandbox; `egress` decides which addresses it may reach.
//! - `store`: applications, runtimes, functions, versions, invocations and
//!   jobs, one trait per resource; its backends (`store/sqlite` for one
//!   node, `store/postgres` for several) are the only places with SQL.
//! - Shared by the above: `invocation` (the typed record, a leaf),
//!   `config`, `error`, `batch` (group commit), `time`, `triggers`,
//!   `metrics`.

mod api;
mod batch;
pub mod cli;
mod config;
mod dependencies;
mod directory;
mod egress;
mod error;
mod fetch;
mod host;
mod ids;
mod images;
mod invocation;
mod invoker;
mod listener;
mod metrics;
mod outbound;
mod platform;
mod queue;
mod secrets;
mod service;
mod slots;
mod sockets;
mod stats;
mod store;
mod tail;
mod time;
mod triggers;

pub use api::app;
pub use config::{Config, ConfigError};
pub use service::Service;
