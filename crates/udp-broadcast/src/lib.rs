//! Chapter 3, 使用 Node 实现 UDP 广播: one sender, every receiver on the port.
//!
//! The seed's Node sender calls `server.setBroadcast(true)` and sends `hello`
//! to `255.255.255.255` or `192.168.10.255` every two seconds; its receiver
//! is a socket bound to port 8000 that prints what arrives. Here the sender
//! numbers its datagrams (`hello #1`, `hello #2`, …) and the receivers count
//! what arrived, what is missing and what came out of order.
//!
//! By default everything stays on this machine: the sender sends to
//! `127.255.255.255`, the broadcast address of the loopback network, and the
//! receiver listens on it. For a classroom LAN, the sender takes
//! `--to 255.255.255.255` (or the LAN's own, e.g. `192.168.10.255`) and the
//! receivers `--host 0.0.0.0`.
//!
//! Start two receivers in two terminals (`just ch3-broadcast-receiver`, or
//! `cargo run -p udp-broadcast -- receiver`), then the sender in a third:
//!
//! ```text
//! $ cargo run -p udp-broadcast -- sender --count 3     # or: just ch3-broadcast
//! server running 127.0.0.1:41234
//! server sent hello #1 to 127.255.255.255:8000
//! ```
//!
//! Both receivers print `client got hello #1 from 127.0.0.1:41234`: one
//! datagram sent, one copy delivered to every socket on the port.
//! Everything they print is in Chinese or English: `--lang zh-CN|en`, else
//! the system's `LANG`; texts in `locales/app.yml`.
//! `cargo run -p udp-broadcast -- demo` shows it all in one process, and
//! `lab` shows it next to unicast and multicast (`just ch3-lab`).
//!
//! Read it in this order: `examples/broadcast-sender.rs` and
//! `examples/broadcast-receiver.rs` (the seed's two programs), then
//! [`sender`] (`SO_BROADCAST`, the repeating send), [`receiver`] (the
//! receive loop, and two sockets on one port), [`demo`] and [`lab`].

// The crate's texts, English and Chinese: `locales/app.yml`.
rust_i18n::i18n!("locales", fallback = "en");

pub mod demo;
pub mod lab;
pub mod receiver;
pub mod sender;

/// A `--help` text in `lang` (keys `help.…`), for `common::lang::parse`.
pub fn help_text(lang: common::lang::Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}
