//! Chapter 2, 基本示例: a TCP echo server and its client.
//!
//! The seed's Node version is eight lines: `net.createServer`, write
//! `hello\r\n`, then `c.pipe(c)` sends every byte back. This crate is the same
//! lesson in Rust, plus what those eight lines leave out: a limit on
//! connections (`server.maxConnections`), an idle timeout
//! (`socket.setTimeout`), and a Ctrl-C that closes the server the way
//! `server.close()` does.
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

pub mod client;
pub mod demo;
pub mod server;

pub use server::{Config, Server};
