//! `GET /`: a page that shows the student their own connection: what the
//! TLS handshake agreed on, and the certificate chain the server sent.
//! `GET /connection.json` is the same, for scripts and tests.

use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode, Version};
use rustls::ServerConnection;
use rustls_pki_types::CertificateDer;
use serde_json::{Value, json};

use crate::server::Body;

/// What one connection's handshake agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// `TLSv1_3` or `TLSv1_2`.
    pub version: String,
    /// The cipher suite: the key exchange, cipher and hash they chose.
    pub cipher_suite: String,
    /// The group the keys were agreed over (`X25519`, `secp256r1`).
    pub key_exchange: Option<String>,
    /// The protocol chosen by ALPN: `h2` or `http/1.1` (none if the client
    /// offered none).
    pub alpn: Option<String>,
    /// The name the client asked for (SNI); none when it connected to an
    /// address rather than a name.
    pub sni: Option<String>,
    /// The certificates we sent, ours first.
    pub chain: Vec<Certificate>,
}

/// One certificate, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub subject: String,
    pub issuer: String,
    pub names: Vec<String>,
    pub not_before: String,
    pub not_after: String,
}

impl Certificate {
    /// Reads `der`; an unreadable certificate is shown as such.
    pub fn of(der: &CertificateDer<'_>) -> Self {
        match common::tls::parse(der) {
            Ok(cert) => Self {
                subject: cert.subject().to_string(),
                issuer: cert.issuer().to_string(),
                names: common::tls::subject_alt_names(&cert).into_iter().collect(),
                not_before: cert.validity().not_before.to_string(),
                not_after: cert.validity().not_after.to_string(),
            },
            Err(error) => Self {
                subject: format!("(unreadable: {error})"),
                issuer: String::new(),
                names: Vec::new(),
                not_before: String::new(),
                not_after: String::new(),
            },
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "subject": self.subject,
            "issuer": self.issuer,
            "names": self.names,
            "not_before": self.not_before,
            "not_after": self.not_after,
        })
    }
}

impl Connection {
    // ANCHOR: connection_of
    /// What rustls knows about `tls` after the handshake.
    pub fn of(tls: &ServerConnection, chain: &[CertificateDer<'_>]) -> Self {
        Self {
            version: tls
                .protocol_version()
                .map_or_else(|| "?".into(), |v| format!("{v:?}")),
            cipher_suite: tls
                .negotiated_cipher_suite()
                .map_or_else(|| "?".into(), |s| format!("{:?}", s.suite())),
            key_exchange: tls
                .negotiated_key_exchange_group()
                .map(|group| format!("{:?}", group.name())),
            alpn: tls
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            sni: tls.server_name().map(str::to_owned),
            chain: chain.iter().map(Certificate::of).collect(),
        }
    }
    // ANCHOR_END: connection_of

    fn to_json(&self, http: Version) -> Value {
        json!({
            "tls_version": self.version,
            "cipher_suite": self.cipher_suite,
            "key_exchange": self.key_exchange,
            "alpn": self.alpn,
            "sni": self.sni,
            "http_version": format!("{http:?}"),
            "chain": self.chain.iter().map(Certificate::to_json).collect::<Vec<_>>(),
        })
    }
}

/// `GET /connection.json`
pub fn json(connection: &Connection, http: Version) -> Response<Body> {
    let body = connection.to_json(http).to_string();
    with_type(StatusCode::OK, "application/json", body)
}

/// `GET /`: the same, as a page.
pub fn html(connection: &Connection, http: Version) -> Response<Body> {
    let mut rows = vec![
        row("HTTP version", &format!("{http:?}")),
        row("TLS version", &connection.version),
        row("cipher suite", &connection.cipher_suite),
        row(
            "key exchange group",
            connection.key_exchange.as_deref().unwrap_or("(not known)"),
        ),
        row(
            "protocol chosen by ALPN",
            connection.alpn.as_deref().unwrap_or("(none offered)"),
        ),
        row(
            "name asked for (SNI)",
            connection
                .sni
                .as_deref()
                .unwrap_or("(none: you asked for an address)"),
        ),
    ];
    for (i, cert) in connection.chain.iter().enumerate() {
        let which = if i == 0 {
            "our certificate"
        } else {
            "next in the chain"
        };
        rows.push(format!("<tr><th colspan=\"2\">{which}</th></tr>"));
        rows.push(row("subject", &cert.subject));
        rows.push(row("issued by", &cert.issuer));
        rows.push(row("for the names", &cert.names.join(", ")));
        rows.push(row("valid from", &cert.not_before));
        rows.push(row("valid until", &cert.not_after));
    }
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Your HTTPS connection</title>\
         <style>body{{font-family:sans-serif;margin:2em}}th{{text-align:left;padding-right:1em}}\
         td,th{{border-bottom:1px solid #ddd;padding:.3em}}</style></head><body>\n\
         <h1>Your HTTPS connection</h1>\n\
         <p>This page came to you encrypted. Here is what your browser and this server \
         agreed on in the TLS handshake, and the certificate the server showed.</p>\n\
         <table>\n{}\n</table>\n</body></html>\n",
        rows.join("\n")
    );
    with_type(StatusCode::OK, "text/html; charset=utf-8", page)
}

fn row(name: &str, value: &str) -> String {
    format!(
        "<tr><th>{}</th><td>{}</td></tr>",
        escape(name),
        escape(value)
    )
}

/// `<` and `&` written so that a certificate's text cannot become markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn with_type(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    let mut response = Response::new(Body::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
