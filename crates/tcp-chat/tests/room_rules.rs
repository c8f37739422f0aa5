//! tcp-chat's room without sockets: each member's queue is read by the test
//! as its writer task would, so each rule (login, who receives what, a full
//! queue) is seen directly.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use common::chat::{LoginResult, ServerMessage};
use common::lang::Lang::{En, ZhCn};
use tcp_chat::room::{self, Inbox, Outbox, Room, Why};

/// One client: its outbox, and the receiving end we read as its socket would.
struct Client {
    outbox: Outbox,
    inbox: Inbox,
}

impl Client {
    /// A client whose queue holds `capacity` lines (bytes unbounded).
    fn new(capacity: usize) -> Self {
        let (outbox, inbox) = room::queue(capacity, usize::MAX);
        Self { outbox, inbox }
    }

    /// Everything queued for this client so far, each line read back as
    /// the message it is.
    fn received(&mut self) -> Vec<ServerMessage> {
        let mut all = Vec::new();
        while let Some(line) = self.inbox.try_recv() {
            assert_eq!(line.last(), Some(&b'\n'), "a line ends with a newline");
            all.push(serde_json::from_slice(&line).unwrap());
        }
        all
    }
}

/// A client that has logged in as `nickname`, with its queue emptied.
fn joined(room: &Room, nickname: &str) -> Client {
    let mut client = Client::new(16);
    assert_eq!(
        room.join(nickname, &client.outbox, En).as_deref(),
        Some(nickname)
    );
    client.received();
    client
}

fn login(success: bool, message: &str, sum_users: usize) -> ServerMessage {
    ServerMessage::Login(LoginResult {
        success,
        message: message.into(),
        sum_users,
    })
}

#[test]
fn login_answers_and_announces() {
    let room = Room::new();
    let mut alice = Client::new(16);
    assert_eq!(
        room.join(" alice ", &alice.outbox, En).as_deref(),
        Some("alice")
    );
    assert_eq!(
        alice.received(),
        [login(true, "welcome, alice! 1 online", 1)]
    );

    let mut bob = Client::new(16);
    assert_eq!(room.join("bob", &bob.outbox, En).as_deref(), Some("bob"));
    assert_eq!(bob.received(), [login(true, "welcome, bob! 2 online", 2)]);
    assert_eq!(
        alice.received(),
        [ServerMessage::log("bob joined, 2 online")]
    );
    assert_eq!(room.users(), ["alice", "bob"]);
}

#[test]
fn a_taken_or_bad_nickname_is_refused_with_the_reason() {
    let room = Room::new();
    let mut alice = joined(&room, "alice");
    let mut other = Client::new(16);
    assert_eq!(room.join("ALICE", &other.outbox, En), None);
    assert_eq!(
        other.received(),
        [login(false, "nickname ALICE is taken, choose another", 1)]
    );
    assert_eq!(room.join("", &other.outbox, En), None);
    assert!(matches!(&other.received()[..], [ServerMessage::Login(l)] if !l.success));
    // Nobody else heard of the failed attempts, and the client can try again.
    assert_eq!(alice.received(), []);
    assert_eq!(
        room.join("Alicia", &other.outbox, En).as_deref(),
        Some("Alicia")
    );
    assert_eq!(room.online(), 2);
}

#[test]
fn send_to_all_and_private() {
    let room = Room::new();
    let mut alice = joined(&room, "alice");
    let mut bob = joined(&room, "bob");
    alice.received();

    let hi = ServerMessage::broadcast("alice", "hi");
    room.send_to_all(&hi);
    // The seed writes a broadcast to every socket, the sender's too.
    assert_eq!(alice.received(), std::slice::from_ref(&hi));
    assert_eq!(bob.received(), [hi]);

    room.send_private("alice", "BOB", "psst", En).unwrap();
    let bob_got = bob.received();
    assert!(
        matches!(&bob_got[..], [ServerMessage::P2p(p)] if p.from == "alice" && p.to == "bob" && p.message == "psst"),
        "{bob_got:?}"
    );
    // The sender gets the server's copy: its proof of delivery.
    assert_eq!(alice.received(), bob_got);
    assert_eq!(
        room.send_private("alice", "carol", "x", En),
        Err("carol is not online".into())
    );
}

#[test]
fn leaving_is_announced_and_removing_is_silent() {
    let room = Room::new();
    let mut alice = joined(&room, "alice");
    let _bob = joined(&room, "bob");
    let _carol = joined(&room, "carol");
    alice.received();

    room.leave("BOB", None);
    assert_eq!(alice.received(), [ServerMessage::log("bob left, 2 online")]);
    room.leave("carol", Some(Why::TooSlow));
    assert_eq!(
        alice.received(),
        [ServerMessage::log(
            "carol left (too slow to keep up: dropped), 1 online"
        )]
    );
    room.leave("carol", None); // twice: nothing more
    room.remove("alice");
    assert_eq!(alice.received(), []);
    assert_eq!(room.online(), 0);
}

#[tokio::test]
async fn a_full_queue_marks_that_client_overflowed_and_nobody_else() {
    let room = Room::new();
    let mut fast = joined(&room, "fast");
    let slow = Client::new(2);
    room.join("slow", &slow.outbox, En).unwrap(); // its welcome fills 1 of 2
    for n in 0..3 {
        room.send_to_all(&ServerMessage::broadcast("fast", n.to_string()));
        fast.received();
    }
    // The third message found slow's queue full: never waited, just flagged.
    tokio::time::timeout(Duration::from_secs(5), slow.outbox.overflowed())
        .await
        .expect("slow client flagged");
    let fast_flagged =
        tokio::time::timeout(Duration::from_millis(1), fast.outbox.overflowed()).await;
    assert!(
        fast_flagged.is_err(),
        "a client that reads is never dropped"
    );
}

#[tokio::test]
async fn a_queue_bounded_in_bytes_overflows_on_bytes_and_frees_them_as_they_are_taken() {
    let line = |text: &str| -> room::Line { Arc::from(text.as_bytes()) };
    let (outbox, mut inbox) = room::queue(100, 10);
    outbox.push(line("abcd"));
    outbox.push(line("efgh"));
    // 8 of 10 bytes waiting: 4 more would be 12.
    outbox.push(line("ijkl"));
    let flagged = tokio::time::timeout(Duration::from_secs(5), outbox.overflowed());
    flagged.await.expect("over the byte budget");
    assert_eq!(inbox.try_recv().as_deref(), Some(&b"abcd"[..]));
    assert_eq!(inbox.recv().await.as_deref(), Some(&b"efgh"[..]));
    assert_eq!(inbox.try_recv(), None, "the refused line was not queued");

    // Taken lines free their bytes: a fresh queue fills and drains forever.
    let (outbox, mut inbox) = room::queue(100, 10);
    for round in 0..100 {
        let text = format!("{round:08}");
        outbox.push(line(&text));
        assert_eq!(inbox.recv().await.as_deref(), Some(text.as_bytes()));
    }
    let not_flagged = tokio::time::timeout(Duration::from_millis(1), outbox.overflowed()).await;
    assert!(
        not_flagged.is_err(),
        "a reader that keeps up is never dropped"
    );
    drop(outbox);
    assert_eq!(inbox.recv().await, None);
}

/// Each member keeps its language: one notice, written per receiver, with
/// the seed's own Chinese wording.
#[test]
fn notices_are_written_in_each_receiver_s_language() {
    let room = Room::new();
    let mut english = Client::new(16);
    let mut chinese = Client::new(16);
    room.join("alice", &english.outbox, En).unwrap();
    room.join("李雷", &chinese.outbox, ZhCn).unwrap();
    let welcome = chinese.received();
    assert!(
        matches!(&welcome[..], [ServerMessage::Login(LoginResult { message, .. })]
            if message == "登录成功，欢迎你，李雷！当前在线人数：2"),
        "{welcome:?}"
    );
    assert_eq!(
        english.received()[1..],
        [ServerMessage::log("李雷 joined, 2 online")]
    );

    let mut bob = Client::new(16);
    room.join("bob", &bob.outbox, En).unwrap();
    bob.received();
    english.received();
    assert_eq!(
        chinese.received(),
        [ServerMessage::log("bob 进入了聊天室，当前在线人数：3")]
    );
    room.leave("bob", Some(Why::Idle(Duration::from_secs(30))));
    assert_eq!(
        chinese.received(),
        [ServerMessage::log(
            "bob 离开了聊天室（30 秒没有发消息），当前在线人数：2"
        )]
    );
    assert_eq!(
        english.received(),
        [ServerMessage::log("bob left (idle for 30s), 2 online")]
    );

    // A refused login, in Chinese: the seed's 登录失败.
    let mut late = Client::new(4);
    assert_eq!(room.join("ALICE", &late.outbox, ZhCn), None);
    let refused = late.received();
    assert!(
        matches!(&refused[..], [ServerMessage::Login(LoginResult { success: false, message, .. })]
            if message == "登录失败：昵称 ALICE 已经有人用了，请换一个"),
        "{refused:?}"
    );
    assert_eq!(
        room.send_private("李雷", "carol", "x", ZhCn),
        Err("carol 不在线".into())
    );
}
