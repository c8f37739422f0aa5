//! Chapter 6, 构建 WebSocket 服务: a chat room in the browser.
//!
//! HTTP can only answer; a chat room must push. The seed's answer is
//! WebSocket: the browser asks for an upgrade with an ordinary HTTP request,
//! and from then on both ends send messages whenever they like. This crate is
//! the seed's Socket.IO chat room done with plain WebSocket, on one port:
//!
//! - `GET /` and the other files of `--assets` (the page: HTML, CSS and
//!   JavaScript, nothing fetched from the internet), served by [`page`],
//!   as `express.static` does in the seed;
//! - `GET /echo-test`: the seed's first WebSocket example as a page, talking
//!   to this server's `/echo`;
//! - WebSocket at `/ws` (the chat: [`chat`]) and `/echo` (every frame sent
//!   back: [`echo`]); the upgrade itself is in [`upgrade`].
//!
//! The chat speaks tcp-chat's JSON (`common::chat`), one object per text
//! frame, plus `typing`. Its [`room`] is tcp-chat's, rewritten for
//! WebSocket frames: the same login rules, and a bounded queue per client so
//! that one that cannot keep up is dropped instead of slowing the room.
//!
//! Read it in this order:
//!
//! 1. `examples/websocket-echo.rs` and `examples/websocket-chat.rs`: the
//!    seed's echo test and the simplest chat, nothing more
//!    (`cargo run -p ws-chat --example websocket-echo`);
//! 2. [`server`]: one port for the page and the WebSockets, and the routes;
//! 3. [`upgrade`]: how an HTTP request becomes a WebSocket;
//! 4. [`chat`] and [`room`]: one client's session, and the room;
//! 5. [`page`], [`echo`], then [`client`] and [`demo`];
//! 6. [`cluster`] (chapter 7): the room shared with other servers through
//!    Redis, with `--redis URL`.
//!
//! Run it (`just ch6-ws-chat`, or `cargo run -p ws-chat`) and open
//! <http://127.0.0.1:3000/> in two browser windows. Or, from a terminal,
//! with any WebSocket client (`websocat`, `wscat`):
//!
//! ```text
//! $ websocat ws://127.0.0.1:3000/ws
//! {"type":"login","nickname":"carol"}
//! {"type":"login","success":true,"message":"welcome, carol! 1 online","sumUsers":1}
//! {"type":"users","users":["carol"]}
//! $ curl -i http://127.0.0.1:3000/ws
//! HTTP/1.1 426 Upgrade Required
//! ```
//!
//! `cargo run -p ws-chat -- demo` runs the server and scripted clients in one
//! process and prints every frame they exchange.
//!
//! Two languages: the server's `--lang` (or `LANG`) is the teacher's, for
//! the log lines; each chat connection has its own, from `?lang=` on the
//! WebSocket URL (the page sets it from its language switch), else the
//! upgrade's `Accept-Language`, else the server's. Texts are in
//! `locales/app.yml` (the page's own in `assets/ws-chat/texts.js`).

pub mod chat;
pub mod client;
pub mod cluster;
pub mod demo;
pub mod echo;
pub mod page;
pub mod room;
pub mod server;
pub mod upgrade;

pub use common::lang::Lang;
pub use server::{Config, Server};

// This crate's texts, English and Chinese: `locales/app.yml`.
rust_i18n::i18n!("locales", fallback = "en");

/// A `--help` text in `lang`, for `common::lang::parse`.
pub fn help_text(lang: Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}

/// The largest message we accept, in a frame or in several: 64 KiB, as
/// tcp-chat. A client that sends more is closed with code 1009
/// ("message too big").
pub const MAX_MESSAGE: usize = 64 * 1024;
