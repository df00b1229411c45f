//! End-to-end tests: the `chatfn` binary driven from outside, as a user
//! (or a CI script) would run it.

mod chat_server;
mod check;
mod cli;
mod conformance;
mod connections;
mod dashboard;
mod deploys;
mod invoke;
mod keys;
mod metrics;
mod nodes;
mod npm;
mod platform;
mod queue;
#[path = "../../npm-resolver/tests/support/registry.rs"]
mod registry;
mod reuse;
mod sdks;
mod secrets;
mod server;
mod service;
mod sockets;
mod stats;
mod support;
mod tail;
