//! The receiver: `client.bind(8000)` and `client.on('message', …)`, plus a
//! count of what arrived.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use common::net::BindError;
use common::udp::{Received, Stopped, Tallies, bind_shared, receive_numbered};
use tokio::net::UdpSocket;

// ANCHOR: bind
/// Binds a receiver on `addr`, sharing the port with any other receiver.
///
/// Which address to bind decides which datagrams we get. A socket bound to
/// `127.255.255.255:8000` receives only what is sent to that broadcast
/// address; one bound to `0.0.0.0:8000` receives broadcasts from every
/// network (a classroom LAN too) and unicast to any of our addresses; one
/// bound to `127.0.0.1:8000` receives no broadcast at all.
pub fn bind(addr: SocketAddr) -> Result<UdpSocket, BindError> {
    // Shared, so that two receivers in two terminals can both listen on
    // 8000: each broadcast is then delivered to both.
    bind_shared(addr)
}
// ANCHOR_END: bind

/// Receives until `limit` datagrams arrived (if given) or `stop` resolves,
/// reporting each to `on_received`. Returns the count per sender.
pub async fn run(
    socket: &UdpSocket,
    limit: Option<u64>,
    stop: impl Future<Output = ()>,
    on_received: impl FnMut(Received<'_>),
) -> io::Result<(Tallies, Stopped)> {
    let mut tallies = Tallies::default();
    let stopped = receive_numbered(socket, &mut tallies, limit, stop, on_received).await?;
    Ok((tallies, stopped))
}
