//! End-to-end tests: the `chatfn` binary driven from outside, as a user
//! (or a CI script) would run it.

mod check;
mod invoke;
mod server;
mod service;
mod support;
