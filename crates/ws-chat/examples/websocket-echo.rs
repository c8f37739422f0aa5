//! The seed's first WebSocket example (chapter 6, 基本示例) talks to a
//! public echo service, `wss://echo.websocket.org`, that is gone. This is
//! that service: every frame a client sends comes straight back.
//!
//! ```text
//! $ cargo run -p ws-chat --example websocket-echo           # or: just ch6-echo-seed
//! listening on 127.0.0.1:3000
//! ```
//!
//! This server has no page of its own (it answers only WebSocket
//! handshakes), so open the browser's console on a page from somewhere
//! else: a `file://` page, or a plain-http one such as chapter 4's
//! (`just ch4-hello --port 3001`, then http://127.0.0.1:3001/). An
//! `https://` page may not open a `ws://` connection (mixed content).
//! Then type the seed's code with our address:
//!
//! ```text
//! var ws = new WebSocket("ws://127.0.0.1:3000");
//! ws.onmessage = function (evt) { console.log("Received Message: " + evt.data); };
//! ws.onopen = function () { ws.send("Hello WebSockets!"); };
//! ```
//!
//! Every connection starts as an HTTP request (`Upgrade: websocket`);
//! `accept_async` reads it, answers `101 Switching Protocols`, and from then
//! on the same TCP connection carries WebSocket frames. The full lesson
//! (`src/upgrade.rs`) does that handshake itself, next to a web page on
//! the same port, and limits a message to 64 KiB (here, tungstenite's
//! default: 64 MiB).

use std::process::ExitCode;

use clap::Parser;
use common::cli::ListenArgs;
use futures_util::{SinkExt, StreamExt};

/// A WebSocket echo server (chapter 6, the seed's first example).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<3000>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("echo", serve(cli.listen).await)
}

// ANCHOR: serve
async fn serve(listen: ListenArgs<3000>) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(listen.addr()).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (socket, peer) = listener.accept().await?;
        // One task per client, as in chapter 2.
        tokio::spawn(async move {
            // The opening handshake; a client that is not a WebSocket ends here.
            let Ok(mut ws) = tokio_tungstenite::accept_async(socket).await else {
                return;
            };
            eprintln!("open: {peer}");
            // `ws.next()` is the next message (`onmessage`), `None` once the
            // connection has closed. tungstenite answers pings and the
            // client's Close frame by itself.
            while let Some(Ok(message)) = ws.next().await {
                if (message.is_text() || message.is_binary()) && ws.send(message).await.is_err() {
                    break;
                }
            }
            eprintln!("closed: {peer}");
        });
    }
}
// ANCHOR_END: serve
