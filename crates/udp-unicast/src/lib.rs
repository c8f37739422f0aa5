//! Chapter 3, 使用 Node 实现 UDP 单播: a UDP server that answers every
//! datagram with `world`, and the client that sends it `hello`.
//!
//! The seed's Node version is `dgram.createSocket('udp4')`, an
//! `on('message')` handler that logs and calls `server.send('world', …)`, and
//! `bind(3000)`. Here it is with tokio's `UdpSocket`, plus what UDP makes a
//! client face: no connection, no delivery guarantee (so the client gives up
//! after a timeout and says why), and a size limit per datagram.
//!
//! Run it (`just ch3-unicast`, or `cargo run -p udp-unicast -- server`), then
//! in a second terminal:
//!
//! ```text
//! $ cargo run -p udp-unicast -- client        # or: just ch3-unicast-client
//! client running 127.0.0.1:8000
//! client got world from 127.0.0.1:3000
//! $ nc -u 127.0.0.1 3000                      # each line you type is a datagram
//! ```
//!
//! The server prints `server got hello from 127.0.0.1:8000` for each one.
//! Its reply is the seed's five bytes, `world`, with no line end: a datagram
//! is a message by itself (so `nc` shows the next thing you type right after
//! it). Everything it prints is in Chinese or English: `--lang zh-CN|en`,
//! else the system's `LANG`; texts in `locales/app.yml`.
//! `cargo run -p udp-unicast -- demo` narrates both sides in one process, and
//! `lab` shows that two sockets sharing one port split unicast datagrams.
//!
//! Read it in this order: `examples/unicast-server.rs` and
//! `examples/unicast-client.rs` (the seed's two programs, nothing more),
//! then [`server`] (the same loop, stoppable), [`client`] (a timeout, and
//! a sentence for each way UDP can fail), [`demo`] and [`lab`].

// The crate's texts, English and Chinese: `locales/app.yml`.
rust_i18n::i18n!("locales", fallback = "en");

pub mod client;
pub mod demo;
pub mod lab;
pub mod server;

pub use server::Server;

/// A `--help` text in `lang` (keys `help.…`), for `common::lang::parse`.
pub fn help_text(lang: common::lang::Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}
