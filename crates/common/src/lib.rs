//! What the lessons must agree on, and the plumbing every server needs;
//! nothing that belongs to one chapter (its loops, its room, its serve loop
//! are in its own crate). Small on purpose: read it in one sitting.
//!
//! - [`chat`]: the chat's JSON messages and nickname rule (chapters 2, 6);
//! - [`datagram`]: chapter 3's numbered datagrams and the receivers' count;
//! - [`cli`], [`net`], [`logging`], [`shutdown`], [`exit`]: `--host/--port`,
//!   binding (one plain sentence when it fails), accepting, the `listening
//!   on` line, logs on stderr, Ctrl-C as a future, errors as one line.
//!
//! Behind the `tls` feature, counted apart: `tls`, chapter 5's certificates
//! (a local CA, the `--certs/--cert/--key/--san` flags, the rustls config).

pub mod chat;
pub mod cli;
pub mod datagram;
pub mod exit;
pub mod logging;
pub mod net;
pub mod shutdown;
#[cfg(feature = "tls")]
pub mod tls;
