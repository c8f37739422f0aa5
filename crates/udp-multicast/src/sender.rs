//! The sender: `server.send('hello', 8000, '224.0.1.100')` every two seconds,
//! out of the interface we choose.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use common::datagram::numbered;
use common::lang::Lang;
use rust_i18n::t;
use socket2::SockRef;
use tokio::net::UdpSocket;

use crate::Group;

// ANCHOR: open
/// Opens the sending socket: multicast goes out of `interface` (an IPv4
/// address of this machine), and crosses at most `ttl` routers. An error
/// says in `lang` what to use instead.
pub async fn open(interface: Ipv4Addr, ttl: u32, lang: Lang) -> io::Result<UdpSocket> {
    // Bound to the interface's own address, so the datagrams carry it as
    // their source. Port 0: any free port will do for sending.
    let socket = UdpSocket::bind((interface, 0))
        .await
        .map_err(|error| explain_interface(interface, error, lang))?;
    // IP_MULTICAST_IF: out of which interface multicast leaves. Without it
    // the OS picks by its routing table (usually the LAN). tokio has no
    // method for it; socket2's `SockRef` sets it on tokio's socket.
    // (Node: socket.setMulticastInterface('127.0.0.1').)
    SockRef::from(&socket)
        .set_multicast_if_v4(&interface)
        .map_err(|error| explain_interface(interface, error, lang))?;
    // ANCHOR: ttl
    // `setMulticastTTL(1)`: each router lowers the TTL by one and drops the
    // datagram at 0, so 1 means "this network only".
    socket.set_multicast_ttl_v4(ttl)?;
    // `setMulticastLoopback(true)`: also deliver to members on this machine.
    // On the loopback interface the interface itself loops every datagram
    // back; on a LAN interface this decides whether we hear ourselves.
    socket.set_multicast_loop_v4(true)?;
    // ANCHOR_END: ttl
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

/// Sends `hello #1`, `hello #2`, … to `group:port`, one every
/// `plan.interval` (the first at once), until `plan.count` are sent or
/// `stop` resolves. Calls `on_sent(text)` after each one. Returns how many
/// were sent, or why not (in `lang`). The same loop as `udp-broadcast`'s
/// sender: what makes a datagram multicast is only where it goes, a
/// group's address.
pub async fn run(
    socket: &UdpSocket,
    (group, port): (Group, u16),
    plan: &Plan,
    stop: impl Future<Output = ()>,
    lang: Lang,
    mut on_sent: impl FnMut(&str),
) -> io::Result<u64> {
    let to = SocketAddr::V4(SocketAddrV4::new(group.addr(), port));
    tokio::pin!(stop);
    // `setInterval`: a tick at once, then one every period.
    let mut ticks = tokio::time::interval(plan.interval.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sent = 0;
    while plan.count.is_none_or(|count| sent < count) {
        tokio::select! {
            _ = ticks.tick() => {}
            () = &mut stop => break,
        }
        let text = numbered(&plan.message, sent + 1);
        socket.send_to(text.as_bytes(), to).await.map_err(|error| {
            let said = t!(
                "sender.cannot_send",
                locale = lang.code(),
                to = to,
                error = common::exit::io_error(&error, lang)
            );
            io::Error::new(error.kind(), said.into_owned())
        })?;
        sent += 1;
        on_sent(&text);
    }
    Ok(sent)
}

/// The sentence for an interface address the OS rejects, in `lang`.
pub fn explain_interface(interface: Ipv4Addr, error: io::Error, lang: Lang) -> io::Error {
    let locale = lang.code();
    let said = match error.kind() {
        io::ErrorKind::AddrNotAvailable => {
            t!(
                "interface.not_local",
                locale = locale,
                interface = interface
            )
        }
        _ => t!(
            "interface.other",
            locale = locale,
            interface = interface,
            error = common::exit::io_error(&error, lang)
        ),
    };
    io::Error::new(error.kind(), said.into_owned())
}
