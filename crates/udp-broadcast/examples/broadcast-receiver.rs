//! The seed's broadcast receiver (chapter 3, 使用 Node 实现 UDP 广播):
//! `client.bind(8000)`, and print every datagram that arrives.
//!
//! ```text
//! $ cargo run -p udp-broadcast --example broadcast-receiver # or: just ch3-broadcast-seed-receiver
//! listening on 127.255.255.255:8000
//! client got hello from 127.0.0.1:41234
//! ```
//!
//! Start two, in two terminals, then the sender (`cargo run -p
//! udp-broadcast --example broadcast-sender`): both get every `hello`. One datagram
//! sent, one copy for every socket on the port.
//!
//! Two sockets on one port: the OS refuses that unless each asks for it
//! first, with `SO_REUSEADDR` and `SO_REUSEPORT` (Node's
//! `createSocket({ type: 'udp4', reuseAddr: true })`). tokio binds at once,
//! so we make the socket with socket2, set the options, then bind.
//!
//! The seed binds `0.0.0.0:8000`, which also hears broadcasts from the
//! LAN. The default here hears only this machine's (`127.255.255.255`); in
//! a classroom, pass `--host 0.0.0.0`.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

/// The seed's broadcast receiver (chapter 3).
#[derive(Parser)]
struct Cli {
    /// The address to listen on: 127.255.255.255 hears this machine's
    /// broadcasts, 0.0.0.0 the LAN's too.
    #[arg(long, default_value = "127.255.255.255")]
    host: IpAddr,
    /// The port to listen on.
    #[arg(long, default_value_t = 8000)]
    port: u16,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report(
        "receiver",
        receive(SocketAddr::new(cli.host, cli.port)).await,
    )
}

// ANCHOR: receive
async fn receive(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    // `client.bind(8000)`, on a port other receivers may share.
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?; // tokio waits for it; it must never block
    socket.bind(&addr.into())?;
    let socket = UdpSocket::from_std(socket.into())?;
    println!("listening on {}", socket.local_addr()?);
    // Big enough for any datagram, so none is cut short.
    let mut buffer = vec![0; 65_536];
    loop {
        // `client.on('message', (msg, rinfo) => …)`
        let (len, from) = socket.recv_from(&mut buffer).await?;
        let text = common::datagram::printable(&buffer[..len]);
        println!("client got {text} from {from}");
    }
}
// ANCHOR_END: receive
