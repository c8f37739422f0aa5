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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use crate::net::BindError;

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

    /// The lowest and highest number seen.
    pub fn range(&self) -> Option<(u64, u64)> {
        self.range
    }
}
// ANCHOR_END: tally

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "received {}", self.received)?;
        if let Some((lowest, highest)) = self.range {
            write!(f, " (#{lowest}..#{highest})")?;
        }
        write!(
            f,
            ", {} missing, {} out of order",
            self.missing(),
            self.out_of_order
        )
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

    /// The summary a receiver prints when it stops: one line in all, then
    /// one line per sender.
    pub fn summary(&self) -> Vec<String> {
        let senders = self.by_sender.len();
        let mut lines = vec![format!(
            "summary: {} datagrams, {} numbered sender{}",
            self.total(),
            senders,
            if senders == 1 { "" } else { "s" }
        )];
        for (sender, tally) in &self.by_sender {
            lines.push(format!("  from {sender}: {tally}"));
        }
        if self.unnumbered > 0 {
            lines.push(format!("  {} without a #number", self.unnumbered));
        }
        if self.untracked > 0 {
            lines.push(format!(
                "  {} from senders beyond the first {MAX_SENDERS} (not tracked)",
                self.untracked
            ));
        }
        lines
    }
}

/// Binds a UDP socket that other sockets on this machine may bind to the
/// same address and port, so that two receivers (two terminals, or the lab)
/// can listen on one port.
///
/// std and tokio bind at once, with no chance to set options first; socket2
/// lets us create the socket, set the options, and only then bind:
/// - `SO_REUSEADDR` lets a second socket bind a port that is already bound;
/// - `SO_REUSEPORT` (Linux, the BSDs, macOS) is needed on top of it when the
///   address is the same. Linux then hands each *unicast* datagram to only
///   one of the sockets (it balances load by the sender's address), while a
///   *broadcast* or *multicast* datagram goes to every one of them.
///
/// Port 0 picks a port that no other socket holds. Call it inside the tokio
/// runtime.
pub fn bind_shared(addr: SocketAddr) -> Result<UdpSocket, BindError> {
    let explain = |error| BindError::explain(addr, error);
    if addr.port() != 0 {
        return bind_reusable(addr).map_err(explain);
    }
    // With the reuse options set, Linux may pick for port 0 a port that
    // another sharing socket already holds, and we would hear its datagrams.
    // A plain socket gets a port nobody holds: we take that. (A process
    // starting at that moment may hold a copy of the plain socket for an
    // instant, hence a few tries.)
    let mut tries = 0;
    loop {
        let probe = std::net::UdpSocket::bind(addr).map_err(explain)?;
        let free = probe.local_addr().map_err(explain)?;
        drop(probe);
        match bind_reusable(free) {
            Err(error) if error.kind() == io::ErrorKind::AddrInUse && tries < 10 => tries += 1,
            result => return result.map_err(explain),
        }
    }
}

// ANCHOR: bind_reusable
/// A UDP socket with `SO_REUSEADDR` and `SO_REUSEPORT`, bound to `addr`.
fn bind_reusable(addr: SocketAddr) -> io::Result<UdpSocket> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    #[cfg(all(unix, not(any(target_os = "solaris", target_os = "illumos"))))]
    socket.set_reuse_port(true)?;
    // tokio drives the socket with epoll: it must never block a thread.
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}
// ANCHOR_END: bind_reusable

/// What a sender sends, how often and how many times.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The text before ` #N`: `hello`, as in the seed.
    pub message: String,
    /// The pause between two datagrams (the seed's `setInterval(…, 2000)`).
    pub interval: Duration,
    /// Stop after this many; `None` sends until Ctrl-C.
    pub count: Option<u64>,
}

/// Sends `hello #1`, `hello #2`, … to `to`, one every `plan.interval` (the
/// first at once), until `plan.count` are sent or `stop` resolves. Calls
/// `on_sent(number, text)` after each one. Returns how many were sent; a
/// failed send ends the loop with its error (for a broadcast without
/// `SO_BROADCAST`: permission denied).
pub async fn send_numbered(
    socket: &UdpSocket,
    to: SocketAddr,
    plan: &Plan,
    stop: impl Future<Output = ()>,
    mut on_sent: impl FnMut(u64, &str),
) -> io::Result<u64> {
    tokio::pin!(stop);
    // `interval` is `setInterval`: it ticks at once, then every period. When
    // a tick is late (a busy machine), the next waits a full period again.
    let mut ticks = tokio::time::interval(plan.interval.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sent = 0;
    while plan.count.is_none_or(|count| sent < count) {
        tokio::select! {
            _ = ticks.tick() => {}
            () = &mut stop => break,
        }
        let text = numbered(&plan.message, sent + 1);
        socket.send_to(text.as_bytes(), to).await?;
        sent += 1;
        on_sent(sent, &text);
    }
    Ok(sent)
}

/// One datagram as a receiver got it.
#[derive(Debug)]
pub struct Received<'a> {
    pub datagram: &'a [u8],
    pub from: SocketAddr,
    /// Where it fell in its sender's numbering; `None` if not numbered.
    pub arrival: Option<Arrival>,
}

/// Why [`receive_numbered`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// It received as many datagrams as it was asked to.
    Count,
    /// `stop` resolved (Ctrl-C, or a timer).
    Asked,
}

/// Receives datagrams into `tallies` and reports each to `on_received`,
/// until `limit` datagrams arrived (if given) or `stop` resolves.
pub async fn receive_numbered(
    socket: &UdpSocket,
    tallies: &mut Tallies,
    limit: Option<u64>,
    stop: impl Future<Output = ()>,
    mut on_received: impl FnMut(Received<'_>),
) -> io::Result<Stopped> {
    tokio::pin!(stop);
    let mut buffer = receive_buffer();
    let mut received = 0;
    loop {
        if limit.is_some_and(|limit| received >= limit) {
            return Ok(Stopped::Count);
        }
        let (len, from) = tokio::select! {
            result = socket.recv_from(&mut buffer) => result?,
            () = &mut stop => return Ok(Stopped::Asked),
        };
        received += 1;
        let datagram = &buffer[..len];
        let arrival = tallies.record(from, datagram);
        on_received(Received {
            datagram,
            from,
            arrival,
        });
    }
}

/// The line a receiver prints for a datagram: the seed's
/// `client got hello #3 from 127.0.0.1:53012`, plus a note when the numbering
/// shows a gap or a late arrival.
pub fn received_line(received: &Received<'_>) -> String {
    let note = match received.arrival {
        Some(Arrival::AfterGap { skipped: 1 }) => " (1 missing before it)".to_owned(),
        Some(Arrival::AfterGap { skipped }) => format!(" ({skipped} missing before it)"),
        Some(Arrival::OutOfOrder) => " (out of order)".to_owned(),
        Some(Arrival::InOrder) | None => String::new(),
    };
    format!(
        "client got {} from {}{note}",
        printable(received.datagram),
        received.from
    )
}

/// What two receivers on one port heard from a set of senders: the lab's
/// "who received what".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heard {
    /// The numbers each receiver got, in arrival order (repeats kept).
    pub by_receiver: [Vec<u64>; 2],
}

impl Heard {
    /// Every number in `sent` reached both receivers.
    pub fn each_got_all(&self, sent: &[u64]) -> bool {
        self.by_receiver
            .iter()
            .all(|got| sent.iter().all(|n| got.contains(n)))
    }

    /// Every number in `sent` reached exactly one of the receivers, once.
    pub fn each_went_to_one(&self, sent: &[u64]) -> bool {
        let [a, b] = &self.by_receiver;
        let all: Vec<u64> = a.iter().chain(b).copied().collect();
        let distinct: BTreeSet<u64> = all.iter().copied().collect();
        all.len() == distinct.len() && sent.iter().all(|n| distinct.contains(n))
    }

    /// The lab's report: who got what, and whether that is what `expect`
    /// says UDP does. `true` when it is.
    pub fn report(&self, sent: &[u64], expect: Expect) -> (bool, Vec<String>) {
        let mut lines = vec![
            format!("receiver A got {}", self.list(0)),
            format!("receiver B got {}", self.list(1)),
        ];
        let (as_expected, verdict) = match expect {
            Expect::BothGetAll => (
                self.each_got_all(sent),
                "every datagram reached both sockets",
            ),
            Expect::OneGetsEach => (
                self.each_went_to_one(sent),
                "every datagram reached exactly one of the two sockets",
            ),
            Expect::OnlySecond => (
                self.by_receiver[0].is_empty()
                    && sent.iter().all(|n| self.by_receiver[1].contains(n)),
                "every datagram reached B only",
            ),
        };
        lines.push(if as_expected {
            format!("=> {verdict}")
        } else {
            format!("=> NOT what this lesson expects ({verdict})")
        });
        (as_expected, lines)
    }

    /// `#1 #2 #3`, or `nothing`, for receiver `i`.
    pub fn list(&self, i: usize) -> String {
        let got = &self.by_receiver[i];
        if got.is_empty() {
            return "nothing".to_owned();
        }
        let numbers: Vec<String> = got.iter().map(|n| format!("#{n}")).collect();
        numbers.join(" ")
    }
}

/// What the lab waits for before it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Broadcast and multicast: every datagram to both receivers.
    BothGetAll,
    /// Unicast: every datagram to one of them.
    OneGetsEach,
    /// Multicast after receiver A left the group: every datagram to B only.
    OnlySecond,
}

/// Listens on two receivers that share a port and records the numbered
/// datagrams that come from one of `senders`, until what `expect` says has
/// arrived or `limit` has passed, whichever is first. Then it takes whatever
/// else is already queued on either socket, so that a datagram delivered
/// twice would show too. Datagrams from anyone else are ignored.
pub async fn hear_pair(
    receivers: [&UdpSocket; 2],
    senders: &[SocketAddr],
    sent: &[u64],
    expect: Expect,
    limit: Duration,
) -> io::Result<Heard> {
    let mut heard = Heard::default();
    let mut buffers = [receive_buffer(), receive_buffer()];
    let done = |heard: &Heard| match expect {
        Expect::BothGetAll => heard.each_got_all(sent),
        Expect::OneGetsEach => {
            let [a, b] = &heard.by_receiver;
            sent.iter().all(|n| a.contains(n) || b.contains(n))
        }
        // Once B has them all, whatever A was given is queued too: every
        // member gets its copy when the datagram is delivered.
        Expect::OnlySecond => sent.iter().all(|n| heard.by_receiver[1].contains(n)),
    };
    let listen = async {
        while !done(&heard) {
            let [buffer_a, buffer_b] = &mut buffers;
            let (i, (len, from)) = tokio::select! {
                r = receivers[0].recv_from(buffer_a) => (0, r?),
                r = receivers[1].recv_from(buffer_b) => (1, r?),
            };
            if let (true, Some(n)) = (senders.contains(&from), number_of(&buffers[i][..len])) {
                heard.by_receiver[i].push(n);
            }
        }
        Ok::<_, io::Error>(())
    };
    // Running out of time is not an error: the report shows what arrived.
    if let Ok(result) = tokio::time::timeout(limit, listen).await {
        result?;
    }
    for (i, receiver) in receivers.iter().enumerate() {
        while let Ok((len, from)) = receiver.try_recv_from(&mut buffers[i]) {
            if let (true, Some(n)) = (senders.contains(&from), number_of(&buffers[i][..len])) {
                heard.by_receiver[i].push(n);
            }
        }
    }
    Ok(heard)
}
