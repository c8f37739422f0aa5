//! ws-chat's room without sockets: each member's queue is read by the test
//! as its writer task would, so each rule (login, who receives what, a full
//! queue) is seen directly. (tcp-chat's `tests/room_rules.rs` checks its
//! parallel room the same way.)

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use common::chat::{LoginResult, ServerMessage};
use ws_chat::Lang;
use ws_chat::room::{self, Inbox, Outbox, Room, Why};

/// One client: its outbox, and the receiving end we read as its socket would.
struct Client {
    outbox: Outbox,
    inbox: Inbox,
}

impl Client {
    /// A client whose queue holds `capacity` frames (bytes unbounded).
    fn new(capacity: usize) -> Self {
        let (outbox, inbox) = room::queue(capacity, usize::MAX);
        Self { outbox, inbox }
    }

    /// Everything queued for this client so far, each frame read back as
    /// the message it is.
    fn received(&mut self) -> Vec<ServerMessage> {
        let mut all = Vec::new();
        while let Some(frame) = self.inbox.try_recv() {
            all.push(serde_json::from_str(&frame).unwrap());
        }
        all
    }
}

/// A client that has logged in as `nickname`, with its queue emptied.
fn joined(room: &Room, nickname: &str) -> Client {
    joined_in(room, nickname, Lang::En)
}

/// The same, for a client whose connection asked for `lang`.
fn joined_in(room: &Room, nickname: &str, lang: Lang) -> Client {
    let mut client = Client::new(16);
    assert_eq!(
        room.join(nickname, &client.outbox, lang).as_deref(),
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
        room.join(" alice ", &alice.outbox, Lang::En).as_deref(),
        Some("alice")
    );
    assert_eq!(
        alice.received(),
        [login(true, "welcome, alice! 1 online", 1)]
    );

    let mut bob = Client::new(16);
    assert_eq!(
        room.join("bob", &bob.outbox, Lang::En).as_deref(),
        Some("bob")
    );
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
    assert_eq!(room.join("ALICE", &other.outbox, Lang::En), None);
    assert_eq!(
        other.received(),
        [login(false, "nickname ALICE is taken, choose another", 1)]
    );
    assert_eq!(room.join("", &other.outbox, Lang::En), None);
    assert!(matches!(&other.received()[..], [ServerMessage::Login(l)] if !l.success));
    // Nobody else heard of the failed attempts, and the client can try again.
    assert_eq!(alice.received(), []);
    assert_eq!(
        room.join("Alicia", &other.outbox, Lang::En).as_deref(),
        Some("Alicia")
    );
    assert_eq!(room.online(), 2);
}

#[test]
fn send_to_others_and_private() {
    let room = Room::new();
    let mut alice = joined(&room, "alice");
    let mut bob = joined(&room, "bob");
    alice.received();

    // socket.broadcast.emit: the sender is left out, whatever case it is in.
    let hi = ServerMessage::broadcast("alice", "hi");
    room.send_to_others("ALICE", &hi);
    assert_eq!(alice.received(), []);
    assert_eq!(bob.received(), [hi]);

    assert!(room.send_private("alice", "BOB", "psst"));
    let bob_got = bob.received();
    assert!(
        matches!(&bob_got[..], [ServerMessage::P2p(p)] if p.from == "alice" && p.to == "bob" && p.message == "psst"),
        "{bob_got:?}"
    );
    assert_eq!(alice.received(), []);
    assert!(
        !room.send_private("alice", "carol", "x"),
        "carol is not online"
    );
}

#[test]
fn users_are_pushed_to_everyone_as_the_room_is_now() {
    let room = Room::new();
    let mut alice = joined(&room, "alice");
    let mut bob = joined(&room, "bob");
    alice.received();
    room.send_users_to_all();
    let list = room.users_message();
    assert_eq!(alice.received(), std::slice::from_ref(&list));
    assert_eq!(bob.received(), [list]);
}

#[test]
fn leaving_is_announced_and_removing_is_silent() {
    let room = Room::new();
    let mut alice = joined(&room, "alice");
    let _bob = joined(&room, "bob");
    let _carol = joined(&room, "carol");
    alice.received();

    assert_eq!(room.leave("BOB", None), 2);
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

#[test]
fn each_member_hears_the_room_in_their_own_language() {
    let room = Room::new();
    let mut alice = joined_in(&room, "alice", Lang::En);
    let mut li = joined_in(&room, "小李", Lang::ZhCn);
    alice.received();

    // The newcomer's own answer is in the language of her connection,
    // in the seed's words.
    let mut wang = Client::new(16);
    room.join("小王", &wang.outbox, Lang::ZhCn).unwrap();
    assert_eq!(
        wang.received(),
        [login(true, "登录成功，欢迎你，小王！当前在线人数：3", 3)]
    );
    // One event, two languages.
    assert_eq!(
        alice.received(),
        [ServerMessage::log("小王 joined, 3 online")]
    );
    assert_eq!(
        li.received(),
        [ServerMessage::log("小王 进入了聊天室，当前在线人数：3")]
    );

    room.leave("alice", Some(Why::TooBig));
    assert_eq!(
        li.received(),
        [ServerMessage::log(
            "alice 离开了聊天室（发了超过 64 KiB 的消息），当前在线人数：2"
        )]
    );
    let mut other = Client::new(16);
    assert_eq!(room.join("小李", &other.outbox, Lang::ZhCn), None);
    assert_eq!(
        other.received(),
        [login(
            false,
            "登录失败：昵称 小李 已经有人用了，请换一个",
            2
        )]
    );
}

#[tokio::test]
async fn a_full_queue_marks_that_client_overflowed_and_nobody_else() {
    let room = Room::new();
    let mut fast = joined(&room, "fast");
    let slow = Client::new(2);
    room.join("slow", &slow.outbox, Lang::En).unwrap(); // its welcome fills 1 of 2
    for n in 0..3 {
        room.send_to_others("nobody", &ServerMessage::broadcast("fast", n.to_string()));
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
    let line = |text: &str| -> room::Frame { Arc::from(text) };
    let (outbox, mut inbox) = room::queue(100, 10);
    outbox.push(line("abcd"));
    outbox.push(line("efgh"));
    // 8 of 10 bytes waiting: 4 more would be 12.
    outbox.push(line("ijkl"));
    let flagged = tokio::time::timeout(Duration::from_secs(5), outbox.overflowed());
    flagged.await.expect("over the byte budget");
    assert_eq!(inbox.try_recv().as_deref(), Some("abcd"));
    assert_eq!(inbox.recv().await.as_deref(), Some("efgh"));
    assert_eq!(inbox.try_recv(), None, "the refused frame was not queued");

    // Taken frames free their bytes: a fresh queue fills and drains forever.
    let (outbox, mut inbox) = room::queue(100, 10);
    for round in 0..100 {
        let text = format!("{round:08}");
        outbox.push(line(&text));
        assert_eq!(inbox.recv().await.as_deref(), Some(text.as_str()));
    }
    let not_flagged = tokio::time::timeout(Duration::from_millis(1), outbox.overflowed()).await;
    assert!(
        not_flagged.is_err(),
        "a reader that keeps up is never dropped"
    );
    drop(outbox);
    assert_eq!(inbox.recv().await, None);
}
