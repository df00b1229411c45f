//! What every outbound HTTP client of the service shares: rustls on ring
//! with the system's CA roots (egress may go through a TLS-intercepting
//! proxy whose CA only the system store has), and error descriptions.

use std::sync::{Arc, OnceLock};

/// The TLS configuration, loaded once (reading the system store takes a
/// few milliseconds).
pub(crate) fn tls_config() -> rustls::ClientConfig {
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

/// The error and its causes, e.g. "client error (Connect): tcp connect
/// error: Connection refused".
pub(crate) fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
