//! The seed's broadcast sender (chapter 3, 使用 Node 实现 UDP 广播):
//! `setBroadcast(true)`, then `hello` to every receiver on the port, at
//! once and then every two seconds.
//!
//! ```text
//! $ cargo run -p udp-broadcast --example broadcast-sender   # or: just ch3-broadcast-seed
//! server running 127.0.0.1:41234
//! server sent hello to 127.255.255.255:8000
//! ```
//!
//! Start a receiver or two first (`cargo run -p udp-broadcast --example
//! broadcast-receiver`, in two terminals): each prints every `hello`.
//!
//! The seed sends to `255.255.255.255` (everyone on this LAN segment) or
//! `192.168.10.255` (everyone on that network). The lessons never send out
//! of this machine unless asked: the default here, `127.255.255.255`, is
//! the loopback network's broadcast address. In a classroom, pass
//! `--to 255.255.255.255`.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tokio::net::UdpSocket;

/// The seed's broadcast sender (chapter 3).
#[derive(Parser)]
struct Cli {
    /// The broadcast address to send to.
    #[arg(long, default_value = "127.255.255.255")]
    to: Ipv4Addr,
    /// The receivers' port.
    #[arg(long, default_value_t = 8000)]
    port: u16,
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
    let to = SocketAddrV4::new(cli.to, cli.port);
    // Any free port will do for sending (the seed binds 3000; port 0 lets
    // two senders run at once). On loopback if the broadcast stays here.
    let local = if cli.to.is_loopback() {
        Ipv4Addr::LOCALHOST
    } else {
        Ipv4Addr::UNSPECIFIED
    };
    let socket = UdpSocket::bind((local, 0)).await?;
    println!("server running {}", socket.local_addr()?);
    // `server.setBroadcast(true)`: without it the OS refuses to send to a
    // broadcast address ("permission denied").
    socket.set_broadcast(true)?;
    // `setInterval`: the first tick comes at once, then one every interval.
    // (At least a millisecond apart: a zero period would be a busy loop.)
    let mut ticks = tokio::time::interval(cli.interval.max(Duration::from_millis(1)));
    loop {
        ticks.tick().await;
        socket.send_to(b"hello", to).await?;
        println!("server sent hello to {to}");
    }
}
// ANCHOR_END: send
