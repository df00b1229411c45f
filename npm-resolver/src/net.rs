//! The outbound HTTPS setup: rustls on ring with the system's CA roots
//! (egress may go through a TLS-intercepting proxy whose CA only the
//! system store has). Public so that a service's other outbound clients
//! trust exactly what the registry client trusts, and the system store is
//! read once per process.

use std::sync::{Arc, OnceLock};

/// The TLS client configuration, loaded once (reading the system store
/// takes a few milliseconds). Logs a warning when the store has no usable
/// certificate: HTTPS then fails, plain HTTP still works.
pub fn tls_config() -> rustls::ClientConfig {
    static CONFIG: OnceLock<rustls::ClientConfig> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            let loaded = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
            if added == 0 {
                tracing::warn!(
                    errors = loaded.errors.len(),
                    "no system CA certificates found: outbound HTTPS will fail"
                );
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports rustls's default protocol versions")
                .with_root_certificates(roots)
                .with_no_client_auth()
        })
        .clone()
}

/// An error and its causes on one line, e.g. "client error (Connect): tcp
/// connect error: Connection refused" (hyper's own message stops at the
/// first).
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
