//! Chapter 5, 构建 HTTPS 服务 (a placeholder in the seed, 占位): HTTP over
//! TLS, with rustls.
//!
//! HTTPS is HTTP inside TLS, and TLS wraps any TCP stream: the handler an
//! HTTP server runs (chapter 4) becomes an HTTPS server's once the accepted
//! stream is wrapped. Node's `https.createServer({ key, cert }, handler)`
//! takes the very handler `http.createServer` took.
//!
//! Read it in this order:
//!
//! 1. `examples/https-hello.rs`: Hello World over HTTPS, with a certificate made
//!    in memory (`cargo run -p https-server --example https-hello`);
//! 2. [`server`]: the accept loop with the TLS handshake in it, HTTP/2 and
//!    HTTP/1.1 on one port (ALPN), HSTS, and what the port does with
//!    clients that do not speak TLS;
//! 3. [`page`]: `GET /` shows you your own connection, in your browser's
//!    language ([`language`]);
//! 4. [`redirect`]: plain HTTP sent on to HTTPS;
//! 5. [`client`]: the other side, as `inspect` uses it: the chain a
//!    server shows, and whether (and why not) it is trusted;
//! 6. [`demo`], which narrates all of it.
//!
//! The certificates (a local certificate authority made on first run, or
//! your own files) are plumbing shared with `http-static --tls` and
//! `ws-chat --tls`: `common::tls`.
//!
//! Run it (`just ch5-https`, or `cargo run -p https-server -- serve`), then:
//!
//! ```text
//! $ curl --cacert certs/ca.pem https://localhost:8443/connection.json
//! {"alpn":"h2","cipher_suite":"TLS13_AES_256_GCM_SHA384",…}
//! $ cargo run -p https-server -- inspect --cacert certs/ca.pem localhost:8443
//! ```

pub mod client;
pub mod demo;
/// Which language each answer is in: shared by the three web lessons, in
/// `common::web` (`?lang=`, the cookie, `Accept-Language`, `Vary`, an ETag
/// per language).
pub use common::web as language;
pub mod page;
pub mod redirect;
pub mod server;

pub use server::{Config, Server};

// Every text a student reads, in English and Chinese: `locales/app.yml`,
// looked up with `t!("key", locale = lang.code())`.
rust_i18n::i18n!("locales", fallback = "en");

/// The `--help` text `key` in `lang` (for `common::lang::parse`).
pub fn help_text(lang: common::lang::Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}

/// A text of this crate in `lang` with its `%{name}`s filled in from
/// `values` (for `main`, which is another crate than the texts').
pub fn text(lang: common::lang::Lang, key: &str, values: &[(&str, &str)]) -> String {
    let mut text = _rust_i18n_try_translate(lang.code(), key)
        .map_or_else(|| key.to_owned(), |text| text.into_owned());
    for (name, value) in values {
        text = text.replace(&format!("%{{{name}}}"), value);
    }
    text
}
