//! Chapter 2, 基本示例: a TCP echo server and its client.
//!
//! The seed's Node version is eight lines: `net.createServer`, write
//! `hello\r\n`, then `c.pipe(c)` sends every byte back. Read this crate in
//! this order:
//!
//! 1. `examples/echo-server.rs` and `examples/echo-client.rs`: the seed's server and
//!    client in Rust, nothing more (`cargo run -p tcp-echo --example echo-server`);
//! 2. [`server`]: the same server made ready for a classroom, with what the
//!    eight lines leave out: a limit on connections
//!    (`server.maxConnections`), an idle timeout (`socket.setTimeout`), and
//!    a Ctrl-C that closes the server the way `server.close()` does;
//! 3. [`client`], then [`demo`], which runs both and narrates.
//!
//! Run it (`just ch2-echo`, or `cargo run -p tcp-echo -- server`), then in a
//! second terminal:
//!
//! ```text
//! $ nc 127.0.0.1 8124        # or: just ch2-echo-client
//! hello
//! typed text comes straight back
//! typed text comes straight back
//! ```
//!
//! The server logs every connection, with the number open, on stderr.
//! `cargo run -p tcp-echo -- demo` runs server and client in one process and
//! narrates both sides.
//!
//! What the server logs for the teacher, the client's lines and the demo's
//! narration are in `locales/app.yml`, in English and Chinese: `--lang
//! zh-CN|en`, or LANG, chooses. The greeting, `hello\r\n`, is the seed's
//! bytes on the wire, the same in both.

use common::lang::Lang;

rust_i18n::i18n!("locales", fallback = "en");

/// A `--help` text in `lang`, for `common::lang::parse`.
pub fn help_text(lang: Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}

pub mod client;
pub mod demo;
pub mod server;

pub use server::{Config, Server};
