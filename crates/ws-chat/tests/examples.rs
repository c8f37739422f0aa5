//! The seed's WebSocket steps, `cargo run -p ws-chat --example websocket-echo|websocket-chat`:
//! each started as its own process on port 0, and spoken to by a Rust
//! WebSocket client.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Peer;
use testkit::process::{Process, example};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn the_echo_service_sends_every_frame_back() {
    let (_server, addr) =
        Process::server(example("ws-chat", "websocket-echo"), &["--port", "0"]).await;
    let mut ws = Peer::connect(&format!("ws://{addr}")).await;
    ws.send_frame(Message::text("Hello WebSockets!")).await;
    assert_eq!(ws.frame().await, Some(Message::text("Hello WebSockets!")));
    let bytes: Vec<u8> = (0..=255).collect();
    ws.send_frame(Message::binary(bytes.clone())).await;
    assert_eq!(ws.frame().await, Some(Message::binary(bytes)));
    // A Close frame is answered, and the connection ends.
    ws.send_frame(Message::Close(None)).await;
    assert!(matches!(ws.frame().await, Some(Message::Close(_))));
}

#[tokio::test]
async fn the_simplest_chat_sends_each_message_to_everyone_the_sender_too() {
    let (_server, addr) =
        Process::server(example("ws-chat", "websocket-chat"), &["--port", "0"]).await;
    let url = format!("ws://{addr}");
    let mut alice = Peer::connect(&url).await;
    let mut bob = Peer::connect(&url).await;
    // Both are in the room once one message has gone round to both.
    alice.send_frame(Message::text("hi")).await;
    assert_eq!(alice.frame().await, Some(Message::text("hi")));
    assert_eq!(bob.frame().await, Some(Message::text("hi")));
    bob.send_frame(Message::text("hello alice")).await;
    assert_eq!(alice.frame().await, Some(Message::text("hello alice")));
    assert_eq!(bob.frame().await, Some(Message::text("hello alice")));
    // One who leaves does not stop the others.
    drop(bob);
    alice.send_frame(Message::text("still here")).await;
    assert_eq!(alice.frame().await, Some(Message::text("still here")));
}
