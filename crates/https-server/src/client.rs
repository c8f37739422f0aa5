//! The other side of the handshake: a TLS client (Node's `tls.connect`),
//! as `inspect`, the demo and the tests use it.
//!
//! A browser does two things at once that we keep apart here: it completes
//! the handshake, and it checks the certificate it was shown. [`inspect`]
//! completes every handshake (checking only the server's signature, which
//! proves it holds the certificate's key), keeps the chain it was shown,
//! and then says whether the chain is trusted and why not. [`connect`] is
//! what a browser does: no trusted chain, no connection.

use std::fmt::Debug;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use common::lang::Lang;
use http::{HeaderMap, Method, Request, StatusCode, Version};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rust_i18n::t;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error, RootCertStore, SignatureScheme,
};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// The CAs a client trusts: the one in `cacert` (a PEM file), or else the
/// system's own trust store (`/etc/ssl/certs` on Debian). A problem is said
/// in `lang`.
pub fn roots(cacert: Option<&Path>, lang: Lang) -> Result<RootCertStore, String> {
    let locale = lang.code();
    let mut roots = RootCertStore::empty();
    match cacert {
        Some(path) => {
            let certs = common::tls::read_certs(path, lang).map_err(|e| e.to_string())?;
            for cert in certs {
                roots.add(cert).map_err(|e| {
                    t!(
                        "roots.not_ca",
                        locale = locale,
                        path = path.display(),
                        error = e
                    )
                })?;
            }
        }
        None => {
            // Certificates the system store holds but rustls cannot use are
            // skipped, as a browser skips them.
            let found = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(t!("roots.empty", locale = locale).into_owned());
            }
        }
    }
    Ok(roots)
}

fn server_name(name: &str) -> Result<ServerName<'static>, io::Error> {
    ServerName::try_from(name.to_owned()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{name} is not a host name"),
        )
    })
}

// ANCHOR: connect
/// `tls.connect({ host, servername: name, ca })`: the handshake, with the
/// certificate checked as a browser checks it. Offers `alpn` (`h2`,
/// `http/1.1`).
pub async fn connect(
    addr: SocketAddr,
    name: &str,
    roots: RootCertStore,
    alpn: &[&[u8]],
) -> io::Result<TlsStream<TcpStream>> {
    let mut config = ClientConfig::builder_with_provider(common::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(addr).await?;
    TlsConnector::from(Arc::new(config))
        .connect(server_name(name)?, tcp)
        .await
}
// ANCHOR_END: connect

/// The rustls error inside a failed [`connect`], if that is why it failed.
pub fn tls_error(error: &io::Error) -> Option<&Error> {
    error.get_ref()?.downcast_ref::<Error>()
}

// ANCHOR: explain
/// Why a certificate was not accepted, in one sentence, in `lang`.
pub fn explain(error: &Error, name: &str, lang: Lang) -> String {
    let locale = lang.code();
    let why = match error {
        Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            t!("explain.unknown_issuer", locale = locale, name = name)
        }
        Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => t!("explain.name_mismatch", locale = locale, name = name),
        Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => t!("explain.expired", locale = locale),
        Error::InvalidCertificate(
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. },
        ) => t!("explain.not_yet", locale = locale),
        other => t!("explain.other", locale = locale, error = other),
    };
    why.into_owned()
}
// ANCHOR_END: explain

/// What [`inspect`] saw.
#[derive(Debug)]
pub struct Inspection {
    pub version: String,
    pub cipher_suite: String,
    pub key_exchange: Option<String>,
    pub alpn: Option<String>,
    /// The chain the server sent, its own certificate first.
    pub chain: Vec<CertificateDer<'static>>,
    /// `Ok` if the chain is trusted for `name`, else why not.
    pub verdict: Result<(), String>,
}

// ANCHOR: inspect
/// Connects to `addr` asking for `name`, completes the handshake whatever
/// the certificate, and then checks the chain it was shown against `roots`
/// (the verdict said in `lang`).
pub async fn inspect(
    addr: SocketAddr,
    name: &str,
    roots: RootCertStore,
    lang: Lang,
) -> io::Result<Inspection> {
    let provider = common::tls::provider();
    let recorder = Arc::new(Recorder {
        chain: Mutex::new(Vec::new()),
        provider: Arc::clone(&provider),
    });
    let mut config = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let tcp = TcpStream::connect(addr).await?;
    let name_for_tls = server_name(name)?;
    let tls = TlsConnector::from(Arc::new(config))
        .connect(name_for_tls.clone(), tcp)
        .await?;
    let (_, session) = tls.get_ref();
    let chain = recorder
        .chain
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    // Now the check a browser would have made, as a separate step.
    let verdict = match chain.split_first() {
        None => Err("the server sent no certificate".into()),
        Some((leaf, intermediates)) => {
            match WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build() {
                Err(error) => Err(format!("no CA to check against: {error}")),
                Ok(verifier) => verifier
                    .verify_server_cert(leaf, intermediates, &name_for_tls, &[], UnixTime::now())
                    .map(drop)
                    .map_err(|error| explain(&error, name, lang)),
            }
        }
    };
    Ok(Inspection {
        version: session
            .protocol_version()
            .map_or_else(|| "?".into(), |v| format!("{v:?}")),
        cipher_suite: session
            .negotiated_cipher_suite()
            .map_or_else(|| "?".into(), |s| format!("{:?}", s.suite())),
        key_exchange: session
            .negotiated_key_exchange_group()
            .map(|g| format!("{:?}", g.name())),
        alpn: session
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        chain,
        verdict,
    })
}
// ANCHOR_END: inspect

/// A certificate "verifier" that accepts any chain and keeps it, but still
/// checks the handshake's signature (so the server did prove it holds the
/// key of the certificate it sent). For looking, never for trusting.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        *self.chain.lock().unwrap_or_else(PoisonError::into_inner) = chain;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// An answer, as the tests and the demo look at it.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// `GET path` over an established TLS connection, in HTTP/2 if ALPN chose
/// it, else in HTTP/1.1. `authority` is the `host:port` asked for.
pub async fn get(tls: TlsStream<TcpStream>, authority: &str, path: &str) -> io::Result<Answer> {
    request(tls, Method::GET, authority, path).await
}

/// As [`get`], with another method (`HEAD`, say).
pub async fn request(
    tls: TlsStream<TcpStream>,
    method: Method,
    authority: &str,
    path: &str,
) -> io::Result<Answer> {
    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
    let io = TokioIo::new(tls);
    let response = if h2 {
        let (mut sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                .await
                .map_err(io::Error::other)?;
        tokio::spawn(connection);
        // HTTP/2 carries the scheme and authority in the request itself.
        let request = Request::builder()
            .method(method)
            .uri(format!("https://{authority}{path}"))
            .body(Empty::<Bytes>::new())
            .map_err(io::Error::other)?;
        sender.send_request(request).await
    } else {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(io::Error::other)?;
        tokio::spawn(connection);
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, authority)
            .body(Empty::<Bytes>::new())
            .map_err(io::Error::other)?;
        sender.send_request(request).await
    };
    let response = response.map_err(io::Error::other)?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(io::Error::other)?.to_bytes();
    Ok(Answer {
        status: parts.status,
        version: parts.version,
        headers: parts.headers,
        body,
    })
}
