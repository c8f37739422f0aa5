//! The seed's multicast receiver (chapter 3, 使用 Node 实现 UDP 组播):
//! `client.bind(8000)`, `client.addMembership('224.0.1.100')`, and print
//! every datagram that arrives.
//!
//! ```text
//! $ cargo run -p udp-multicast --example multicast-receiver # or: just ch3-multicast-seed-receiver
//! listening on 224.0.1.100:8000
//! client got hello from 127.0.0.1:41234
//! ```
//!
//! Start two in two terminals, then the sender (`cargo run -p
//! udp-multicast --example multicast-sender`): both members get every `hello`.
//!
//! Joining is what makes a socket a member: `join_multicast_v4` (Node's
//! `addMembership`) tells the OS, and through it the network, that this
//! machine wants the group's datagrams on that interface. We join on the
//! loopback interface and bind the group's own address, so that only the
//! group's datagrams arrive; in a classroom, pass `--interface` with this
//! machine's LAN address. The port is shared (`SO_REUSEADDR`,
//! `SO_REUSEPORT`) so that two receivers can run at once.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

/// The seed's multicast receiver (chapter 3).
#[derive(Parser)]
struct Cli {
    /// The group to join.
    #[arg(long, default_value = "224.0.1.100")]
    group: Ipv4Addr,
    /// The port to listen on.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// The address of the interface to join the group on.
    #[arg(long, default_value = "127.0.0.1")]
    interface: Ipv4Addr,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("receiver", receive(cli).await)
}

// ANCHOR: receive
async fn receive(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    // `client.bind(8000)`, on the group's address and a port others may share.
    let addr = SocketAddr::from((cli.group, cli.port));
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?; // tokio waits for it; it must never block
    socket.bind(&addr.into())?;
    let socket = UdpSocket::from_std(socket.into())?;
    // ANCHOR: add_membership
    // `client.addMembership('224.0.1.100')`, on the interface we chose.
    socket.join_multicast_v4(cli.group, cli.interface)?;
    // ANCHOR_END: add_membership
    println!("listening on {}", socket.local_addr()?);
    let mut buffer = vec![0; 65_536];
    loop {
        // `client.on('message', (msg, rinfo) => …)`
        let (len, from) = socket.recv_from(&mut buffer).await?;
        let text = common::datagram::printable(&buffer[..len]);
        println!("client got {text} from {from}");
    }
}
// ANCHOR_END: receive
