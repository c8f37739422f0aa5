//! The receiver: `client.bind(8000)`, `client.addMembership('224.0.1.100')`,
//! and later `client.dropMembership(…)`.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use std::future::Future;
use std::time::Duration;

use common::udp::{Received, Tallies, bind_shared, receive_buffer, receive_numbered};
use tokio::net::UdpSocket;

use crate::Group;
use crate::sender::explain_interface;

// ANCHOR: join
/// Binds a receiver on `group:port`, sharing the port with other receivers,
/// and joins the group on `interface`.
pub fn join(group: Group, port: u16, interface: Ipv4Addr) -> io::Result<UdpSocket> {
    // We bind the group's address, not 0.0.0.0: the socket then receives
    // only datagrams sent to this group, not to another group or to one of
    // our unicast addresses on the same port.
    let socket = bind_shared(SocketAddr::from((group.addr(), port))).map_err(io::Error::other)?;
    // On Linux a socket also receives a group's datagrams when *another*
    // socket on the machine joined it (IP_MULTICAST_ALL, on by default).
    // Off, it gets only the groups it joined itself, so that leaving below
    // really stops the datagrams even while another receiver stays.
    #[cfg(target_os = "linux")]
    socket2::SockRef::from(&socket).set_multicast_all_v4(false)?;
    // `addMembership(group, interface)`: IP_ADD_MEMBERSHIP. The OS tells the
    // network (IGMP) that this machine wants the group on that interface.
    socket
        .join_multicast_v4(group.addr(), interface)
        .map_err(|error| explain_interface(interface, error))?;
    Ok(socket)
}

/// `dropMembership(group, interface)`: IP_DROP_MEMBERSHIP. From now on the
/// group's datagrams are no longer delivered to this socket.
pub fn leave(socket: &UdpSocket, group: Group, interface: Ipv4Addr) -> io::Result<()> {
    socket.leave_multicast_v4(group.addr(), interface)
}
// ANCHOR_END: join

/// After [`leave`]: listens `linger` longer (or until `stop`) to show that
/// nothing more arrives. Datagrams already queued when we left arrived while
/// we were a member: they are read and counted first, as before. Returns how
/// many arrived *after* leaving (0 is the lesson).
pub async fn listen_after_leaving(
    socket: &UdpSocket,
    tallies: &mut Tallies,
    linger: Duration,
    stop: impl Future<Output = ()>,
    mut on_received: impl FnMut(Received<'_>),
) -> io::Result<u64> {
    let mut buffer = receive_buffer();
    while let Ok((len, from)) = socket.try_recv_from(&mut buffer) {
        let datagram = &buffer[..len];
        let arrival = tallies.record(from, datagram);
        on_received(Received {
            datagram,
            from,
            arrival,
        });
    }
    let before = tallies.total();
    let stop = async {
        tokio::select! {
            () = tokio::time::sleep(linger) => {}
            () = stop => {}
        }
    };
    receive_numbered(socket, tallies, None, stop, on_received).await?;
    Ok(tallies.total() - before)
}
