//! Chapter 3, 使用 Node 实现 UDP 组播: a sender, and receivers that join a
//! group.
//!
//! The seed's Node sender sends `hello` to the group `224.0.1.100`, port
//! 8000, every two seconds; its receiver binds 8000 and calls
//! `client.addMembership('224.0.1.100')`. Here the sender numbers its
//! datagrams and the receivers count what arrived, what is missing and what
//! came out of order; a receiver can also leave the group
//! (`dropMembership`) and show that nothing more arrives.
//!
//! By default everything stays on this machine: the sender sends out of the
//! loopback interface (`--interface 127.0.0.1`) and the receivers join the
//! group there. For a classroom LAN, give both sides `--interface` with this
//! machine's LAN address.
//!
//! Start two receivers in two terminals (`just ch3-multicast-receiver`, or
//! `cargo run -p udp-multicast -- receiver`), then the sender in a third:
//!
//! ```text
//! $ cargo run -p udp-multicast -- sender --count 3     # or: just ch3-multicast
//! server running 127.0.0.1:41234
//! server sent hello #1 to 224.0.1.100:8000
//! ```
//!
//! Both receivers print `client got hello #1 from 127.0.0.1:41234`.
//! Everything they print is in Chinese or English: `--lang zh-CN|en`, else
//! the system's `LANG`; texts in `locales/app.yml`.
//! `cargo run -p udp-multicast -- demo` shows it all in one process, and
//! `lab` shows it next to unicast and broadcast (`just ch3-lab`).
//!
//! Read it in this order: `examples/multicast-sender.rs` and
//! `examples/multicast-receiver.rs` (the seed's two programs), then
//! [`group`] (what a group address is), [`sender`] (the interface and the
//! TTL), [`receiver`] (join, receive, leave), [`demo`] and [`lab`].

// The crate's texts, English and Chinese: `locales/app.yml`.
rust_i18n::i18n!("locales", fallback = "en");

pub mod demo;
pub mod group;
pub mod lab;
pub mod receiver;
pub mod sender;

pub use group::Group;

/// A `--help` text in `lang` (keys `help.…`), for `common::lang::parse`.
pub fn help_text(lang: common::lang::Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}
