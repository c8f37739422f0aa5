//! The seed's echo server (chapter 2, 基本示例) in Rust, line for line:
//! greet each client with `hello\r\n`, then send back every byte it sends.
//!
//! ```text
//! $ cargo run -p tcp-echo --example echo-server        # or: just ch2-echo-seed
//! listening on 127.0.0.1:8124
//! ```
//!
//! In a second terminal, `nc 127.0.0.1 8124` (type a line: it comes back),
//! or the seed's client, `cargo run -p tcp-echo --example echo-client`.
//!
//! | Node (the seed) | Rust (here) |
//! |---|---|
//! | `net.createServer((c) => { … })` | `loop { listener.accept() … tokio::spawn(…) }` |
//! | `server.listen(8124, callback)` | `TcpListener::bind(addr).await` |
//! | `c.write('hello\r\n')` | `socket.write_all(b"hello\r\n").await` |
//! | `c.pipe(c)` | `tokio::io::copy(&mut reader, &mut writer).await` |
//! | `c.on('end', …)` | `copy` returns once the client has ended its side |
//!
//! The full lesson (`src/server.rs`) adds what these lines leave out: a
//! limit on connections, an idle timeout, and a Ctrl-C that lets clients
//! finish.

use std::process::ExitCode;

use clap::Parser;
use common::cli::ListenArgs;
use tokio::io::AsyncWriteExt;

/// The seed's echo server (chapter 2).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<8124>,
}

// `#[tokio::main]` starts tokio's runtime, the event loop Node has built in,
// and runs `main` on it. `async` functions can wait (`.await`) for the
// network without blocking a thread.
#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("server", serve(cli.listen).await)
}

// ANCHOR: serve
async fn serve(listen: ListenArgs<8124>) -> Result<(), Box<dyn std::error::Error>> {
    // `server.listen(8124)`. `bind_tcp` is `TcpListener::bind` plus one plain
    // sentence if the port is taken.
    let listener = common::net::bind_tcp(listen.addr()).await?;
    // The seed prints "server bound"; every server in this course prints
    // the address it really got, so that `--port 0` works.
    println!("listening on {}", listener.local_addr()?);
    loop {
        // Wait for the next client: Node's 'connection' event.
        let (mut socket, peer) = listener.accept().await?;
        eprintln!("client connected: {peer}");
        // `spawn` runs this client's task alongside the loop and every other
        // client, as Node's callbacks do. `move` hands `socket` to the task.
        tokio::spawn(async move {
            // `c.write('hello\r\n')`. `?` would end the task on an error; a
            // client that vanished is no reason to stop, so we just return.
            if socket.write_all(b"hello\r\n").await.is_err() {
                return;
            }
            // `c.pipe(c)`: a read half and a write half of one socket, and
            // `copy` moves bytes from one to the other until the client ends.
            let (mut reader, mut writer) = socket.split();
            let _ = tokio::io::copy(&mut reader, &mut writer).await;
            eprintln!("client disconnected: {peer}");
        });
    }
}
// ANCHOR_END: serve
