//! The seed's chat room in one file, `cargo run -p tcp-chat --example chat-server`,
//! started as its own process on port 0 and spoken to in raw JSON lines.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::json;
use support::Peer;
use testkit::process::{Process, example};

#[tokio::test]
async fn the_seed_chat_logs_in_broadcasts_whispers_and_announces() {
    let (_server, addr) =
        Process::server(example("tcp-chat", "chat-server"), &["--port", "0"]).await;

    let mut alice = Peer::connect(addr).await;
    // Before a login, nothing else is allowed.
    alice.broadcast("too early").await;
    assert!(alice.error().await.contains("log in first"));
    let answer = alice.login("alice").await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(answer["sumUsers"], 1);

    let mut bob = Peer::connect(addr).await;
    assert_eq!(bob.login("bob").await["sumUsers"], 2);
    let joined = alice.next().await;
    assert_eq!(
        joined,
        json!({"type": "log", "message": "bob joined, 2 online"})
    );

    // A nickname that is taken is refused, and the client may try again.
    let mut other = Peer::connect(addr).await;
    let refused = other.login("alice").await;
    assert_eq!(refused["success"], false, "{refused}");
    drop(other);

    // A broadcast reaches everyone, the sender too, as in the seed; one
    // written in two pieces is still one message (framing by lines).
    alice.write(r#"{"type":"broadcast","#).await;
    alice.write("\"message\":\"hi all\"}\n").await;
    let hi = json!({"type": "broadcast", "nickname": "alice", "message": "hi all"});
    assert_eq!(alice.next().await, hi);
    assert_eq!(bob.next().await, hi);

    // A private message reaches only the one named.
    bob.send(json!({"type": "p2p", "to": "alice", "message": "psst"}))
        .await;
    let psst = json!({"type": "p2p", "from": "bob", "to": "alice", "message": "psst"});
    assert_eq!(alice.next().await, psst);
    bob.send(json!({"type": "p2p", "to": "carol", "message": "?"}))
        .await;
    assert_eq!(bob.error().await, "carol is not online");

    // Bad JSON gets an error; the connection goes on.
    bob.write("{not json\n").await;
    assert!(bob.error().await.contains("invalid message"));

    // Leaving is announced with the new count.
    drop(bob);
    let left = alice.next().await;
    assert_eq!(
        left,
        json!({"type": "log", "message": "bob left, 1 online"})
    );
}

#[tokio::test]
async fn the_seed_chat_refuses_a_line_over_64_kib_and_closes() {
    let (_server, addr) =
        Process::server(example("tcp-chat", "chat-server"), &["--port", "0"]).await;
    let mut peer = Peer::connect(addr).await;
    peer.write(vec![b'x'; 70 * 1024]).await;
    assert!(peer.error().await.contains("max line length"));
    peer.expect_closed().await;
}
