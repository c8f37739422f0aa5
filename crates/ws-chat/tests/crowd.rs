//! Many clients at once, and one that stops reading.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{STEP, TestServer};
use tokio::net::TcpSocket;
use tokio_tungstenite::{MaybeTlsStream, client_async};
use ws_chat::Config;
use ws_chat::chat::QueueLimits;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_clients_each_broadcast_and_everyone_else_hears_every_one() {
    const CLIENTS: usize = 200;
    let server = TestServer::start().await;
    let url = server.url("/ws");
    let mut clients = tokio::task::JoinSet::new();
    for i in 0..CLIENTS {
        let url = url.clone();
        clients.spawn(async move {
            let mut peer = support::Peer::connect(&url).await;
            let me = format!("user{i}");
            assert_eq!(peer.login(&me).await["success"], true);
            // The users push that lists all of us says everyone is in.
            loop {
                let message = peer.next().await;
                if message["type"] == "users"
                    && message["users"].as_array().unwrap().len() == CLIENTS
                {
                    break;
                }
            }
            peer.broadcast(&format!("hello from {me}")).await;
            let mut heard = std::collections::BTreeSet::new();
            while heard.len() < CLIENTS - 1 {
                let message: Value = peer.next_of("broadcast").await;
                let from = message["nickname"].as_str().unwrap().to_owned();
                assert_ne!(from, me, "a sender got its own broadcast");
                assert_eq!(message["message"], format!("hello from {from}"));
                assert!(heard.insert(from), "a broadcast came twice");
            }
            peer
        });
    }
    // All of it bounded: 200 × 199 deliveries on a loaded 2-core machine.
    let all = tokio::time::timeout(Duration::from_secs(60), async {
        let mut peers = Vec::new();
        while let Some(peer) = clients.join_next().await {
            peers.push(peer.unwrap());
        }
        peers
    })
    .await
    .expect("every client heard every other in time");
    assert_eq!(all.len(), CLIENTS);
    assert_eq!(server.room.online(), CLIENTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_when_its_queue_has_too_many_frames() {
    let frames = QueueLimits {
        frames: 8,
        ..Config::default().queue
    };
    a_client_that_stops_reading_is_dropped(frames).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_when_its_queue_has_too_many_bytes() {
    // Plenty of frames allowed, but only 128 KiB of them: 8 of our messages.
    let bytes = QueueLimits {
        frames: 1_000_000,
        bytes: 128 * 1024,
    };
    a_client_that_stops_reading_is_dropped(bytes).await;
}

async fn a_client_that_stops_reading_is_dropped(queue: QueueLimits) {
    let server = TestServer::with_config(Config {
        queue,
        ..Config::default()
    })
    .await;
    let mut alice = server.login("alice").await;
    // The slow client asks for a small receive buffer, then never reads
    // again after logging in: the server's writes to it soon block, its
    // queue fills, and the room gives up on it.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server.addr).await.unwrap();
    let stream = MaybeTlsStream::Plain(stream);
    let (socket, _) = client_async(server.url("/ws"), stream).await.unwrap();
    let mut slow = support::Peer { socket };
    assert_eq!(slow.login("slow").await["success"], true);

    let mut bob = server.login("bob").await;
    let text = "x".repeat(16 * 1024);
    let mut sent = 0;
    let dropped = tokio::time::timeout(STEP * 3, async {
        loop {
            alice.broadcast(&text).await;
            sent += 1;
            // bob reads everything, so he keeps up whatever the slow one does.
            loop {
                let message = bob.next().await;
                match message["type"].as_str() {
                    Some("broadcast") => break,
                    Some("log")
                        if message["message"]
                            .as_str()
                            .unwrap()
                            .starts_with("slow left") =>
                    {
                        return message;
                    }
                    _ => continue,
                }
            }
        }
    })
    .await
    .expect("the slow client is dropped in time");
    assert_eq!(
        dropped["message"],
        "slow left (too slow to keep up: dropped), 2 online"
    );
    // ~16 KiB each: far less than a gigabyte was buffered for it.
    assert!(sent < 2000, "dropped only after {sent} messages");
    assert_eq!(server.room.users(), ["alice", "bob"]);
    drop(slow);
}
