//! HTTPS spoken by hand, for the tests of the lessons' `--tls`: a client
//! that trusts one CA (the local one a lesson made), then the same raw
//! bytes as [`crate::http`], inside TLS.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::STEP;
use crate::http::Reply;

/// A TLS connection to `addr` for the name `localhost`, trusting only the
/// CA in the PEM file `ca`, offering `alpn`.
pub async fn connect(addr: SocketAddr, ca: &Path, alpn: &[&[u8]]) -> TlsStream<TcpStream> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    tokio::time::timeout(
        STEP,
        TlsConnector::from(Arc::new(config)).connect(name, tcp),
    )
    .await
    .expect("the TLS handshake in time")
    .expect("a trusted TLS handshake")
}

/// Sends `raw` over a fresh TLS connection and reads until the server
/// closes it (send `Connection: close`).
pub async fn exchange(addr: SocketAddr, ca: &Path, raw: &[u8]) -> Reply {
    let mut tls = connect(addr, ca, &[b"http/1.1"]).await;
    tls.write_all(raw).await.unwrap();
    let mut answer = Vec::new();
    // A server that closes without TLS's close_notify is an error to
    // rustls; what arrived before it is the answer all the same.
    let _ = tokio::time::timeout(STEP * 3, tls.read_to_end(&mut answer))
        .await
        .expect("the server answered and closed in time");
    Reply::parse(&answer)
}
