//! Leaving in every way, a client that stops reading, a crowded room, and
//! shutdown.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use common::lang::Lang;
use serde_json::json;
use support::{Peer, STEP, TestServer};
use tcp_chat::Config;
use tcp_chat::server::shutdown_notice;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpSocket;

#[tokio::test]
async fn a_clean_end_is_announced_with_the_new_count() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let _carol = server.login("carol").await;
    alice.users().await;

    // bob ends his side, as `socket.end()` does; the server ends its side too.
    bob.writer.shutdown().await.unwrap();
    bob.expect_closed().await;
    let log = alice.next().await;
    assert_eq!(log, json!({"type": "log", "message": "bob left, 2 online"}));
    assert_eq!(alice.users().await, ["alice", "carol"]);
}

#[tokio::test]
async fn a_reset_connection_is_announced_too() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let bob = server.login("bob").await;
    alice.users().await;
    bob.reset();
    assert_eq!(alice.next().await["message"], "bob left, 1 online");
}

#[tokio::test]
async fn an_idle_client_is_disconnected_and_announced() {
    let server = TestServer::with_config(Config {
        idle_timeout: Some(Duration::from_millis(300)),
        ..Config::default()
    })
    .await;
    let mut bob = server.login("bob").await;
    let mut alice = server.login("alice").await;
    let started = Instant::now();
    // bob says nothing more. alice keeps talking, so she is not idle.
    let log = loop {
        if let Some(log) = alice_log(&mut alice).await {
            break log;
        }
        assert!(started.elapsed() < STEP, "bob was never dropped");
    };
    assert_eq!(log, "bob left (idle for 300ms), 1 online");
    bob.expect_closed().await;
}

/// Asks for the users list; returns the first log line that came before
/// the answer, if any.
async fn alice_log(alice: &mut Peer) -> Option<String> {
    let mut found = None;
    alice.send(json!({"type": "users"})).await;
    loop {
        let message = alice.next().await;
        match message["type"].as_str() {
            Some("log") => found = Some(message["message"].as_str().unwrap().to_owned()),
            Some("users") => return found,
            _ => panic!("unexpected {message}"),
        }
    }
}

#[tokio::test]
async fn a_client_that_never_reads_is_dropped_without_slowing_the_others() {
    // A short queue, so the test needs megabytes, not hundreds of them.
    let server = TestServer::with_config(Config {
        queue: 8,
        ..Config::default()
    })
    .await;
    // The slow client: a small receive buffer, logs in, never reads again.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut slow = Peer::from_stream(socket.connect(server.addr).await.unwrap());
    assert_eq!(slow.login("slow").await["success"], true);

    let mut alice = server.login("alice").await;
    let mut watcher = server.login("watcher").await;
    alice.users().await;
    watcher.users().await;

    // alice sends 32 KiB broadcasts, one at a time, and times how long each
    // takes to come back to her and to reach the watcher.
    let text = "x".repeat(32 * 1024);
    let mut slowest = Duration::ZERO;
    let mut dropped = None;
    for sent in 1..=2000 {
        let started = Instant::now();
        alice.broadcast(&text).await;
        for client in [&mut alice, &mut watcher] {
            loop {
                let message = client.next().await;
                if message["type"] == "broadcast" {
                    break;
                }
                // The only other line is the announcement that slow left.
                assert_eq!(message["type"], "log", "{message}");
                dropped = Some((sent, message["message"].as_str().unwrap().to_owned()));
            }
        }
        slowest = slowest.max(started.elapsed());
        if dropped.is_some() {
            break;
        }
    }
    let (after, log) = dropped.expect("the slow client was dropped");
    assert_eq!(log, "slow left (too slow to keep up: dropped), 2 online");
    // Delivery to the others never waited for the slow client: on an idle
    // machine each round is well under a millisecond; allow a loaded one.
    assert!(
        slowest < Duration::from_secs(1),
        "slowest round {slowest:?}"
    );
    assert!(
        after > 8,
        "dropped after {after} broadcasts: its socket buffers held none?"
    );
    slow.expect_closed().await;
    assert_eq!(alice.users().await, ["alice", "watcher"]);
}

#[tokio::test]
async fn a_client_that_never_reads_big_messages_is_dropped_by_the_byte_bound() {
    // Default queue: 16,384 lines, but 2 MiB. Counting lines alone, 60 KiB
    // messages would pile up to a gigabyte before the client was dropped.
    let server = TestServer::start().await;
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut slow = Peer::from_stream(socket.connect(server.addr).await.unwrap());
    assert_eq!(slow.login("slow").await["success"], true);
    let mut alice = server.login("alice").await;
    alice.users().await;

    let text = "z".repeat(60 * 1024);
    let mut dropped_after = None;
    // 300 messages are 18 MiB: 2 MiB of queue plus the socket buffers
    // (a few MiB at most on loopback) are full long before.
    for sent in 1..=300 {
        alice.broadcast(&text).await;
        let message = alice.next().await;
        if message["type"] == "log" {
            assert_eq!(
                message["message"],
                "slow left (too slow to keep up: dropped), 1 online"
            );
            dropped_after = Some(sent);
            break;
        }
        assert_eq!(message["type"], "broadcast", "{message}");
    }
    let sent = dropped_after.expect("dropped within 300 messages of 60 KiB");
    assert!(
        sent > 2 * 1024 / 60,
        "dropped after {sent}: before 2 MiB were queued?"
    );
    slow.expect_closed().await;
}

#[tokio::test]
async fn two_hundred_clients_all_receive_one_broadcast() {
    let server = TestServer::start().await;
    let mut clients = Vec::new();
    for i in 0..200 {
        clients.push(server.login(&format!("user{i}")).await);
    }
    clients[0].broadcast("hello, crowd").await;
    for (i, client) in clients.iter_mut().enumerate() {
        let message = client.next_of("broadcast").await;
        assert_eq!(message["nickname"], "user0", "client {i}");
        assert_eq!(message["message"], "hello, crowd", "client {i}");
    }
    assert_eq!(clients[199].users().await.len(), 200);
}

#[tokio::test]
async fn shutdown_tells_every_client_then_closes_and_returns() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut stranger = Peer::connect(server.addr).await; // not logged in
    alice.users().await;
    bob.users().await;
    // The server is surely serving the stranger once it answers.
    stranger.send(json!({"type": "users"})).await;
    stranger.error().await;

    let addr = server.addr;
    server.shut_down().await;
    for client in [&mut alice, &mut bob, &mut stranger] {
        let notice = client.next().await;
        assert_eq!(
            notice,
            json!({"type": "log", "message": shutdown_notice(Lang::En)})
        );
        // No "left" announcements while everyone is leaving: the end comes next.
        assert_eq!(client.next_line().await, None);
    }
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn shutdown_does_not_wait_long_for_a_client_that_does_not_read() {
    let server = TestServer::with_config(Config {
        grace: Duration::from_millis(200),
        queue: 100_000,
        ..Config::default()
    })
    .await;
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut slow = Peer::from_stream(socket.connect(server.addr).await.unwrap());
    slow.login("slow").await;
    // Fill slow's socket buffers with its own broadcasts, which it never reads.
    let mut alice = server.login("alice").await;
    let text = "y".repeat(32 * 1024);
    for _ in 0..300 {
        alice.broadcast(&text).await;
        alice.next_of("broadcast").await;
    }
    let started = Instant::now();
    server.shut_down().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        alice.next_of("log").await["message"],
        shutdown_notice(Lang::En)
    );
    drop(slow);
}
