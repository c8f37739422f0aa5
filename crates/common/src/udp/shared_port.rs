//! Several receivers on one port: `SO_REUSEADDR` and `SO_REUSEPORT`.

use std::io;
use std::net::SocketAddr;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use crate::net::BindError;

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
