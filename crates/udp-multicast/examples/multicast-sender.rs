//! The seed's multicast sender (chapter 3, 使用 Node 实现 UDP 组播):
//! `hello` to the group 224.0.1.100, port 8000, every two seconds.
//!
//! ```text
//! $ cargo run -p udp-multicast --example multicast-sender   # or: just ch3-multicast-seed
//! server running 127.0.0.1:41234
//! server sent hello to 224.0.1.100:8000
//! ```
//!
//! Start a receiver or two first (`cargo run -p udp-multicast --example
//! multicast-receiver`): every member of the group gets every `hello`.
//!
//! The seed lets the OS pick the interface, which is the LAN. The lessons
//! never send out of this machine unless asked: the datagrams leave by the
//! loopback interface here (`IP_MULTICAST_IF`, Node's
//! `setMulticastInterface('127.0.0.1')`). In a classroom, pass
//! `--interface` with this machine's LAN address (and to the receivers).

use std::net::{Ipv4Addr, SocketAddrV4};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tokio::net::UdpSocket;

/// The seed's multicast sender (chapter 3).
#[derive(Parser)]
struct Cli {
    /// The group to send to.
    #[arg(long, default_value = "224.0.1.100")]
    group: Ipv4Addr,
    /// The receivers' port.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// The address of the interface the datagrams leave by.
    #[arg(long, default_value = "127.0.0.1")]
    interface: Ipv4Addr,
    /// The pause between two datagrams (the seed's 2 s).
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    interval: Duration,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("sender", send(cli).await)
}

// ANCHOR: send
async fn send(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let to = SocketAddrV4::new(cli.group, cli.port);
    // ANCHOR: interface
    // Bound to the interface's address: the datagrams carry it as their
    // source. Any free port will do for sending.
    let socket = UdpSocket::bind((cli.interface, 0)).await?;
    println!("server running {}", socket.local_addr()?);
    // Out of which interface multicast leaves. tokio has no method for it;
    // socket2's `SockRef` sets the option on tokio's socket.
    socket2::SockRef::from(&socket).set_multicast_if_v4(&cli.interface)?;
    // ANCHOR_END: interface
    // `setInterval`: the first tick comes at once, then one every interval.
    // (At least a millisecond apart: a zero period would be a busy loop.)
    let mut ticks = tokio::time::interval(cli.interval.max(Duration::from_millis(1)));
    loop {
        ticks.tick().await;
        // A datagram to a group's address: every member gets a copy.
        socket.send_to(b"hello", to).await?;
        println!("server sent hello to {to}");
    }
}
// ANCHOR_END: send
