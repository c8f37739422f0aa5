//! What every lesson shares, and nothing lesson-specific.
//!
//! - [`protocol`]: the chat room's JSON messages (seed chapter 2, "数据格式设计"),
//!   spoken by both `tcp-chat` and `ws-chat`.
//! - [`chat`]: the room both chat lessons share: login rules, bounded
//!   per-client queues, and sending to one, to others, or to everyone.
//! - [`cli`]: the `--host`/`--port` flags every server flattens into its CLI.
//! - [`net`]: binding a port, with one plain sentence when that fails,
//!   accepting that rides out "too many open files", and
//!   the `listening on IP:PORT` line every server prints when it is ready.
//! - [`logging`]: tracing to stderr (`RUST_LOG` respected), and the demo format.
//! - [`shutdown`]: a future that resolves on Ctrl-C (or SIGTERM).
//! - [`exit`]: turning a lesson's error into one line on stderr and a non-zero exit.
//! - `http` (with the `http` feature): chapter 4's serve loop with a graceful
//!   Ctrl-C, the access log, and small response builders, shared by
//!   `http-static` and `http-template`.
//! - [`udp`]: chapter 3's numbered datagrams, the received/missing/out-of-order
//!   count, and binding several receivers on one port.

pub mod chat;
pub mod cli;
pub mod exit;
#[cfg(feature = "http")]
pub mod http;
pub mod logging;
pub mod net;
pub mod protocol;
pub mod shutdown;
pub mod udp;
