//! Chapter 3's numbered datagrams, what the three UDP lessons (and
//! `loadgen udp`) agree on: a sender sends `hello #1`, `hello #2`, …, and a
//! receiver reads the number back ([`number_of`]) and counts, per sender,
//! what arrived, what is missing and what came out of order ([`Tallies`]).
//! Each lesson keeps its own sockets and its own `send_to`/`recv_from` loop.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;

use rust_i18n::t;

use crate::lang::Lang;

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
    printable_in(datagram, Lang::En)
}

/// [`printable`], the size of a long datagram said in `lang`.
pub fn printable_in(datagram: &[u8], lang: Lang) -> String {
    let text = String::from_utf8_lossy(datagram);
    let mut shown = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == SHOWN {
            let len = datagram.len();
            shown.push_str(&t!("datagram.cut", locale = lang.code(), len = len));
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

/// Where a numbered datagram fell in its sender's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The first from this sender, or the one after the highest so far.
    InOrder,
    /// Higher than expected: the numbers in between have not (yet) arrived.
    AfterGap { skipped: u64 },
    /// Lower than one that already arrived: late, or a repeat.
    OutOfOrder,
}

impl Arrival {
    /// What a receiver adds after `client got hello #3 from …`, in `lang`:
    /// nothing when the datagram came in order, else ` (2 missing before
    /// it)` or ` (out of order)`.
    pub fn note(self, lang: Lang) -> String {
        let locale = lang.code();
        match self {
            Self::InOrder => String::new(),
            Self::AfterGap { skipped } => t!("datagram.gap", locale = locale, n = skipped).into(),
            Self::OutOfOrder => t!("datagram.late", locale = locale).into(),
        }
    }
}

/// The note in English.
impl fmt::Display for Arrival {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.note(Lang::En))
    }
}

// ANCHOR: tally
/// One sender's numbered datagrams, as a receiver counts them.
///
/// It keeps four numbers, not the list of what arrived, so a long run costs
/// no memory. `missing` is "numbers in the range seen, minus datagrams
/// received", the way RTP receivers count loss (RFC 3550, A.3): a datagram
/// that arrives late still counts, and is also counted as out of order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Numbered datagrams that arrived.
    pub received: u64,
    /// Of those, how many arrived after a higher number had.
    pub out_of_order: u64,
    /// The lowest and highest number seen: `None` until the first arrives.
    range: Option<(u64, u64)>,
}

impl Tally {
    /// Counts datagram number `number` and says where it fell.
    pub fn record(&mut self, number: u64) -> Arrival {
        self.received += 1;
        let Some((lowest, highest)) = self.range else {
            self.range = Some((number, number));
            return Arrival::InOrder;
        };
        self.range = Some((lowest.min(number), highest.max(number)));
        if number <= highest {
            self.out_of_order += 1;
            Arrival::OutOfOrder
        } else if number == highest + 1 {
            Arrival::InOrder
        } else {
            Arrival::AfterGap {
                skipped: number - highest - 1,
            }
        }
    }

    /// Numbers between the lowest and highest seen that never arrived.
    pub fn missing(&self) -> u64 {
        self.range.map_or(0, |(lowest, highest)| {
            (highest - lowest)
                .saturating_add(1)
                .saturating_sub(self.received)
        })
    }
}
// ANCHOR_END: tally

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "received {}", self.received)?;
        if let Some((lowest, highest)) = self.range {
            write!(f, " (#{lowest}..#{highest})")?;
        }
        let (missing, late) = (self.missing(), self.out_of_order);
        write!(f, ", {missing} missing, {late} out of order")
    }
}

/// How many senders a receiver keeps a [`Tally`] for. Datagrams from more
/// senders than this (a flood of spoofed addresses, say) are only counted
/// in [`Tallies::untracked`], so memory stays bounded.
pub const MAX_SENDERS: usize = 256;

/// A receiver's [`Tally`] for each sender, since several senders (a whole
/// classroom) can send to one port, each with its own numbering.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    by_sender: BTreeMap<SocketAddr, Tally>,
    /// Datagrams without a `#number` (from `nc`, say).
    pub unnumbered: u64,
    /// Numbered datagrams from senders beyond [`MAX_SENDERS`].
    pub untracked: u64,
}

impl Tallies {
    /// Counts one datagram from `from`; says where it fell if it was numbered.
    pub fn record(&mut self, from: SocketAddr, datagram: &[u8]) -> Option<Arrival> {
        let Some(number) = number_of(datagram) else {
            self.unnumbered += 1;
            return None;
        };
        if !self.by_sender.contains_key(&from) && self.by_sender.len() >= MAX_SENDERS {
            self.untracked += 1;
            return None;
        }
        Some(self.by_sender.entry(from).or_default().record(number))
    }

    /// The tally for one sender, if it sent anything numbered.
    pub fn of(&self, sender: SocketAddr) -> Option<&Tally> {
        self.by_sender.get(&sender)
    }

    /// Every datagram counted, numbered or not.
    pub fn total(&self) -> u64 {
        let numbered: u64 = self.by_sender.values().map(|t| t.received).sum();
        numbered + self.unnumbered + self.untracked
    }

    /// The summary a receiver prints when it stops, in `lang`: one line in
    /// all, then one line per sender.
    pub fn summary(&self, lang: Lang) -> Vec<String> {
        let locale = lang.code();
        let (total, senders) = (self.total(), self.by_sender.len());
        let mut lines = vec![if senders == 1 {
            t!("datagram.summary_one", locale = locale, total = total).into_owned()
        } else {
            let said = t!(
                "datagram.summary",
                locale = locale,
                total = total,
                senders = senders
            );
            said.into_owned()
        }];
        for (from, tally) in &self.by_sender {
            let (lowest, highest) = tally.range.unwrap_or_default();
            let (received, missing, late) = (tally.received, tally.missing(), tally.out_of_order);
            lines.push(
                t!(
                    "datagram.summary_sender",
                    locale = locale,
                    from = from,
                    received = received,
                    lowest = lowest,
                    highest = highest,
                    missing = missing,
                    late = late
                )
                .into_owned(),
            );
        }
        if self.unnumbered > 0 {
            let n = self.unnumbered;
            lines.push(t!("datagram.summary_unnumbered", locale = locale, n = n).into_owned());
        }
        if self.untracked > 0 {
            let (n, max) = (self.untracked, MAX_SENDERS);
            let said = t!(
                "datagram.summary_untracked",
                locale = locale,
                n = n,
                max = max
            );
            lines.push(said.into_owned());
        }
        lines
    }
}
