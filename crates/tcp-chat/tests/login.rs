//! Logging in: the answer, the count, and every nickname the room refuses.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::json;
use support::{Peer, TestServer};

#[tokio::test]
async fn login_answers_with_the_count_including_yourself() {
    let server = TestServer::start().await;
    let mut alice = Peer::connect(server.addr).await;
    let answer = alice.login("alice").await;
    assert_eq!(answer["success"], true);
    assert_eq!(answer["sumUsers"], 1);
    assert!(
        answer["message"].as_str().unwrap().contains("alice"),
        "{answer}"
    );

    let mut bob = Peer::connect(server.addr).await;
    assert_eq!(bob.login("bob").await["sumUsers"], 2);
    // alice hears about it, with the new count.
    let log = alice.next().await;
    assert_eq!(log["type"], "log");
    assert_eq!(log["message"], "bob joined, 2 online");
    // bob does not hear about himself.
    assert_eq!(bob.users().await, ["alice", "bob"]);
}

#[tokio::test]
async fn a_taken_nickname_is_refused_ignoring_case_and_you_may_try_again() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut other = Peer::connect(server.addr).await;

    for taken in ["alice", "ALICE", "Alice", " alice "] {
        let answer = other.login(taken).await;
        assert_eq!(answer["success"], false, "{taken:?}: {answer}");
        assert_eq!(answer["sumUsers"], 1);
        let text = answer["message"].as_str().unwrap();
        assert!(text.contains("taken"), "{text}");
    }
    // The same connection may try again, and a new name works.
    let answer = other.login("alice2").await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(answer["sumUsers"], 2);
    assert_eq!(alice.next().await["message"], "alice2 joined, 2 online");
}

#[tokio::test]
async fn bad_nicknames_are_refused_saying_why() {
    let server = TestServer::start().await;
    let mut client = Peer::connect(server.addr).await;
    let too_long = "x".repeat(33);
    let cases = [
        ("", "empty"),
        ("    ", "only spaces"),
        ("\t \r", "empty"),
        (too_long.as_str(), "too long"),
        ("bell\u{7}", "control characters"),
        ("esc\u{1b}[2J", "control characters"),
        ("two words", "spaces"),
    ];
    for (nickname, reason) in cases {
        let answer = client.login(nickname).await;
        assert_eq!(answer["success"], false, "{nickname:?}: {answer}");
        let text = answer["message"].as_str().unwrap();
        assert!(text.contains(reason), "{nickname:?}: {text}");
        assert_eq!(answer["sumUsers"], 0);
    }
    // 32 characters is fine, and they are characters, not bytes.
    let longest = "好".repeat(32);
    let answer = client.login(&longest).await;
    assert_eq!(answer["success"], true, "{answer}");
}

#[tokio::test]
async fn surrounding_spaces_are_trimmed() {
    let server = TestServer::start().await;
    let mut alice = Peer::connect(server.addr).await;
    assert_eq!(alice.login("  alice ").await["success"], true);
    assert_eq!(alice.users().await, ["alice"]);
}

#[tokio::test]
async fn a_second_login_on_the_same_connection_is_an_error() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    alice
        .send(json!({"type": "login", "nickname": "bob"}))
        .await;
    let error = alice.error().await;
    assert!(error.contains("already logged in as alice"), "{error}");
    assert_eq!(alice.users().await, ["alice"]);
}

#[tokio::test]
async fn anything_before_login_is_an_error_and_the_connection_goes_on() {
    let server = TestServer::start().await;
    let mut client = Peer::connect(server.addr).await;
    for message in [
        json!({"type": "broadcast", "message": "hi"}),
        json!({"type": "p2p", "to": "x", "message": "hi"}),
        json!({"type": "users"}),
    ] {
        client.send(message).await;
        let error = client.error().await;
        assert!(error.contains("log in first"), "{error}");
    }
    assert_eq!(client.login("late").await["success"], true);
}
