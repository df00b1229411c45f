//! Integration tests of the sandbox: real guest, real engine.

mod support;

mod basics;
mod compiled;
mod host_calls;
mod images;
mod intl;
mod isolation;
mod limits;
mod node;
mod pool;
mod prelude;
mod reuse;
