//! The seed's UDP unicast client (chapter 3, 使用 Node 实现 UDP 单播):
//! bind port 8000, send `hello` to the server, print its answer.
//!
//! ```text
//! $ cargo run -p udp-unicast --example unicast-client     # or: just ch3-unicast-seed-client
//! client running 127.0.0.1:8000
//! client got world from 127.0.0.1:3000
//! ```
//!
//! (Start the server first: `cargo run -p udp-unicast --example unicast-server`.)
//!
//! There is no connection: `send_to` hands one datagram to the network, and
//! nothing says whether it arrived. The seed's client waits for an answer
//! forever; this one stops after the first. If no answer ever comes (no
//! server, or a lost datagram), it waits forever too: the full lesson's
//! client (`src/client.rs`) gives up after a timeout and says why.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;

/// The seed's UDP unicast client (chapter 3).
#[derive(Parser)]
struct Cli {
    /// The server's address, as IP:PORT (the full lesson's client also
    /// takes a name, such as localhost:3000).
    #[arg(long, default_value = "127.0.0.1:3000")]
    server: SocketAddr,
    /// Our own port, as the seed's `client.bind(8000)`; 0 lets the OS pick.
    #[arg(long, default_value_t = 8000)]
    port: u16,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("client", ask(cli.server, cli.port).await)
}

// ANCHOR: ask
async fn ask(server: SocketAddr, port: u16) -> Result<(), Box<dyn std::error::Error>> {
    // `client.bind(8000)`, on loopback: the server is on this machine.
    let socket = common::net::bind_udp(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    println!("client running {}", socket.local_addr()?);
    // `client.send('hello', 3000, 'localhost')`, with the address itself:
    // `localhost` may name ::1 first, and this socket is IPv4.
    socket.send_to(b"hello", server).await?;
    // `client.on('message', (msg, rinfo) => …)`, once.
    let mut buffer = vec![0; 65_536];
    let (len, from) = socket.recv_from(&mut buffer).await?;
    let msg = common::datagram::printable(&buffer[..len]);
    println!("client got {msg} from {from}");
    Ok(())
}
// ANCHOR_END: ask
