//! The sender: `server.setBroadcast(true)`, then
//! `server.send('hello', 8000, '127.255.255.255')` every two seconds.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use common::datagram::numbered;
use common::lang::Lang;
use common::net::BindError;
use rust_i18n::t;
use tokio::net::UdpSocket;

/// The loopback network's broadcast address: a broadcast that never leaves
/// this machine.
pub const LOOPBACK_BROADCAST: Ipv4Addr = Ipv4Addr::new(127, 255, 255, 255);

// ANCHOR: open
/// Opens the sending socket for broadcasts to `to`.
///
/// We bind to loopback when the broadcast stays on this machine, and to
/// every interface otherwise (the OS then sends it out of the one whose
/// network `to` belongs to). Port 0: any free port will do for sending.
pub async fn open(to: SocketAddrV4) -> Result<UdpSocket, BindError> {
    let ip = if to.ip().is_loopback() {
        Ipv4Addr::LOCALHOST
    } else {
        Ipv4Addr::UNSPECIFIED
    };
    let socket = common::net::bind_udp(SocketAddr::from((ip, 0))).await?;
    // `server.setBroadcast(true)`: SO_BROADCAST. Without it the OS refuses
    // to send to a broadcast address ("permission denied", EACCES): a
    // broadcast reaches every machine on the network, so a program must say
    // it means to.
    socket
        .set_broadcast(true)
        .map_err(|error| BindError::explain(SocketAddr::from((ip, 0)), error))?;
    Ok(socket)
}
// ANCHOR_END: open

/// What the sender sends, how often and how many times.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The text before ` #N`: `hello`, as in the seed.
    pub message: String,
    /// The pause between two datagrams (the seed's `setInterval(…, 2000)`).
    pub interval: Duration,
    /// Stop after this many; `None` sends until Ctrl-C.
    pub count: Option<u64>,
}

// ANCHOR: run
/// Sends `hello #1`, `hello #2`, … to `to`, one every `plan.interval` (the
/// first at once, as the seed sends one before its `setInterval`), until
/// `plan.count` are sent or `stop` resolves. Calls `on_sent(text)` after
/// each one. Returns how many were sent, or why the OS refused (in `lang`).
pub async fn run(
    socket: &UdpSocket,
    to: SocketAddrV4,
    plan: &Plan,
    stop: impl Future<Output = ()>,
    lang: Lang,
    mut on_sent: impl FnMut(&str),
) -> io::Result<u64> {
    // `select!` below polls `stop` on every turn; `pin!` fixes it in place
    // so that it can be polled by reference.
    tokio::pin!(stop);
    // `interval` is `setInterval`: it ticks at once, then every period. When
    // a tick is late (a busy machine), the next waits a full period again.
    let mut ticks = tokio::time::interval(plan.interval.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sent = 0;
    while plan.count.is_none_or(|count| sent < count) {
        // Whichever comes first: the next tick, or Ctrl-C.
        tokio::select! {
            _ = ticks.tick() => {}
            () = &mut stop => break,
        }
        let text = numbered(&plan.message, sent + 1);
        // `server.send(msg, port, address)`: one datagram, to everyone on
        // the network (here: everyone on this machine).
        socket
            .send_to(text.as_bytes(), to)
            .await
            .map_err(|error| explain(error, to, lang))?;
        sent += 1;
        on_sent(&text);
    }
    Ok(sent)
}
// ANCHOR_END: run

/// Adds the lesson to the OS's "permission denied", in `lang`.
pub fn explain(error: io::Error, to: SocketAddrV4, lang: Lang) -> io::Error {
    let locale = lang.code();
    let text = if error.kind() == io::ErrorKind::PermissionDenied {
        t!(
            "sender.needs_broadcast",
            locale = locale,
            to = to,
            error = common::exit::io_error(&error, lang)
        )
    } else {
        t!(
            "sender.cannot_send",
            locale = locale,
            to = to,
            error = common::exit::io_error(&error, lang)
        )
    };
    io::Error::new(error.kind(), text.into_owned())
}
