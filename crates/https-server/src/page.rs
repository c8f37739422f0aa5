//! `GET /`: a page that shows the student their own connection: what the
//! TLS handshake agreed on, and the certificate chain the server sent.
//! `GET /connection.json` is the same, for scripts and tests.

use std::net::IpAddr;

use common::lang::Lang;
use http::header::{CONTENT_TYPE, ETAG, HeaderValue};
use http::{Response, StatusCode, Version};
use rustls::ServerConnection;
use rustls_pki_types::CertificateDer;
use serde_json::{Value, json};
use x509_parser::time::ASN1Time;

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
    /// The validity dates as the certificate says them (UTC), for
    /// `/connection.json`: the same in every language.
    pub not_before: String,
    pub not_after: String,
    /// The same dates as a person reads them in the page's language
    /// ([`Certificate::dates`]).
    pub validity: Option<(ASN1Time, ASN1Time)>,
}

impl Certificate {
    /// Reads `der`; an unreadable certificate is shown as such (why, in
    /// `lang`).
    pub fn of(der: &CertificateDer<'_>, lang: Lang) -> Self {
        match common::tls::parse(der, lang) {
            Ok(cert) => Self {
                subject: cert.subject().to_string(),
                issuer: cert.issuer().to_string(),
                names: common::tls::subject_alt_names(&cert).into_iter().collect(),
                not_before: cert.validity().not_before.to_string(),
                not_after: cert.validity().not_after.to_string(),
                validity: Some((cert.validity().not_before, cert.validity().not_after)),
            },
            Err(error) => Self {
                subject: format!("(unreadable: {error})"),
                issuer: String::new(),
                names: Vec::new(),
                not_before: String::new(),
                not_after: String::new(),
                validity: None,
            },
        }
    }

    /// When it becomes valid and when it expires, in `lang` (UTC, as
    /// certificates say): `2026-11-26 08:05:03 UTC`, `2026年11月26日 08:05:03（UTC）`.
    pub fn dates(&self, lang: Lang) -> (String, String) {
        match self.validity {
            Some((from, until)) => (date(from, lang), date(until, lang)),
            None => (self.not_before.clone(), self.not_after.clone()),
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
    /// What rustls knows about `tls` after the handshake (a certificate
    /// that cannot be read says why in `lang`).
    pub fn of(tls: &ServerConnection, chain: &[CertificateDer<'_>], lang: Lang) -> Self {
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
            chain: chain.iter().map(|der| Certificate::of(der, lang)).collect(),
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

/// `GET /`: the same, as a page in `lang` (the names of things; the values
/// are protocol names, the same in every language), with an `ETag` for
/// this page in this language.
pub fn html(connection: &Connection, http: Version, lang: Lang) -> Response<Body> {
    let locale = lang.code();
    let text = |key: &str| {
        crate::_rust_i18n_try_translate(locale, key)
            .map_or_else(|| key.to_owned(), |t| t.into_owned())
    };
    let or = |value: &Option<String>, key: &str| value.clone().unwrap_or_else(|| text(key));
    let mut rows = vec![
        row(&text("page.http_version"), &format!("{http:?}")),
        row(&text("page.tls_version"), &connection.version),
        row(&text("page.cipher_suite"), &connection.cipher_suite),
        row(
            &text("page.key_exchange"),
            &or(&connection.key_exchange, "page.not_known"),
        ),
        row(
            &text("page.alpn"),
            &or(&connection.alpn, "page.none_offered"),
        ),
        row(&text("page.sni"), &or(&connection.sni, "page.no_sni")),
    ];
    for (i, cert) in connection.chain.iter().enumerate() {
        let which = text(if i == 0 { "page.ours" } else { "page.next" });
        rows.push(format!(
            "<tr><th colspan=\"2\">{}</th></tr>",
            escape(&which)
        ));
        rows.push(row(&text("page.subject"), &cert.subject));
        rows.push(row(&text("page.issuer"), &cert.issuer));
        rows.push(row(&text("page.names"), &lang.list(&cert.names)));
        let (from, until) = cert.dates(lang);
        rows.push(row(&text("page.not_before"), &from));
        rows.push(row(&text("page.not_after"), &until));
    }
    // The switch to the other language: `?lang=` here, then a cookie.
    let other = if lang == Lang::En { "zh-CN" } else { "en" };
    let page = format!(
        "<!doctype html>\n<html lang=\"{locale}\"><head><meta charset=\"utf-8\">\
         <title>{title}</title>\
         <style>body{{font-family:sans-serif;margin:2em}}th{{text-align:left;padding-right:1em}}\
         td,th{{border-bottom:1px solid #ddd;padding:.3em}}</style></head><body>\n\
         <p><a id=\"lang-switch\" href=\"?lang={other}\">{switch}</a></p>\n\
         <h1>{title}</h1>\n<p>{intro}</p>\n<table>\n{rows}\n</table>\n</body></html>\n",
        title = escape(&text("page.title")),
        switch = escape(&text("page.switch")),
        intro = escape(&text("page.intro")),
        rows = rows.join("\n")
    );
    let etag = crate::language::etag(lang, page.as_bytes());
    let mut response = with_type(StatusCode::OK, "text/html; charset=utf-8", page);
    response.headers_mut().insert(ETAG, etag);
    response
}

/// The addresses in `addresses` that the certificate `der` does not name
/// (a browser opening `https://ADDRESS/` would refuse it).
pub fn not_named(der: &CertificateDer<'_>, addresses: &[IpAddr], lang: Lang) -> Vec<IpAddr> {
    let Ok(cert) = common::tls::parse(der, lang) else {
        return Vec::new();
    };
    let names = common::tls::subject_alt_names(&cert);
    addresses
        .iter()
        .filter(|ip| !names.contains(&ip.to_string()))
        .copied()
        .collect()
}

/// One sentence for the teacher when the students' addresses are not in
/// the certificate: which, and the `--san` flags that add them.
pub fn san_warning(missing: &[IpAddr], lang: Lang) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let list: Vec<String> = missing.iter().map(ToString::to_string).collect();
    let flags: Vec<String> = list.iter().map(|ip| format!("--san {ip}")).collect();
    Some(
        rust_i18n::t!(
            "log.san_missing",
            locale = lang.code(),
            list = lang.list(&list),
            flags = flags.join(" ")
        )
        .into_owned(),
    )
}

/// A certificate's date in `lang`, in UTC.
fn date(time: ASN1Time, lang: Lang) -> String {
    let at = time.to_datetime();
    let (year, month, day) = (at.year(), u8::from(at.month()), at.day());
    let clock = format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second());
    match lang {
        Lang::ZhCn => format!("{year}年{month}月{day}日 {clock}（UTC）"),
        Lang::En => format!("{year}-{month:02}-{day:02} {clock} UTC"),
    }
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
