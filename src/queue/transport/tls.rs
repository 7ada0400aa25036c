//! TLS to Redis (rustls, TLS 1.2/1.3): the settings (CA, client certificate and key files) and
//! the handshake over an open TCP stream. Not the TCP connect (`tcp`) nor when TLS is chosen
//! (`config`: `rediss://`, scheme `tls`).
#![forbid(unsafe_code)]

use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use super::super::error::{ErrorKind, QueueError};

/// TLS to Redis. The server is verified against `ca_file` (else the system bundle,
/// /etc/ssl/certs/ca-certificates.crt) for the host name or IP connected to; a client
/// certificate is presented when both `cert_file` and `key_file` are given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tls {
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

/// The system CA bundle on Debian, used when no CA file is given.
const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// A TLS session over `tcp`, handshake completed (so a bad certificate fails here, as a
/// connect error, not on the first command).
pub fn tls_stream(
    tls: &Tls,
    host: &str,
    mut tcp: TcpStream,
    timeout: Option<Duration>,
) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>, QueueError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    let failed = |what: String| QueueError::new(ErrorKind::Tls, what);
    let ca = tls.ca_file.clone().unwrap_or_else(|| PathBuf::from(SYSTEM_CA_BUNDLE));
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(&ca)
        .map_err(|e| failed(format!("cannot read the TLS CA file {}: {e}", ca.display())))?;
    for cert in certs {
        let cert = cert.map_err(|e| failed(format!("the TLS CA file {} is not PEM: {e}", ca.display())))?;
        roots.add(cert).map_err(|e| failed(format!("a certificate in {} is unusable: {e}", ca.display())))?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots);
    let config = match (&tls.cert_file, &tls.key_file) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| failed(format!("cannot read the TLS client certificate {}: {e}", cert.display())))?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| failed(format!("cannot read the TLS client key {}: {e}", key.display())))?;
            builder.with_client_auth_cert(chain, key).map_err(|e| failed(format!("the TLS client certificate is unusable: {e}")))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => return Err(QueueError::config("a TLS client certificate needs both tls_cert and tls_key")),
    };
    let name = ServerName::try_from(host.to_owned()).map_err(|e| failed(format!("{host} is not a TLS server name: {e}")))?;
    let mut session = rustls::ClientConnection::new(std::sync::Arc::new(config), name)
        .map_err(|e| failed(format!("TLS setup failed: {e}")))?;
    // The handshake is bounded like a connect.
    let _ = tcp.set_read_timeout(timeout);
    let _ = tcp.set_write_timeout(timeout);
    let _ = tcp.set_nodelay(true);
    while session.is_handshaking() {
        session
            .complete_io(&mut tcp)
            .map_err(|e| failed(format!("TLS handshake with {host} failed: {e}")))?;
    }
    Ok(rustls::StreamOwned::new(session, tcp))
}
