//! What the lessons must agree on, and the plumbing every server needs;
//! nothing that belongs to one chapter (its loops, its room, its serve loop
//! are in its own crate). Small on purpose: read it in one sitting.
//!
//! - [`chat`]: the chat's JSON messages and nickname rule (chapters 2, 6);
//! - [`datagram`]: chapter 3's numbered datagrams and the receivers' count;
//! - [`cli`], [`net`], [`logging`], [`shutdown`], [`exit`]: `--host/--port`,
//!   binding (one plain sentence when it fails), accepting, the `listening
//!   on` line and the students' addresses, logs on stderr, Ctrl-C as a
//!   future, errors as one line;
//! - [`lang`], [`demo`]: Chinese or English (`--lang`, `LANG`,
//!   `Accept-Language`, `--help` in either), and a demo's paced steps.
//!
//! Behind the `tls` feature, counted apart: `tls`, chapter 5's certificates
//! (a local CA, the `--certs/--cert/--key/--san` flags, the rustls config).
//! Behind the `web` feature, counted apart too: `web`, the language of a
//! web answer, per request (chapters 4 and 5).

// common's own texts, English and Chinese: `locales/app.yml`.
rust_i18n::i18n!("locales", fallback = "en");

pub mod chat;
pub mod cli;
pub mod datagram;
pub mod demo;
pub mod exit;
pub mod lang;
pub mod logging;
pub mod net;
pub mod shutdown;
#[cfg(feature = "tls")]
pub mod tls;
#[cfg(feature = "web")]
pub mod web;
