//! What every outbound client of the service shares: the registry client's
//! TLS setup (system CA roots, read once), error descriptions, and Node's
//! names for network failures.

pub(crate) use npm_resolver::net::{
    CappedError, PoolSettings, describe, https_client, read_capped, tls_config,
};

/// Node's error code for a connection or request that failed without a
/// response (`ECONNREFUSED`, `ENOTFOUND`, …), so that the guest's `http`
/// and `net` modules, and the SDKs above them, classify the failure as
/// they do on Node.
pub(crate) fn node_error_code(error: &(dyn std::error::Error + 'static)) -> &'static str {
    use std::io::ErrorKind;
    let mut source = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(lookup) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<crate::egress::LookupError>())
            {
                return lookup.code;
            }
            match io.kind() {
                ErrorKind::ConnectionRefused => return "ECONNREFUSED",
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof => return "ECONNRESET",
                ErrorKind::TimedOut => return "ETIMEDOUT",
                // The resolver reports a name that does not resolve so.
                ErrorKind::NotFound => return "ENOTFOUND",
                // The egress policy refused every address (crate::egress).
                ErrorKind::PermissionDenied => return "ERR_EGRESS_DENIED",
                ErrorKind::HostUnreachable => return "EHOSTUNREACH",
                ErrorKind::NetworkUnreachable => return "ENETUNREACH",
                _ => {}
            }
        }
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return match tls {
                rustls::Error::InvalidCertificate(rustls::CertificateError::Expired) => {
                    "CERT_HAS_EXPIRED"
                }
                rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName) => {
                    "ERR_TLS_CERT_ALTNAME_INVALID"
                }
                rustls::Error::InvalidCertificate(_) => "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                _ => "EPROTO",
            };
        }
        if let Some(hyper) = e.downcast_ref::<hyper::Error>()
            && hyper.is_incomplete_message()
        {
            // The server closed the connection before answering: Node's
            // "socket hang up".
            return "ECONNRESET";
        }
        source = e.source();
    }
    "ERR_NETWORK"
}
