//! The seed's echo client (chapter 2, 基本示例) in Rust: connect, write
//! `world!\r\n`, print what comes back, end.
//!
//! ```text
//! $ cargo run -p tcp-echo --example echo-client        # or: just ch2-echo-seed-client
//! connected to server!
//! hello
//!
//! world!
//!
//! disconnected from server
//! ```
//!
//! (Start a server first: `cargo run -p tcp-echo --example echo-server`.) The
//! greeting and the echo may come in one piece or two: TCP keeps no message
//! boundaries, so each `read` gets whatever has arrived.
//!
//! | Node (the seed) | Rust (here) |
//! |---|---|
//! | `net.createConnection({ port: 8124 }, …)` | `TcpStream::connect(addr).await` |
//! | `client.write('world!\r\n')` | `socket.write_all(b"world!\r\n").await` |
//! | `client.on('data', …)` | `socket.read(&mut buffer).await`, in a loop |
//! | `client.end()` | `socket.shutdown().await`: we send no more, we still read |
//! | `client.on('end', …)` | `read` returns 0: the server ended its side too |

use std::process::ExitCode;

use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The seed's echo client (chapter 2).
#[derive(Parser)]
struct Cli {
    /// The server's address.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The server's port.
    #[arg(long, default_value_t = 8124)]
    port: u16,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("client", talk(&cli.host, cli.port).await)
}

// ANCHOR: talk
async fn talk(host: &str, port: u16) -> Result<(), Box<dyn std::error::Error>> {
    let mut socket = TcpStream::connect((host, port)).await?;
    println!("connected to server!");
    socket.write_all(b"world!\r\n").await?;
    let mut buffer = vec![0; 1024];
    loop {
        // Whatever has arrived, from 1 byte up to the buffer's size.
        let n = socket.read(&mut buffer).await?;
        if n == 0 {
            break; // 'end'
        }
        // `console.log(data.toString())`, then `client.end()` as the seed
        // does on every 'data' (ending twice is harmless, as in Node).
        println!("{}", String::from_utf8_lossy(&buffer[..n]));
        socket.shutdown().await?;
    }
    println!("disconnected from server");
    Ok(())
}
// ANCHOR_END: talk
