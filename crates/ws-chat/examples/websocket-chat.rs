//! The seed's Socket.IO chat room (chapter 6, 综合案例：聊天室) at its
//! simplest: every message anyone sends goes to everyone, the sender too
//! (the seed's `io.emit('chat message', msg)`).
//!
//! ```text
//! $ cargo run -p ws-chat --example websocket-chat           # or: just ch6-chat-seed
//! listening on 127.0.0.1:3000
//! ```
//!
//! Connect two WebSocket clients to ws://127.0.0.1:3000 (`websocat`, or the
//! browser-console lines in `examples/websocket-echo.rs`), send a text from one: both
//! receive it.
//!
//! The room is a `tokio::sync::broadcast` channel: every message sent into
//! it is delivered to every receiver, and each client holds one receiver.
//! Its queue is bounded (100 messages); a client that falls further behind
//! is disconnected, as the full lesson drops a client that stops reading.
//! The full lesson (`src/chat.rs`, `src/room.rs`) adds nicknames, private
//! messages, "is typing", the page, and speaks the chat's JSON.

use std::process::ExitCode;

use clap::Parser;
use common::cli::ListenArgs;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

/// A WebSocket chat room at its simplest (chapter 6).
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    listen: ListenArgs<3000>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    common::exit::report("chat", serve(cli.listen).await)
}

// ANCHOR: serve
async fn serve(listen: ListenArgs<3000>) -> Result<(), Box<dyn std::error::Error>> {
    let listener = common::net::bind_tcp(listen.addr()).await?;
    println!("listening on {}", listener.local_addr()?);
    // The room: a sender anyone can clone, and a receiver per client.
    let (room, _) = broadcast::channel::<String>(100);
    loop {
        let (socket, peer) = listener.accept().await?;
        let room = room.clone();
        // Join before the handshake: the client then misses no message.
        let mut heard = room.subscribe();
        tokio::spawn(async move {
            let Ok(ws) = tokio_tungstenite::accept_async(socket).await else {
                return;
            };
            eprintln!("a user connected: {peer}"); // `io.on('connection')`
            // A sending half and a receiving half, used by turns below.
            let (mut sink, mut stream) = ws.split();
            loop {
                // Whichever comes first: a frame from this client, or a
                // message from the room for it.
                tokio::select! {
                    frame = stream.next() => match frame {
                        // `socket.on('chat message', msg => io.emit(…))`
                        Some(Ok(Message::Text(text))) => {
                            let _ = room.send(text.to_string());
                        }
                        Some(Ok(_)) => {} // pings are answered by tungstenite
                        _ => break,       // a Close frame, or a broken connection
                    },
                    message = heard.recv() => {
                        // `Err`: this client fell too far behind.
                        let Ok(text) = message else { break };
                        if sink.send(Message::text(text)).await.is_err() {
                            break; // the client is gone
                        }
                    }
                }
            }
            eprintln!("user disconnected: {peer}"); // `socket.on('disconnect')`
        });
    }
}
// ANCHOR_END: serve
