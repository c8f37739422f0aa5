//! The chat on /ws over real WebSockets on 127.0.0.1:0: login rules, who
//! receives what, typing, the users push, leaving, and bad input.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::json;
use support::{STEP, TestServer};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};

#[tokio::test]
async fn login_rules_are_tcp_chats() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut other = server.connect().await;

    for (nickname, reason) in [
        ("ALICE", "nickname ALICE is taken, choose another"),
        ("", "a nickname cannot be empty or only spaces"),
        ("a b", "a nickname cannot contain spaces"),
        (&"x".repeat(33), "nickname too long: at most 32 characters"),
    ] {
        let answer = other.login(nickname).await;
        assert_eq!(answer["success"], false, "{nickname:?}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with(reason), "{nickname:?}: {message}");
        assert_eq!(answer["sumUsers"], 1);
    }
    // After refusals the same connection may log in; spaces around are trimmed.
    let answer = other.login("  Alicia ").await;
    assert_eq!(
        answer,
        json!({"type": "login", "success": true, "message": "welcome, Alicia! 2 online", "sumUsers": 2})
    );
    let again = other.next_of("users").await;
    assert_eq!(again["users"], json!(["alice", "Alicia"]));
    other
        .send(json!({"type": "login", "nickname": "bob"}))
        .await;
    assert_eq!(other.error().await, "you are already logged in as Alicia");
    // alice heard of the join only, not of the refusals.
    assert_eq!(
        alice.next().await,
        json!({"type": "log", "message": "Alicia joined, 2 online"})
    );
    assert_eq!(
        alice.next_of("users").await["users"],
        json!(["alice", "Alicia"])
    );
}

#[tokio::test]
async fn anything_before_login_is_an_error_and_the_connection_goes_on() {
    let server = TestServer::start().await;
    let mut peer = server.connect().await;
    for message in [
        json!({"type": "broadcast", "message": "hi"}),
        json!({"type": "users"}),
        json!({"type": "typing", "typing": true}),
    ] {
        peer.send(message).await;
        assert!(peer.error().await.starts_with("log in first"));
    }
    assert_eq!(peer.login("late").await["success"], true);
}

#[tokio::test]
async fn a_broadcast_goes_to_everyone_but_its_sender() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;

    // Read alice's queue so far (the joins), so that what follows is all.
    assert_eq!(
        alice.next_of("users").await["users"],
        json!(["alice", "bob"])
    );
    assert_eq!(
        alice.next_of("users").await["users"],
        json!(["alice", "bob", "carol"])
    );

    alice.broadcast("hello 你好 <b>").await;
    let expected = json!({"type": "broadcast", "nickname": "alice", "message": "hello 你好 <b>"});
    assert_eq!(bob.next_of("broadcast").await, expected);
    assert_eq!(carol.next_of("broadcast").await, expected);
    // Her own message did not come back to alice.
    alice.nothing_queued().await;
}

#[tokio::test]
async fn the_sender_is_who_logged_in_whatever_the_message_claims() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    alice
        .send(json!({"type": "broadcast", "message": "hi", "nickname": "bob"}))
        .await;
    assert_eq!(bob.next_of("broadcast").await["nickname"], "alice");
    alice
        .send(json!({"type": "typing", "typing": true, "nickname": "bob"}))
        .await;
    assert_eq!(bob.next_of("typing").await["nickname"], "alice");
}

#[tokio::test]
async fn a_private_message_reaches_one_person() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("Bob").await;
    let mut carol = server.login("carol").await;

    alice
        .send(json!({"type": "p2p", "to": "bob", "message": "psst"}))
        .await;
    assert_eq!(
        bob.next_of("p2p").await,
        json!({"type": "p2p", "from": "alice", "to": "Bob", "message": "psst"})
    );
    alice
        .send(json!({"type": "p2p", "to": "dave", "message": "anyone?"}))
        .await;
    assert_eq!(
        alice.next_of("error").await["message"],
        "dave is not online"
    );
    // carol, who logged in last, was sent nothing since.
    carol.nothing_queued().await;
}

#[tokio::test]
async fn typing_goes_to_the_others() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    // Read the joins, so that what follows is all there is.
    assert_eq!(
        alice.next_of("users").await["users"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        alice.next_of("users").await["users"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    for typing in [true, false] {
        alice
            .send(json!({"type": "typing", "typing": typing}))
            .await;
        let expected = json!({"type": "typing", "nickname": "alice", "typing": typing});
        assert_eq!(bob.next_of("typing").await, expected);
        assert_eq!(carol.next_of("typing").await, expected);
    }
    alice.nothing_queued().await;

    alice.send(json!({"type": "typing", "typing": "yes"})).await;
    let error = alice.error().await;
    assert!(error.contains("field `typing`"), "{error}");
}

#[tokio::test]
async fn the_users_list_is_pushed_to_everyone_on_every_change() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await; // her push: [alice]
    let mut bob = server.login("bob").await;
    assert_eq!(alice.next().await["message"], "bob joined, 2 online");
    assert_eq!(
        alice.next().await,
        json!({"type": "users", "users": ["alice", "bob"]})
    );
    bob.socket.close(None).await.ok();
    drop(bob);
    assert_eq!(alice.next().await["message"], "bob left, 1 online");
    assert_eq!(
        alice.next().await,
        json!({"type": "users", "users": ["alice"]})
    );
}

#[tokio::test]
async fn an_abrupt_drop_is_a_leave() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let bob = server.login("bob").await;
    assert_eq!(
        alice.next_of("users").await["users"],
        json!(["alice", "bob"])
    );
    // No Close frame: the TCP connection just goes (a killed tab).
    drop(bob);
    assert_eq!(alice.next().await["message"], "bob left, 1 online");
    assert_eq!(alice.next().await["users"], json!(["alice"]));
    assert_eq!(server.room.online(), 1);
}

#[tokio::test]
async fn a_frame_over_64_kib_is_closed_with_1009() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    // Just under the limit is fine.
    let big = "x".repeat(64 * 1024 - 100);
    bob.broadcast(&big).await;
    assert_eq!(alice.next_of("broadcast").await["message"], big);

    bob.send_frame(Message::text("x".repeat(64 * 1024 + 1)))
        .await;
    let close = bob.closed().await.expect("a close code");
    assert_eq!(close.code, CloseCode::Size);
    assert!(close.reason.contains("64 KiB"), "{}", close.reason);
    assert_eq!(
        alice.next_of("log").await["message"],
        "bob left (sent a message over 64 KiB), 1 online"
    );
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_is_closed_with_1007() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let not_utf8 = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    bob.send_frame(Message::Frame(not_utf8)).await;
    let close = bob.closed().await.expect("a close code");
    assert_eq!(close.code, CloseCode::Invalid);
    assert_eq!(
        alice.next_of("log").await["message"],
        "bob joined, 2 online"
    );
    assert_eq!(
        alice.next_of("log").await["message"],
        "bob left (sent text that is not UTF-8), 1 online"
    );
}

#[tokio::test]
async fn binary_and_invalid_json_get_an_error_and_the_connection_goes_on() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    alice.send_frame(Message::binary(vec![0, 1, 2])).await;
    assert!(
        alice
            .error()
            .await
            .starts_with("binary frames are not part of the chat")
    );

    for (text, expected) in [
        ("hello", "invalid message: expected value"),
        (
            r#"{"type":"broadcast""#,
            "invalid message: EOF while parsing",
        ),
        (r#"{"type":"shout"}"#, "unknown message type `shout`"),
        (r#"{"type":"broadcast","message":5}"#, "field `message`"),
        ("[1,2]", "must be a JSON object"),
    ] {
        alice.send_frame(Message::text(text)).await;
        let error = alice.error().await;
        assert!(error.contains(expected), "{text} → {error}");
    }
    alice.nothing_queued().await;
}

#[tokio::test]
async fn pings_are_answered() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    alice
        .send_frame(Message::Ping(b"are you there?"[..].into()))
        .await;
    match alice.frame().await {
        Some(Message::Pong(payload)) => assert_eq!(&payload[..], b"are you there?"),
        other => panic!("expected a pong, got {other:?}"),
    }
}

#[tokio::test]
async fn a_close_frame_ends_the_session_cleanly_and_is_not_relayed() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    assert_eq!(
        alice.next_of("users").await["users"],
        json!(["alice", "bob"])
    );
    bob.socket.close(None).await.unwrap();
    // The server answers the Close, and the stream ends.
    loop {
        match tokio::time::timeout(STEP, futures_util::StreamExt::next(&mut bob.socket))
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(_))) | None => break,
            Some(Ok(_)) => continue,
            Some(Err(error)) => panic!("not a clean close: {error}"),
        }
    }
    assert_eq!(alice.next().await["message"], "bob left, 1 online");
    assert_eq!(alice.next().await["type"], "users");
    alice.nothing_queued().await;
}

#[tokio::test]
async fn ctrl_c_closes_every_websocket_with_1001_and_the_server_returns() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut echo = support::Peer::connect(&server.url("/echo")).await;
    let addr = server.addr;
    // Ctrl-C while the clients read: each answers the server's Close.
    let stopping = tokio::spawn(server.stop());
    for peer in [&mut alice, &mut bob, &mut echo] {
        let close = peer.closed().await.expect("a close code");
        assert_eq!(close.code, CloseCode::Away);
        assert_eq!(close.reason.as_str(), "the server is shutting down");
    }
    tokio::time::timeout(STEP, stopping)
        .await
        .expect("the server returns")
        .unwrap();
    // Nothing listens any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn two_languages_share_one_room_each_told_in_their_own() {
    let server = TestServer::start().await;
    // alice's client names no language: the server's (English here).
    let mut alice = server.login("alice").await;
    // 小李's page asks on the URL, as chat.js does.
    let mut li = server.login_at("/ws?lang=zh-CN", "小李").await;
    assert_eq!(alice.next().await["message"], "小李 joined, 2 online");
    // 小王's client sends only Accept-Language with its upgrade.
    let url = server.url("/ws");
    let mut wang =
        support::Peer::connect_with(&url, &[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")]).await;
    wang.send(json!({"type": "broadcast", "message": "hi"}))
        .await;
    assert_eq!(
        wang.error().await,
        r#"请先登录：{"type":"login","nickname":"你的昵称"}"#
    );
    let answer = wang.login("小王").await;
    assert_eq!(answer["message"], "登录成功，欢迎你，小王！当前在线人数：3");
    // One join, told in two languages.
    assert_eq!(
        alice.next_of("log").await["message"],
        "小王 joined, 3 online"
    );
    assert_eq!(
        li.next_of("log").await["message"],
        "小王 进入了聊天室，当前在线人数：3"
    );
    // Errors on the wire, in Chinese.
    wang.send_frame(Message::text("hello")).await;
    let error = wang.next_of("error").await;
    assert_eq!(
        error["message"],
        "消息无效：这不是合法的 JSON（第 1 行第 1 列附近出错）"
    );
    wang.send(json!({"type": "p2p", "to": "dave", "message": "在吗"}))
        .await;
    assert_eq!(wang.error().await, "dave 不在线");
    // ?lang= wins over Accept-Language.
    let mut en =
        support::Peer::connect_with(&server.url("/ws?lang=en"), &[("accept-language", "zh-CN")])
            .await;
    assert_eq!(
        en.login("ALICE").await["message"],
        "nickname ALICE is taken, choose another"
    );

    // A leave, and the Close at Ctrl-C, in each one's language.
    drop(alice);
    assert_eq!(
        li.next_of("log").await["message"],
        "alice 离开了聊天室，当前在线人数：2"
    );
    let stopping = tokio::spawn(server.stop());
    assert_eq!(li.closed().await.unwrap().reason.as_str(), "服务端正在关闭");
    tokio::time::timeout(STEP, stopping).await.unwrap().unwrap();
}
