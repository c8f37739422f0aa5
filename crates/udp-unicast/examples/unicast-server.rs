//! The seed's UDP unicast server (chapter 3, 使用 Node 实现 UDP 单播): print
//! every datagram that arrives, and answer `world` to whoever sent it.
//!
//! ```text
//! $ cargo run -p udp-unicast --example unicast-server     # or: just ch3-unicast-seed
//! listening on 127.0.0.1:3000
//! server got hello from 127.0.0.1:8000
//! ```
//!
//! In a second terminal, the seed's client (`cargo run -p udp-unicast
//! --example unicast-client`), or `nc -u 127.0.0.1 3000` (each line you type is one
//! datagram; `world` comes back).
//!
//! | Node (the seed) | Rust (here) |
//! |---|---|
//! | `dgram.createSocket('udp4')` + `server.bind(3000)` | `UdpSocket::bind(addr).await` |
//! | `server.on('listening', …)`: `server running …` | `println!("listening on …")` |
//! | `server.on('message', (msg, rinfo) => …)` | `socket.recv_from(&mut buffer).await` in a loop |
//! | `server.send('world', rinfo.port, rinfo.address)` | `socket.send_to(b"world", from).await` |
//!
//! No `accept`, no task per client: UDP has no connections. One socket
//! receives from everybody, and each datagram says who sent it.

use std::process::ExitCode;

use clap::Parser;
use common::cli::ListenArgs;

/// The seed's UDP unicast server (chapter 3).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<3000>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("server", serve(cli.listen).await)
}

// ANCHOR: serve
async fn serve(listen: ListenArgs<3000>) -> Result<(), Box<dyn std::error::Error>> {
    // `server.bind(3000)`, with one plain sentence if the port is taken.
    let socket = common::net::bind_udp(listen.addr()).await?;
    // The seed's 'listening' event prints `server running …`; every server
    // in this course prints this line, with the address it really got.
    println!("listening on {}", socket.local_addr()?);
    // Large enough for any datagram: a smaller buffer would cut longer
    // datagrams short, silently.
    let mut buffer = vec![0; 65_536];
    loop {
        // Wait for the next datagram: its length, and who sent it. A failed
        // receive (on Windows: a reply that found its client gone) ends nothing.
        let Ok((len, from)) = socket.recv_from(&mut buffer).await else {
            continue;
        };
        // `printable` escapes control bytes: a peer must not be able to
        // drive our terminal.
        let msg = common::datagram::printable(&buffer[..len]);
        println!("server got {msg} from {from}");
        if let Err(error) = socket.send_to(b"world", from).await {
            eprintln!("could not reply to {from}: {error}");
        }
    }
}
// ANCHOR_END: serve
