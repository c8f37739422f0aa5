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
//! `cargo run -p udp-unicast -- demo` narrates both sides in one process, and
//! `lab` shows that two sockets sharing one port split unicast datagrams.
//!
//! Read it in this order: `examples/unicast-server.rs` and
//! `examples/unicast-client.rs` (the seed's two programs, nothing more),
//! then [`server`] (the same loop, stoppable), [`client`] (a timeout, and
//! a sentence for each way UDP can fail), [`demo`] and [`lab`].

pub mod client;
pub mod demo;
pub mod lab;
pub mod server;

pub use server::Server;
