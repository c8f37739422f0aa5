//! Chapter 2, 案例：聊天室: a chat room over TCP, speaking the seed's JSON.
//!
//! Clients log in with a nickname, then send messages to everyone
//! (`broadcast`), to one person (`p2p`), or ask who is online (`users`);
//! the room announces who joins and leaves, with the count. The messages are
//! the seed's JSON objects (`common::chat`), one per line from the
//! server; the server reads any stream of JSON values, however TCP cuts it
//! up ([`framing`]).
//!
//! Read this crate in this order:
//!
//! 1. `examples/chat-server.rs`: the seed's chat room in one file, as naive as the
//!    seed (`cargo run -p tcp-chat --example chat-server`);
//! 2. [`room`]: who is online, and how a message reaches each of them;
//! 3. [`server`]: one task per client, the seed's rules message by message;
//! 4. [`framing`]: where one JSON message ends and the next begins;
//! 5. [`client`] and [`console`]: the interactive client; [`demo`];
//! 6. [`cluster`] (chapter 7): the room shared with other servers through
//!    Redis, with `server --redis URL`.
//!
//! What the full lesson adds to the seed: nicknames checked (taken ignoring
//! case, empty, too long, spaces, control characters, a leading `@` or `/`),
//! a size limit per message, a bad message answered with an error instead
//! of a crash, a client that
//! stops reading dropped instead of stalling the room
//! ([`room::Outbox::push`]), and a Ctrl-C that tells everyone goodbye.
//!
//! Run it (`just ch2-chat`, or `cargo run -p tcp-chat -- server`), then in
//! two more terminals:
//!
//! ```text
//! $ just ch2-chat-client alice          $ just ch2-chat-client bob
//! * welcome, alice! 1 online            * welcome, bob! 2 online
//! * bob joined, 2 online                hi alice
//! [bob] hi alice                        [bob] hi alice
//! ```
//!
//! or speak the protocol by hand, one JSON object per line:
//!
//! ```text
//! $ nc 127.0.0.1 8125
//! {"type":"login","nickname":"carol"}
//! {"type":"login","success":true,"message":"welcome, carol! 3 online","sumUsers":3}
//! ```
//!
//! `cargo run -p tcp-chat -- demo` runs the server and three clients in one
//! process and prints every line they exchange.
//!
//! Every sentence a person reads (the room's notices and errors, the
//! teacher's log, the client's lines, the demo) is in `locales/app.yml`, in
//! English and Chinese. The server speaks its `--lang` (or LANG) to every
//! connection, but each member keeps its own language in the room, so each
//! notice is written per receiver; the client speaks the user's.

use common::lang::Lang;

rust_i18n::i18n!("locales", fallback = "en");

/// A `--help` text in `lang`, for `common::lang::parse`.
pub fn help_text(lang: Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}

pub mod client;
pub mod cluster;
pub mod console;
pub mod demo;
pub mod framing;
pub mod room;
pub mod server;

pub use server::{Config, Server};
