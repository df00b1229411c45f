//! `chatfn`: the chat functions runtime's command-line tool.
//!
//! Exit codes: 0 when everything succeeded, 1 when an invocation (or image
//! build) failed, 2 for usage errors.

mod api;
mod cli;
mod egress;
mod fetch;
mod host;
mod metrics;
mod outbound;
mod platform;
mod service;
mod sockets;
mod store;
mod time;
mod triggers;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
