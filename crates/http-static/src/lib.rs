//! Chapter 4, 构建 HTTP 服务: HTTP on hyper, from the seed's Hello World to a
//! static file server that is safe to point at a directory and fast.
//!
//! The seed builds its server in steps, each a `cargo run --example` here,
//! to read first: `hello` (Hello World in text/plain), `routes` (`/`, `/a`,
//! `/b`, else 404) and `html` (index.html read from disk). Its last step serves
//! `/assets/...` with `fs.readFile(`.${url}`)`: any file the URL names,
//! `../` included, read whole into memory. This crate's server is that step
//! done properly:
//!
//! - only files under `--root`: [`path`] decodes the URL once, refuses `..`,
//!   dotfiles, NUL and backslashes, and follows symlinks only to files that
//!   stay under the root;
//! - `Content-Type` from the extension, `ETag`/`Last-Modified` and 304s,
//!   `Range` requests (206, 416), HEAD, 405 for other methods;
//! - small files from memory ([`cache`]), big ones streamed in chunks;
//! - one access-log line per request; Ctrl-C lets downloads finish;
//! - its own answers (404, 403, 405, the `--list` page) in the visitor's
//!   language ([`language`]: `?lang=`, a cookie, `Accept-Language`, else
//!   `--lang`), with `Vary` and an `ETag` per language; files as they are.
//!
//! Then read [`server`] (the serve loop: `http.createServer`), [`site`] (one
//! request in, one response out), and the modules it calls: [`path`],
//! [`cache`], [`range`], [`listing`]; [`access_log`] and [`respond`] are
//! small helpers.
//!
//! Run it (`just ch4-static`, or `cargo run -p http-static`), open
//! <http://127.0.0.1:3000/> in a browser, or in a second terminal:
//!
//! ```text
//! $ curl -i http://127.0.0.1:3000/css/main.css
//! HTTP/1.1 200 OK
//! content-type: text/css; charset=utf-8
//! content-length: …
//! etag: "…"
//! $ curl -i --path-as-is http://127.0.0.1:3000/../Cargo.toml
//! HTTP/1.1 403 Forbidden
//! ```
//!
//! `cargo run -p http-static -- demo` runs the server and a client in one
//! process and narrates 200, 304, 206, 404, 403 and 405.

pub mod access_log;
pub mod cache;
pub mod demo;
/// Which language each answer is in: shared by the three web lessons, in
/// `common::web` (`?lang=`, the cookie, `Accept-Language`, `Vary`, an ETag
/// per language).
pub use common::web as language;
pub mod listing;
pub mod path;
pub mod range;
pub mod respond;
pub mod server;
pub mod site;

pub use server::{Config, Server};
pub use site::Site;

// Every text the server itself says, in English and Chinese:
// `locales/app.yml`, looked up with `t!("key", locale = lang.code())`.
rust_i18n::i18n!("locales", fallback = "en");

/// Lines `main` logs, in the terminal's language.
pub mod text {
    use common::lang::Lang;
    use rust_i18n::t;

    /// `serving files: open http://127.0.0.1:3000/`
    pub fn serving(lang: Lang, url: &str) -> String {
        t!("log.serving", locale = lang.code(), url = url).into_owned()
    }

    /// Which CA file clients must trust (`--tls`).
    pub fn trust_ca(lang: Lang, ca: &std::path::Path) -> String {
        t!("log.trust_ca", locale = lang.code(), ca = ca.display()).into_owned()
    }
}

/// The `--help` text `key` in `lang` (for `common::lang::parse`).
pub fn help_text(lang: common::lang::Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}
