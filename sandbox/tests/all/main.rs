//! Integration tests of the sandbox: real guest, real engine.

mod support;

mod basics;
mod host_calls;
mod images;
mod isolation;
mod limits;
mod prelude;
