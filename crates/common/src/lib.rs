//! What the lessons must agree on, and the plumbing every server needs;
//! nothing that belongs to one chapter (its loops, its room, its serve loop
//! are in its own crate). Small on purpose: read it in one sitting.
//!
//! - [`chat`]: the chat room's JSON messages and the nickname rule, spoken
//!   by `tcp-chat` (chapter 2) and `ws-chat` (chapter 6);
//! - [`datagram`]: chapter 3's numbered datagrams (`hello #17`) and the
//!   receivers' count of what arrived, went missing or came out of order;
//! - [`cli`]: the `--host`/`--port` flags every server takes;
//! - [`net`]: binding a port (one plain sentence when that fails), accepting
//!   through "too many open files", the `listening on IP:PORT` line, and a
//!   client's host lookup;
//! - [`logging`]: tracing to stderr, and the demos' transcript format;
//! - [`shutdown`]: Ctrl-C (or SIGTERM) as a future;
//! - [`exit`]: an error as one line on stderr and a non-zero exit.
//!
//! Behind the `tls` feature, counted apart: `tls`, chapter 5's certificate
//! plumbing (the `--certs/--cert/--key/--san` flags, a local CA, the rustls
//! config), for the lessons that speak TLS.

pub mod chat;
pub mod cli;
pub mod datagram;
pub mod exit;
pub mod logging;
pub mod net;
pub mod shutdown;
#[cfg(feature = "tls")]
pub mod tls;
