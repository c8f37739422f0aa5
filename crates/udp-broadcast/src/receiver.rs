//! The receiver: `client.bind(8000)` and `client.on('message', …)`, plus a
//! count of what arrived, what is missing and what came out of order.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use common::datagram::{Tallies, printable_in, receive_buffer};
use common::lang::Lang;
use common::net::BindError;
use rust_i18n::t;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

/// Why [`run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// It received as many datagrams as it was asked to.
    Count,
    /// `stop` resolved (Ctrl-C, or a timer).
    Asked,
}

/// What a receiver heard: common's count per sender, and the language
/// its lines and summary are said in. (`udp-multicast` has the same.)
#[derive(Debug)]
pub struct Heard {
    /// The count per sender (`common::datagram`).
    pub tallies: Tallies,
    lang: Lang,
}

impl Heard {
    /// Nothing heard yet; lines and summary in `lang`.
    pub fn new(lang: Lang) -> Self {
        Self {
            tallies: Tallies::default(),
            lang,
        }
    }

    /// Counts one datagram from `from` and returns its line: the seed's
    /// `client got hello #3 from 127.0.0.1:53012`, plus a note when the
    /// numbering shows a gap or a late arrival.
    pub fn record(&mut self, from: SocketAddr, datagram: &[u8]) -> String {
        let arrival = self.tallies.record(from, datagram);
        let note = arrival.map(|arrival| arrival.note(self.lang));
        let (msg, note) = (printable_in(datagram, self.lang), note.unwrap_or_default());
        let locale = self.lang.code();
        t!(
            "receiver.got",
            locale = locale,
            msg = msg,
            from = from,
            note = note
        )
        .into_owned()
    }

    /// The summary a receiver prints when it stops: one line in all, then
    /// one line per sender.
    pub fn summary(&self) -> Vec<String> {
        self.tallies.summary(self.lang)
    }
}

// ANCHOR: run
/// `client.on('message', (msg, rinfo) => console.log(…))`: receives until
/// `limit` datagrams have arrived (if given) or `stop` resolves, and calls
/// `print` with a line for each one, in `lang`: the seed's
/// `client got hello #3 from 127.0.0.1:53012`, plus a note when the
/// numbering shows a gap or a late arrival. Returns the count per sender.
pub async fn run(
    socket: &UdpSocket,
    limit: Option<u64>,
    stop: impl Future<Output = ()>,
    lang: Lang,
    mut print: impl FnMut(String),
) -> io::Result<(Heard, Stopped)> {
    tokio::pin!(stop);
    // As large as any datagram: a smaller buffer would cut longer ones short.
    let mut buffer = receive_buffer();
    let mut heard = Heard::new(lang);
    while limit.is_none_or(|limit| heard.tallies.total() < limit) {
        // One datagram and who sent it (the seed's `msg` and `rinfo`), or
        // Ctrl-C, whichever comes first.
        let (len, from) = tokio::select! {
            received = socket.recv_from(&mut buffer) => received?,
            () = &mut stop => return Ok((heard, Stopped::Asked)),
        };
        print(heard.record(from, &buffer[..len]));
    }
    Ok((heard, Stopped::Count))
}
// ANCHOR_END: run

/// What a student types on their own machine to reach a receiver at `to`
/// (one of our LAN addresses): for `tell_students`.
pub fn how_students_send(to: SocketAddr, lang: Lang) -> String {
    let (ip, port) = (to.ip(), to.port());
    t!(
        "receiver.students",
        locale = lang.code(),
        ip = ip,
        port = port
    )
    .into_owned()
}

// ANCHOR: bind
/// Binds a receiver on `addr`, sharing the port with any other receiver, so
/// that two receivers in two terminals can both listen on 8000: each
/// broadcast is then delivered to both.
///
/// Which address to bind decides which datagrams we get. A socket bound to
/// `127.255.255.255:8000` receives only what is sent to that broadcast
/// address; one bound to `0.0.0.0:8000` receives broadcasts from every
/// network (a classroom LAN too) and unicast to any of our addresses; one
/// bound to `127.0.0.1:8000` receives no broadcast at all.
pub fn bind(addr: SocketAddr) -> Result<UdpSocket, BindError> {
    let explain = |error| BindError::explain(addr, error);
    if addr.port() != 0 {
        return bind_reusable(addr).map_err(explain);
    }
    // Port 0 (the tests, the lab): with the reuse options set, Linux may
    // pick a port another sharing socket already holds, and we would hear
    // its datagrams. A plain socket gets a port nobody holds: we take that.
    // (Another process may grab it in between, hence a few tries.)
    for _ in 0..10 {
        let probe = std::net::UdpSocket::bind(addr).map_err(explain)?;
        let free = probe.local_addr().map_err(explain)?;
        drop(probe);
        match bind_reusable(free) {
            Err(error) if error.kind() == io::ErrorKind::AddrInUse => continue,
            result => return result.map_err(explain),
        }
    }
    Err(explain(io::ErrorKind::AddrInUse.into()))
}
// ANCHOR_END: bind

// ANCHOR: bind_reusable
/// A UDP socket with `SO_REUSEADDR` and `SO_REUSEPORT`, bound to `addr`.
///
/// std and tokio bind at once, with no chance to set options first; socket2
/// lets us create the socket, set the options, and only then bind:
/// - `SO_REUSEADDR` lets a second socket bind a port that is already bound;
/// - `SO_REUSEPORT` (Linux, the BSDs, macOS) is needed on top of it when the
///   address is the same. Linux then hands each *unicast* datagram to only
///   one of the sockets, while a *broadcast* goes to every one of them.
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
