//! What the three UDP lessons of chapter 3 share (`udp-unicast`,
//! `udp-broadcast`, `udp-multicast`):
//!
//! - numbered datagrams, `hello #17`: [`numbered`] writes one and
//!   [`number_of`] reads the number back;
//! - [`Tally`] and [`Tallies`]: a receiver's count of what arrived, what is
//!   missing and what came out of order, so UDP's unreliability is visible;
//! - [`send_numbered`] and [`receive_numbered`]: the sender's and receiver's
//!   loops, the same for broadcast and multicast;
//! - [`bind_shared`]: a socket that several receivers can bind on one port;
//! - [`printable`]: a peer's bytes made safe to print on a terminal;
//! - [`hear_pair`]: the `just ch3-lab` measurement of who received what.

mod lab;
mod send_receive;
mod shared_port;
mod tally;

pub use lab::{Expect, Heard, hear_pair};
pub use send_receive::{Plan, Received, Stopped, receive_numbered, received_line, send_numbered};
pub use shared_port::bind_shared;
pub use tally::{Arrival, MAX_SENDERS, Tallies, Tally};

/// The most data one UDP datagram over IPv4 can carry: 65,535 bytes (the
/// IP packet's 16-bit length) minus the 20-byte IP header and the 8-byte UDP
/// header.
pub const MAX_DATAGRAM: usize = 65_535 - 20 - 8;

/// A receive buffer that holds any datagram whole. A smaller one would make
/// the OS cut longer datagrams short, silently.
pub fn receive_buffer() -> Vec<u8> {
    vec![0; 65_536]
}

/// `hello #17`: the message senders send, numbered so receivers can tell
/// what went missing.
pub fn numbered(message: &str, number: u64) -> String {
    format!("{message} #{number}")
}

/// The number at the end of `hello #17` (a trailing newline, as `nc` sends,
/// is allowed). `None` for a datagram that is not numbered.
pub fn number_of(datagram: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(datagram).ok()?;
    let (_, digits) = text.trim_end().rsplit_once('#')?;
    // `parse` alone would accept "+5"; a number here is digits only.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// How many characters of a datagram [`printable`] shows.
const SHOWN: usize = 120;

/// A peer's bytes as one safe line of text: invalid UTF-8 becomes `�`,
/// control characters are escaped (`\n`, `\u{1b}`: a peer must not be able to
/// drive our terminal), and a long datagram is cut with its size shown.
pub fn printable(datagram: &[u8]) -> String {
    let text = String::from_utf8_lossy(datagram);
    let mut shown = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == SHOWN {
            shown.push_str(&format!("… ({} bytes)", datagram.len()));
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}
