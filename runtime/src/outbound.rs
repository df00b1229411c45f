//! What every outbound HTTP client of the service shares: the registry
//! client's TLS setup (system CA roots, read once) and error descriptions.

pub(crate) use npm_resolver::net::{describe, tls_config};
