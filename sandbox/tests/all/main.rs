//! Integration tests of the sandbox: real guest, real engine.

mod support;

mod basics;
