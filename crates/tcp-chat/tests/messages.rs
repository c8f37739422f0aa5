//! Broadcast, private messages, the users list, and messages that are wrong.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::json;
use support::{Peer, TestServer};
use tcp_chat::Config;

#[tokio::test]
async fn a_broadcast_reaches_everyone_sender_included() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;

    alice.broadcast("hello 你好").await;
    let expected = json!({"type": "broadcast", "nickname": "alice", "message": "hello 你好"});
    for client in [&mut alice, &mut bob, &mut carol] {
        assert_eq!(client.next_of("broadcast").await, expected);
    }
}

#[tokio::test]
async fn the_sender_is_who_logged_in_whatever_the_message_claims() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    alice
        .send(json!({"type": "broadcast", "message": "hi", "nickname": "bob", "from": "bob"}))
        .await;
    assert_eq!(bob.next_of("broadcast").await["nickname"], "alice");
    alice
        .send(json!({"type": "p2p", "to": "bob", "message": "psst", "from": "carol"}))
        .await;
    assert_eq!(
        bob.next_of("p2p").await,
        json!({"type": "p2p", "from": "alice", "to": "bob", "message": "psst"})
    );
}

#[tokio::test]
async fn every_client_sees_broadcasts_in_the_same_order() {
    let server = TestServer::start().await;
    let mut clients = Vec::new();
    for name in ["a", "b", "c", "d"] {
        clients.push(server.login(name).await);
    }
    // Let every join log arrive first, so only broadcasts follow.
    for client in &mut clients {
        client.users().await;
    }
    // Everyone sends at once, each 50 messages in one write.
    const EACH: usize = 50;
    for (i, client) in clients.iter_mut().enumerate() {
        let mut burst = String::new();
        for n in 0..EACH {
            burst
                .push_str(&json!({"type": "broadcast", "message": format!("{i}:{n}")}).to_string());
        }
        client.write(burst).await;
    }
    let mut orders = Vec::new();
    for client in &mut clients {
        let mut order = Vec::new();
        for _ in 0..EACH * 4 {
            let message = client.next().await;
            assert_eq!(message["type"], "broadcast", "{message}");
            order.push(message["message"].as_str().unwrap().to_owned());
        }
        orders.push(order);
    }
    for order in &orders[1..] {
        assert_eq!(order, &orders[0]);
    }
    // And each sender's own messages keep the order it sent them in.
    for i in 0..4 {
        let mine: Vec<&String> = orders[0]
            .iter()
            .filter(|m| m.starts_with(&format!("{i}:")))
            .collect();
        let sent: Vec<String> = (0..EACH).map(|n| format!("{i}:{n}")).collect();
        assert_eq!(mine, sent.iter().collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn a_private_message_reaches_only_its_target() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    alice.users().await;
    bob.users().await;

    // The target is found ignoring case; `to` is the name as bob chose it.
    alice
        .send(json!({"type": "p2p", "to": "BOB", "message": "psst"}))
        .await;
    assert_eq!(
        bob.next().await,
        json!({"type": "p2p", "from": "alice", "to": "bob", "message": "psst"})
    );
    // alice, the sender, gets the server's copy: proof of delivery.
    assert_eq!(
        alice.next().await,
        json!({"type": "p2p", "from": "alice", "to": "bob", "message": "psst"})
    );
    // Then a broadcast: it is the next thing alice and carol see, so the
    // private message reached nobody else.
    carol.broadcast("next").await;
    for client in [&mut alice, &mut carol] {
        let message = client.next().await;
        assert_eq!(message["type"], "broadcast", "{message}");
        assert_eq!(message["message"], "next");
    }
}

#[tokio::test]
async fn a_private_message_to_someone_offline_is_an_error() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    alice
        .send(json!({"type": "p2p", "to": "nobody", "message": "hello?"}))
        .await;
    let error = alice.error().await;
    assert!(error.contains("nobody is not online"), "{error}");

    // Someone who left is offline too.
    let bob = server.login("bob").await;
    drop(bob);
    assert_eq!(
        alice.next_of("log").await["message"],
        "bob joined, 2 online"
    );
    assert_eq!(alice.next_of("log").await["message"], "bob left, 1 online");
    alice
        .send(json!({"type": "p2p", "to": "bob", "message": "still there?"}))
        .await;
    assert!(alice.error().await.contains("bob is not online"));
}

#[tokio::test]
async fn the_users_list_is_sorted() {
    let server = TestServer::start().await;
    let mut zoe = server.login("zoe").await;
    let _bob = server.login("Bob").await;
    let _alice = server.login("alice").await;
    assert_eq!(zoe.users().await, ["alice", "Bob", "zoe"]);
}

#[tokio::test]
async fn wrong_messages_get_an_error_and_the_connection_goes_on() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let cases = [
        (
            json!({"type": "shout", "message": "hi"}),
            "unknown message type `shout`",
        ),
        (json!({"message": "hi"}), "missing field `type`"),
        (json!({"type": 7}), "field `type` must be a string"),
        (json!({"type": "broadcast"}), "missing field `message`"),
        (
            json!({"type": "broadcast", "message": 42}),
            "field `message`",
        ),
        (
            json!({"type": "p2p", "to": ["bob"], "message": "x"}),
            "field `to`",
        ),
        (json!([1, 2, 3]), "must be a JSON object"),
        (json!("login"), "must be a JSON object"),
        (json!(null), "must be a JSON object"),
        (json!(12), "must be a JSON object"),
    ];
    for (message, expected) in cases {
        alice.send(message.clone()).await;
        let error = alice.error().await;
        assert!(error.contains(expected), "{message} → {error}");
    }
    alice.broadcast("still here").await;
    assert_eq!(alice.next().await["message"], "still here");
}

#[tokio::test]
async fn beyond_max_connections_a_client_is_told_and_closed() {
    let server = TestServer::with_config(Config {
        max_connections: Some(2),
        ..Config::default()
    })
    .await;
    let _alice = server.login("alice").await;
    let _bob = server.login("bob").await;
    let mut third = Peer::connect(server.addr).await;
    let error = third.error().await;
    assert!(error.contains("full (2 connections)"), "{error}");
    third.expect_closed().await;
}

#[tokio::test]
async fn typing_is_answered_with_an_error_and_not_relayed() {
    // `typing` is part of the shared protocol for ws-chat's page; a TCP
    // client that sends it is told so, and nobody else hears of it.
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    alice.send(json!({"type": "typing", "typing": true})).await;
    let error = alice.next_of("error").await;
    assert!(
        error["message"].as_str().unwrap().contains("ws-chat"),
        "{error}"
    );
    alice.broadcast("after typing").await;
    assert_eq!(bob.next_of("broadcast").await["message"], "after typing");
}

/// The types an error lists are the ones this room accepts: `typing` is
/// not among them, for an unknown type nor for `typing` itself.
#[tokio::test]
async fn the_expected_types_are_what_this_room_accepts() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    alice.send(json!({"type": "shout", "message": "hi"})).await;
    let unknown = alice.error().await;
    assert_eq!(
        unknown,
        "unknown message type `shout`, expected one of login, broadcast, p2p, users"
    );
    alice.send(json!({"type": "typing", "typing": true})).await;
    let typing = alice.error().await;
    assert!(
        typing.starts_with(
            "unknown message type `typing`, expected one of login, broadcast, p2p, users ("
        ),
        "{typing}"
    );
}

/// A server started in Chinese answers every connection in Chinese: the
/// seed's login wording, the join notice, errors on the wire.
#[tokio::test]
async fn a_chinese_server_speaks_chinese_on_the_wire() {
    let server = TestServer::with_config(Config {
        lang: common::lang::Lang::ZhCn,
        ..Config::default()
    })
    .await;
    let mut alice = server.login("alice").await;
    let mut bob = Peer::connect(server.addr).await;
    let answer = bob.login("bob").await;
    assert_eq!(answer["message"], "登录成功，欢迎你，bob！当前在线人数：2");
    assert_eq!(
        alice.next().await["message"],
        "bob 进入了聊天室，当前在线人数：2"
    );
    bob.send(json!({"type": "p2p", "to": "carol", "message": "hi"}))
        .await;
    assert_eq!(bob.error().await, "carol 不在线");
    bob.send(json!({"type": "shout"})).await;
    let unknown = bob.error().await;
    assert!(
        unknown.starts_with("不认识的消息类型 `shout`")
            && unknown.ends_with("login, broadcast, p2p, users"),
        "{unknown}"
    );
    bob.write("not json\n").await;
    assert!(bob.error().await.starts_with("这不是合法的 JSON"));
    drop(bob);
    assert_eq!(
        alice.next().await["message"],
        "bob 离开了聊天室，当前在线人数：1"
    );
}
