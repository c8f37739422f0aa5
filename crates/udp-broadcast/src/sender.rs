//! The sender: `setBroadcast(true)`, then `send('hello', 8000, '127.255.255.255')`
//! every two seconds.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use common::net::BindError;
use common::udp::{Plan, send_numbered};
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

/// Sends `hello #1`, `hello #2`, … to `to` as `plan` says, until its count
/// or `stop`. Returns how many were sent, or the reason the OS refused.
pub async fn run(
    socket: &UdpSocket,
    to: SocketAddrV4,
    plan: &Plan,
    stop: impl Future<Output = ()>,
    on_sent: impl FnMut(u64, &str),
) -> io::Result<u64> {
    send_numbered(socket, to.into(), plan, stop, on_sent)
        .await
        .map_err(|error| explain(error, to))
}

/// Adds the lesson to the OS's "permission denied".
pub fn explain(error: io::Error, to: SocketAddrV4) -> io::Error {
    if error.kind() == io::ErrorKind::PermissionDenied {
        io::Error::new(
            error.kind(),
            format!(
                "cannot send to {to}: {error}. Sending to a broadcast address needs \
                 SO_BROADCAST on the socket (Node: socket.setBroadcast(true))"
            ),
        )
    } else {
        io::Error::new(error.kind(), format!("cannot send to {to}: {error}"))
    }
}
