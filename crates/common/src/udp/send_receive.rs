//! The sender's and the receiver's loops, the same for broadcast and multicast.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;

use super::{Arrival, Tallies, numbered, printable, receive_buffer};

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
