//! A PostgreSQL URL: the client's settings plus libpq's TLS modes, which
//! the client does not all know.
//!
//! As in libpq, `prefer` (the default) and `require` encrypt without
//! checking the server's certificate (Debian's clusters, for one, serve a
//! self-signed one), unless `sslrootcert` names the CA to check it
//! against; `verify-ca` and `verify-full` check it against `sslrootcert` or
//! the system's roots, and the host name too (rustls has no CA-only check,
//! so `verify-ca` is as strict as `verify-full`).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio_postgres::config::{Host, SslMode};

use crate::store::DatabaseError;

/// How the server's certificate is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verify {
    /// Encrypt only (libpq's `prefer` and `require`).
    None,
    /// Check the chain and the host name.
    Full,
}

/// Where a PostgreSQL database is and how to reach it.
#[derive(Clone)]
pub(crate) struct PostgresTarget {
    pub(in crate::store) config: tokio_postgres::Config,
    verify: Verify,
    root_cert: Option<PathBuf>,
}

impl fmt::Debug for PostgresTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl PostgresTarget {
    pub(crate) fn parse(url: &str) -> Result<PostgresTarget, DatabaseError> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        let mut mode = "prefer";
        let mut root_cert = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("sslmode", value)) => mode = value,
                Some(("sslrootcert", value)) => root_cert = Some(PathBuf::from(value)),
                _ => kept.push(pair),
            }
        }
        let (ssl_mode, verify) = match mode {
            "disable" => (SslMode::Disable, Verify::None),
            "prefer" | "require" if root_cert.is_some() => (SslMode::Require, Verify::Full),
            "prefer" => (SslMode::Prefer, Verify::None),
            "require" => (SslMode::Require, Verify::None),
            "verify-ca" | "verify-full" => (SslMode::Require, Verify::Full),
            other => {
                return Err(DatabaseError(format!(
                    "sslmode={other}: expected disable, prefer, require, verify-ca or verify-full"
                )));
            }
        };
        let client_url = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config = tokio_postgres::Config::from_str(&client_url)
            .map_err(|e| DatabaseError(e.to_string()))?;
        config.ssl_mode(ssl_mode);
        if config.get_application_name().is_none() {
            config.application_name("chatfn");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        // A database host that vanishes (no reset, no answer) shows as a
        // dead connection within about 10 s rather than the client's two
        // hours, unless the URL says otherwise.
        if config.get_keepalives_idle() == std::time::Duration::from_secs(2 * 60 * 60) {
            config
                .keepalives_idle(std::time::Duration::from_secs(4))
                .keepalives_interval(std::time::Duration::from_secs(2))
                .keepalives_retries(3);
        }
        Ok(PostgresTarget {
            config,
            verify,
            root_cert,
        })
    }

    /// The TLS connector for this target's mode.
    pub(in crate::store) fn tls(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let config = match (self.verify, &self.root_cert) {
            (Verify::None, _) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
                .with_no_client_auth(),
            (Verify::Full, Some(path)) => {
                let mut roots = rustls::RootCertStore::empty();
                for cert in CertificateDer::pem_file_iter(path)
                    .map_err(|e| format!("reading sslrootcert {}: {e}", path.display()))?
                {
                    let cert =
                        cert.map_err(|e| format!("reading sslrootcert {}: {e}", path.display()))?;
                    roots.add(cert).map_err(|e| {
                        format!("a certificate in sslrootcert {}: {e}", path.display())
                    })?;
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            (Verify::Full, None) => crate::outbound::tls_config(),
        };
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }
}

/// `postgres://user@host:port/database`, for logs: never the password.
impl fmt::Display for PostgresTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        write!(f, "postgres://")?;
        if let Some(user) = c.get_user() {
            write!(f, "{user}@")?;
        }
        for (n, host) in c.get_hosts().iter().enumerate() {
            if n > 0 {
                write!(f, ",")?;
            }
            match host {
                Host::Tcp(name) => write!(f, "{name}")?,
                Host::Unix(path) => write!(f, "[{}]", path.display())?,
            }
            if let Some(port) = c.get_ports().get(n).or(c.get_ports().first()) {
                write!(f, ":{port}")?;
            }
        }
        write!(f, "/{}", c.get_dbname().unwrap_or(""))
    }
}

/// libpq's `sslmode=require`: the session is encrypted and its handshake
/// signed by the certificate's key, but whose certificate it is goes
/// unchecked.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl EncryptOnly {
    fn algorithms(&self) -> &WebPkiSupportedAlgorithms {
        &self.0.signature_verification_algorithms
    }
}

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, self.algorithms())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, self.algorithms())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms().supported_schemes()
    }
}
