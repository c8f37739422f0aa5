//! Chapter 7 as users see it: the real `tcp-chat server` (twice) and
//! `ws-chat` (once) sharing one room through a real `redis-server`, each a
//! process of its own, and the test playing their users over loopback:
//! raw JSON lines over TCP for tcp-chat, JSON text frames on
//! `ws://ADDR/ws` for ws-chat. One test per rule of issue 13's "Semantics".
//!
//! Each test starts its own Redis (on a Unix socket in a temporary
//! directory) and its own nodes, so the tests run side by side. Those that
//! need `redis-server` are ignored by default; CI runs them with
//! `cargo test -p chat-cluster -- --include-ignored`.
//!
//! Nothing here sleeps to wait for readiness: a node is ready when it
//! prints `listening on …` (it has joined Redis by then), a login is
//! decided when its answer arrives, and a node has heard of a user when
//! its users see the `… joined` notice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use testkit::STEP;
use testkit::process::Process;
use testkit::redis::RedisServer;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

// ───────────────────────────── the nodes ─────────────────────────────

/// The path of one of the workspace's binaries, built once for all tests.
fn binary(name: &str) -> PathBuf {
    static BINARIES: OnceLock<Vec<(String, PathBuf)>> = OnceLock::new();
    let binaries = BINARIES.get_or_init(checks::workspace_binaries);
    let found = binaries.iter().find(|(built, _)| built == name);
    found.map(|(_, path)| path.clone()).unwrap()
}

/// One chat server process, in English, with its log (stderr) kept.
struct Node {
    process: Process,
    addr: SocketAddr,
    /// Its log (stderr) so far, line by line, as it comes.
    log: watch::Receiver<Vec<String>>,
}

impl Node {
    /// `tcp-chat server --port 0 --redis URL` in the room `lobby`.
    async fn tcp_chat(redis: &str) -> Node {
        Node::tcp_chat_in(redis, "lobby").await
    }

    /// `tcp-chat server --port 0 --redis URL --room ROOM`.
    async fn tcp_chat_in(redis: &str, room: &str) -> Node {
        let args = ["server", "--port", "0", "--redis", redis, "--room", room];
        Node::start("tcp-chat", &args).await
    }

    /// `ws-chat --port 0 --redis URL`, room `lobby`.
    async fn ws_chat(redis: &str) -> Node {
        Node::start("ws-chat", &["--port", "0", "--redis", redis]).await
    }

    /// Starts `name args… --lang en` and waits for `listening on IP:PORT`.
    async fn start(name: &str, args: &[&str]) -> Node {
        let mut args = args.to_vec();
        args.extend(["--lang", "en"]);
        let (mut process, addr) = Process::server(binary(name), &args).await;
        // Read its log as it comes, so that it never blocks on a full pipe.
        let stderr = process.child.stderr.take().unwrap();
        let (lines, log) = watch::channel(Vec::new());
        tokio::spawn(async move {
            let mut stderr = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = stderr.next_line().await {
                lines.send_modify(|lines| lines.push(line));
            }
        });
        Node { process, addr, log }
    }

    /// Whether it is still running (it has not exited or crashed).
    fn is_running(&mut self) -> bool {
        self.process.child.try_wait().unwrap().is_none()
    }

    /// Its log lines so far.
    fn log(&self) -> Vec<String> {
        self.log.borrow().clone()
    }

    /// Waits (within [`STEP`]) for a log line that contains `text`.
    async fn logs(&self, text: &str) {
        let mut log = self.log.clone();
        let found = log.wait_for(|lines| lines.iter().any(|line| line.contains(text)));
        let found = tokio::time::timeout(STEP, found).await;
        assert!(
            matches!(found, Ok(Ok(_))),
            "no {text:?} in {:#?}",
            self.log()
        );
    }
}

/// Two tcp-chat nodes and one ws-chat node on `redis`, started side by side.
async fn three_nodes(redis: &RedisServer) -> (Node, Node, Node) {
    let url = redis.url();
    tokio::join!(
        Node::tcp_chat(&url),
        Node::tcp_chat(&url),
        Node::ws_chat(&url)
    )
}

// ───────────────────────────── the users ─────────────────────────────

/// A chat client: it sends JSON messages and receives them.
trait Chat {
    async fn send(&mut self, message: Value);

    /// The next message; `None` once the server has closed the connection.
    async fn receive(&mut self) -> Option<Value>;

    /// The next message, within [`STEP`].
    async fn next(&mut self) -> Value {
        let next = tokio::time::timeout(STEP, self.receive()).await;
        next.expect("a message in time")
            .expect("the connection is open")
    }

    /// The first message that `wanted` accepts, within [`STEP`], skipping others.
    async fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        self.until_within(STEP, wanted).await
    }

    /// The first message that `wanted` accepts, within `limit`.
    async fn until_within(&mut self, limit: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + limit;
        let mut skipped = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.receive()).await {
                Ok(Some(message)) if wanted(&message) => return message,
                Ok(Some(message)) => skipped.push(message),
                Ok(None) => panic!("the connection closed; before that: {skipped:#?}"),
                Err(_) => panic!("not the message wanted within {limit:?}; got {skipped:#?}"),
            }
        }
    }

    /// Skips messages until exactly `expected` arrives.
    async fn expect(&mut self, expected: Value) {
        self.until(|message| *message == expected).await;
    }

    /// Asserts that nothing arrives for `quiet`.
    async fn hears_nothing_for(&mut self, quiet: Duration) {
        if let Ok(message) = tokio::time::timeout(quiet, self.receive()).await {
            panic!("expected silence, got {message:?}");
        }
    }

    /// `{"type":"users"}`, and the list in the answer.
    async fn users(&mut self) -> Value {
        self.send(json!({"type": "users"})).await;
        self.until(is("users")).await["users"].clone()
    }

    /// Sends a login and returns the answer (the first message: nothing
    /// else reaches a client before it has logged in).
    async fn try_login(&mut self, nickname: &str) -> Value {
        self.send(json!({"type": "login", "nickname": nickname}))
            .await;
        let answer = self.next().await;
        assert_eq!(answer["type"], "login", "{answer}");
        answer
    }
}

/// A terminal's client of tcp-chat: one JSON object per line.
struct TcpUser {
    lines: Lines<BufReader<OwnedReadHalf>>,
    writer: OwnedWriteHalf,
}

impl TcpUser {
    async fn connect(node: &Node) -> TcpUser {
        let (reader, writer) = TcpStream::connect(node.addr).await.unwrap().into_split();
        let lines = BufReader::new(reader).lines();
        TcpUser { lines, writer }
    }

    /// Connects and logs in as `nickname` (which must succeed).
    async fn login(node: &Node, nickname: &str) -> TcpUser {
        let mut user = TcpUser::connect(node).await;
        let answer = user.try_login(nickname).await;
        assert_eq!(answer["success"], true, "{answer}");
        user
    }

    /// Sends raw bytes (several lines at once, say).
    async fn write(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }
}

impl Chat for TcpUser {
    async fn send(&mut self, message: Value) {
        self.write(format!("{message}\n").as_bytes()).await;
    }

    async fn receive(&mut self) -> Option<Value> {
        let line = self.lines.next_line().await.unwrap()?;
        Some(serde_json::from_str(&line).unwrap())
    }
}

/// A browser page's connection to ws-chat: one JSON object per text frame.
struct WsUser {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsUser {
    async fn connect(node: &Node) -> WsUser {
        let url = format!("ws://{}/ws?lang=en", node.addr);
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        WsUser { ws }
    }

    async fn login(node: &Node, nickname: &str) -> WsUser {
        let mut user = WsUser::connect(node).await;
        let answer = user.try_login(nickname).await;
        assert_eq!(answer["success"], true, "{answer}");
        user
    }

    /// Closes the page: a Close frame, as a browser sends.
    async fn close(mut self) {
        self.ws.close(None).await.unwrap();
        while let Some(Ok(_)) = self.ws.next().await {}
    }
}

impl Chat for WsUser {
    async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .unwrap();
    }

    async fn receive(&mut self) -> Option<Value> {
        loop {
            match self.ws.next().await? {
                Ok(Message::Text(text)) => return Some(serde_json::from_str(&text).unwrap()),
                Ok(Message::Close(_)) => return None,
                Ok(_) => {}
                Err(error) => panic!("websocket: {error}"),
            }
        }
    }
}

// ───────────────────────────── messages ─────────────────────────────

fn broadcast(message: &str) -> Value {
    json!({"type": "broadcast", "message": message})
}

/// A broadcast as its receivers get it.
fn broadcast_from(nickname: &str, message: &str) -> Value {
    json!({"type": "broadcast", "nickname": nickname, "message": message})
}

fn p2p(to: &str, message: &str) -> Value {
    json!({"type": "p2p", "to": to, "message": message})
}

fn p2p_from(from: &str, to: &str, message: &str) -> Value {
    json!({"type": "p2p", "from": from, "to": to, "message": message})
}

fn log(message: &str) -> Value {
    json!({"type": "log", "message": message})
}

/// Accepts messages of this type.
fn is(kind: &'static str) -> impl Fn(&Value) -> bool {
    move |message| message["type"] == kind
}

/// The page's list of who is online, pushed on every change.
fn users_list(users: &[&str]) -> Value {
    json!({"type": "users", "users": users})
}

// ───────────────────────────── the rules ─────────────────────────────

/// Broadcast reaches every user on every node; tcp-chat's sender gets its
/// own line back (as on one server), ws-chat's does not (its page shows it).
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_broadcast_reaches_every_user_on_every_node() {
    let redis = RedisServer::start().await;
    let (a, b, w) = three_nodes(&redis).await;
    let mut alice = TcpUser::login(&a, "alice").await;
    let mut bob = TcpUser::login(&b, "bob").await;
    let mut carol = WsUser::login(&w, "carol").await;

    alice.send(broadcast("hello from a terminal")).await;
    let from_alice = broadcast_from("alice", "hello from a terminal");
    assert_eq!(alice.until(is("broadcast")).await, from_alice);
    assert_eq!(bob.until(is("broadcast")).await, from_alice);
    assert_eq!(carol.until(is("broadcast")).await, from_alice);

    carol.send(broadcast("hello from a browser")).await;
    let from_carol = broadcast_from("carol", "hello from a browser");
    assert_eq!(alice.until(is("broadcast")).await, from_carol);
    assert_eq!(bob.until(is("broadcast")).await, from_carol);

    // Bob answers once carol's message has reached him: had carol's own
    // come back to her (from her server or through Redis), it would be
    // before bob's.
    bob.send(broadcast("hello from another terminal")).await;
    let from_bob = broadcast_from("bob", "hello from another terminal");
    assert_eq!(carol.until(is("broadcast")).await, from_bob);
    assert_eq!(bob.until(is("broadcast")).await, from_bob);
    assert_eq!(alice.until(is("broadcast")).await, from_bob);
}

/// A private message reaches the named user on whichever node holds them;
/// an unknown name is answered as one server answers it.
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_private_message_reaches_a_user_on_another_node() {
    let redis = RedisServer::start().await;
    let (a, b, w) = three_nodes(&redis).await;
    let mut alice = TcpUser::login(&a, "alice").await;
    let mut bob = TcpUser::login(&b, "bob").await;
    alice.expect(log("bob joined, 2 online")).await;
    let mut carol = WsUser::login(&w, "carol").await;
    alice.expect(log("carol joined, 3 online")).await;
    carol.expect(users_list(&["alice", "bob", "carol"])).await;

    // tcp-chat → tcp-chat, the name in any case: the sender gets its copy.
    alice.send(p2p("Bob", "psst, bob")).await;
    let to_bob = p2p_from("alice", "bob", "psst, bob");
    assert_eq!(bob.until(is("p2p")).await, to_bob);
    assert_eq!(alice.until(is("p2p")).await, to_bob);

    // tcp-chat → ws-chat.
    alice.send(p2p("carol", "psst, carol")).await;
    let to_carol = p2p_from("alice", "carol", "psst, carol");
    assert_eq!(carol.until(is("p2p")).await, to_carol);
    assert_eq!(alice.until(is("p2p")).await, to_carol);

    // ws-chat → tcp-chat; bob's next private message is this one (he did
    // not get alice's to carol).
    carol.send(p2p("bob", "from the browser")).await;
    let from_carol = p2p_from("carol", "bob", "from the browser");
    assert_eq!(bob.until(is("p2p")).await, from_carol);

    // Nobody of that name anywhere: the error one server gives.
    let alone = Node::start("tcp-chat", &["server", "--port", "0"]).await;
    let mut single = TcpUser::login(&alone, "alice").await;
    single.send(p2p("nobody", "hello?")).await;
    let single_error = single.until(is("error")).await;
    assert_eq!(
        single_error,
        json!({"type": "error", "message": "nobody is not online"})
    );
    alice.send(p2p("nobody", "hello?")).await;
    assert_eq!(alice.until(is("error")).await, single_error);

    let alone = Node::start("ws-chat", &["--port", "0"]).await;
    let mut single = WsUser::login(&alone, "carol").await;
    single.send(p2p("nobody", "hello?")).await;
    let single_error = single.until(is("error")).await;
    assert_eq!(
        single_error,
        json!({"type": "error", "message": "nobody is not online"})
    );
    carol.send(p2p("nobody", "hello?")).await;
    assert_eq!(carol.until(is("error")).await, single_error);
}

/// Join and leave notices reach every node with the cluster's count, and
/// `/users` (the page's list) shows every node's users.
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn joins_leaves_and_users_cover_the_whole_cluster() {
    let redis = RedisServer::start().await;
    let (a, b, w) = three_nodes(&redis).await;
    let welcome = |nickname: &str, online: usize| {
        let message = format!("welcome, {nickname}! {online} online");
        json!({"type": "login", "success": true, "message": message, "sumUsers": online})
    };

    let mut alice = TcpUser::connect(&a).await;
    assert_eq!(alice.try_login("alice").await, welcome("alice", 1));
    let mut bob = TcpUser::connect(&b).await;
    assert_eq!(bob.try_login("bob").await, welcome("bob", 2));
    alice.expect(log("bob joined, 2 online")).await;
    let mut carol = WsUser::connect(&w).await;
    assert_eq!(carol.try_login("carol").await, welcome("carol", 3));
    alice.expect(log("carol joined, 3 online")).await;
    bob.expect(log("carol joined, 3 online")).await;

    let everyone = json!(["alice", "bob", "carol"]);
    assert_eq!(alice.users().await, everyone);
    assert_eq!(bob.users().await, everyone);
    assert_eq!(carol.users().await, everyone);

    drop(bob);
    alice.expect(log("bob left, 2 online")).await;
    carol.expect(log("bob left, 2 online")).await;
    carol.expect(users_list(&["alice", "carol"])).await;
    assert_eq!(alice.users().await, json!(["alice", "carol"]));

    carol.close().await;
    alice.expect(log("carol left, 1 online")).await;
    assert_eq!(alice.users().await, json!(["alice"]));
}

/// Two users on two nodes log in the same name (in different cases) at
/// the same moment, round after round: exactly one of them gets it, and
/// the name is then taken on the third node too.
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_nickname_is_unique_across_the_cluster() {
    const ROUNDS: usize = 20;
    let redis = RedisServer::start().await;
    let (a, b, w) = three_nodes(&redis).await;
    let taken = |nickname: &str| format!("nickname {nickname} is taken, choose another");
    for round in 0..ROUNDS {
        let (upper, lower) = (format!("Name{round}"), format!("name{round}"));
        let mut on_a = TcpUser::connect(&a).await;
        let mut on_b = TcpUser::connect(&b).await;
        let (to_a, to_b) = tokio::join!(on_a.try_login(&upper), on_b.try_login(&lower));
        let winners = [&to_a, &to_b]
            .iter()
            .filter(|answer| answer["success"] == true)
            .count();
        assert_eq!(winners, 1, "round {round}: {to_a} and {to_b}");
        let (loser, answer) = if to_a["success"] == true {
            (&lower, &to_b)
        } else {
            (&upper, &to_a)
        };
        assert_eq!(answer["message"], taken(loser), "round {round}");

        // A browser tries the name in yet another case.
        let shouted = format!("NAME{round}");
        let mut on_w = WsUser::connect(&w).await;
        let answer = on_w.try_login(&shouted).await;
        assert_eq!(answer["success"], false, "round {round}: {answer}");
        assert_eq!(answer["message"], taken(&shouted), "round {round}");
    }

    // The same race between a terminal and a browser.
    for round in ROUNDS..ROUNDS * 2 {
        let (upper, lower) = (format!("Name{round}"), format!("name{round}"));
        let mut on_a = TcpUser::connect(&a).await;
        let mut on_w = WsUser::connect(&w).await;
        let (to_a, to_w) = tokio::join!(on_a.try_login(&upper), on_w.try_login(&lower));
        let winners = [&to_a, &to_w]
            .iter()
            .filter(|answer| answer["success"] == true)
            .count();
        assert_eq!(winners, 1, "round {round}: {to_a} and {to_w}");
    }
}

/// 200 broadcasts from one sender arrive in the order sent, at a user on
/// the sender's node, on the other tcp-chat node, and on the ws-chat node.
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn messages_from_one_sender_arrive_in_order_everywhere() {
    const MESSAGES: usize = 200;
    let redis = RedisServer::start().await;
    let (a, b, w) = three_nodes(&redis).await;
    let mut alice = TcpUser::login(&a, "alice").await;
    let mut dave = TcpUser::login(&a, "dave").await;
    let mut bob = TcpUser::login(&b, "bob").await;
    let mut carol = WsUser::login(&w, "carol").await;

    // All 200 lines in one write: the server reads them as fast as it can.
    let sent: Vec<String> = (0..MESSAGES).map(|n| format!("message {n}")).collect();
    let lines: String = sent.iter().map(|m| format!("{}\n", broadcast(m))).collect();
    alice.write(lines.as_bytes()).await;

    async fn received(user: &mut impl Chat) -> Vec<String> {
        let mut messages = Vec::new();
        while messages.len() < MESSAGES {
            let message = user.until(is("broadcast")).await;
            assert_eq!(message["nickname"], "alice", "{message}");
            messages.push(message["message"].as_str().unwrap().to_owned());
        }
        messages
    }
    assert_eq!(received(&mut alice).await, sent, "alice's own");
    assert_eq!(received(&mut dave).await, sent, "dave, on alice's node");
    assert_eq!(
        received(&mut bob).await,
        sent,
        "bob, on the other tcp-chat node"
    );
    assert_eq!(
        received(&mut carol).await,
        sent,
        "carol, on the ws-chat node"
    );
}

/// The server names the sender: extra fields a client adds (a nickname, a
/// `from`, another room) change nothing, on any node, and a node of
/// another room hears nothing.
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn the_server_sets_the_sender_and_the_room() {
    let redis = RedisServer::start().await;
    let (a, b, w) = three_nodes(&redis).await;
    let other = Node::tcp_chat_in(&redis.url(), "other").await;
    let mut alice = TcpUser::login(&a, "alice").await;
    let mut bob = TcpUser::login(&b, "bob").await;
    alice.expect(log("bob joined, 2 online")).await;
    let mut carol = WsUser::login(&w, "carol").await;
    alice.expect(log("carol joined, 3 online")).await;
    carol.expect(users_list(&["alice", "bob", "carol"])).await;
    let mut zed = TcpUser::login(&other, "zed").await;

    let forged = json!({
        "type": "broadcast", "message": "it was bob!",
        "nickname": "bob", "from": "bob", "room": "other",
    });
    alice.send(forged).await;
    let delivered = broadcast_from("alice", "it was bob!");
    assert_eq!(alice.until(is("broadcast")).await, delivered);
    assert_eq!(bob.until(is("broadcast")).await, delivered);
    assert_eq!(carol.until(is("broadcast")).await, delivered);

    let forged = json!({"type": "p2p", "to": "carol", "message": "psst", "from": "bob"});
    alice.send(forged).await;
    assert_eq!(
        carol.until(is("p2p")).await,
        p2p_from("alice", "carol", "psst")
    );

    // The other room: neither message, nor anyone of the lobby.
    zed.hears_nothing_for(Duration::from_millis(500)).await;
    assert_eq!(zed.users().await, json!(["zed"]));
}

/// A node killed with SIGKILL says nothing; within 15 s its users are gone
/// from the others' `/users` and counts, with a "left" notice, and their
/// names are free again.
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_killed_nodes_users_leave_the_cluster_within_15_s() {
    let redis = RedisServer::start().await;
    let (a, b, w) = three_nodes(&redis).await;
    let mut alice = TcpUser::login(&a, "alice").await;
    let _bob = TcpUser::login(&b, "bob").await;
    alice.expect(log("bob joined, 2 online")).await;
    let mut carol = WsUser::login(&w, "carol").await;
    alice.expect(log("carol joined, 3 online")).await;
    carol.expect(users_list(&["alice", "bob", "carol"])).await;

    b.process.signal("-KILL").await;
    let killed = Instant::now();
    let limit = Duration::from_secs(15);
    alice
        .until_within(limit, |message| *message == log("bob left, 2 online"))
        .await;
    assert_eq!(alice.users().await, json!(["alice", "carol"]));
    let left = limit.saturating_sub(killed.elapsed());
    carol
        .until_within(left, |message| *message == log("bob left, 2 online"))
        .await;
    carol.expect(users_list(&["alice", "carol"])).await;
    println!(
        "bob's departure was announced {:?} after the kill",
        killed.elapsed()
    );

    // The teacher's log on both surviving nodes says so.
    a.logs("bob left on another server, 2 online").await;
    w.logs("bob left on another server, 2 online").await;

    // bob's name is free again.
    let mut bob_again = TcpUser::connect(&a).await;
    assert_eq!(bob_again.try_login("bob").await["success"], true);
}

/// A node stopped with Ctrl-C (SIGINT) says goodbye for its users: the
/// others hear that they left at once, not after the 9 to 12 s a killed
/// node's users take to expire.
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_node_stopped_with_ctrl_c_announces_its_users_left() {
    let redis = RedisServer::start().await;
    let (a, mut b, mut w) = three_nodes(&redis).await;
    let mut alice = TcpUser::login(&a, "alice").await;
    let _bob = TcpUser::login(&b, "bob").await;
    alice.expect(log("bob joined, 2 online")).await;
    let _carol = WsUser::login(&w, "carol").await;
    alice.expect(log("carol joined, 3 online")).await;

    let at_once = Duration::from_secs(3);
    b.process.signal("-INT").await;
    alice
        .until_within(at_once, |message| *message == log("bob left, 2 online"))
        .await;
    assert!(b.process.exit().await.success());
    w.process.signal("-INT").await;
    alice
        .until_within(at_once, |message| *message == log("carol left, 1 online"))
        .await;
    assert!(w.process.exit().await.success());
    assert_eq!(alice.users().await, json!(["alice"]));
}

/// Redis stops mid-run: each node's own room goes on; what is said
/// meanwhile stays on its node and is not replayed when Redis is back;
/// then the nodes talk again. A name logged in on two nodes while they
/// could not check it ends with one owner, and the other user is asked to
/// log in again.
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn the_rooms_go_on_while_redis_is_away() {
    let mut redis = RedisServer::start().await;
    let (mut a, mut b, mut w) = three_nodes(&redis).await;
    let mut alice = TcpUser::login(&a, "alice").await;
    let mut dave = TcpUser::login(&a, "dave").await;
    let mut bob = TcpUser::login(&b, "bob").await;
    let mut carol = WsUser::login(&w, "carol").await;
    let mut frank = WsUser::login(&w, "frank").await;
    alice.expect(log("frank joined, 5 online")).await;
    bob.expect(log("frank joined, 5 online")).await;

    redis.stop().await;

    // Each node's room works on its own.
    alice.send(broadcast("alice, during the outage")).await;
    let from_alice = broadcast_from("alice", "alice, during the outage");
    assert_eq!(alice.until(is("broadcast")).await, from_alice);
    assert_eq!(dave.until(is("broadcast")).await, from_alice);
    bob.send(broadcast("bob, during the outage")).await;
    assert_eq!(
        bob.until(is("broadcast")).await,
        broadcast_from("bob", "bob, during the outage")
    );
    carol.send(broadcast("carol, during the outage")).await;
    let from_carol = broadcast_from("carol", "carol, during the outage");
    assert_eq!(frank.until(is("broadcast")).await, from_carol);

    // Logins go ahead on each node alone: zoe on both A and B; yara on A.
    let zoe_a = TcpUser::login(&a, "zoe").await;
    let zoe_b = TcpUser::login(&b, "Zoe").await;
    let mut yara_a = TcpUser::login(&a, "yara").await;

    redis.restart().await;

    // Until each node publishes and hears again: alice's, bob's and
    // carol's probes, each until the other two nodes' users hear one.
    // What was said during the outage would come before the first probe.
    let deadline = Instant::now() + Duration::from_secs(20);
    probe_until_heard(
        &mut alice,
        "alice",
        &mut [&mut bob],
        &mut [&mut carol],
        deadline,
    )
    .await;
    probe_until_heard(
        &mut bob,
        "bob",
        &mut [&mut alice],
        &mut [&mut carol],
        deadline,
    )
    .await;
    probe_until_heard(
        &mut carol,
        "carol",
        &mut [&mut alice, &mut bob],
        &mut [],
        deadline,
    )
    .await;

    // zoe: both were logged in meanwhile; once the nodes re-register their
    // users, one keeps the name and the other is asked to log in again.
    let (kept, mut keeper, mut lost, answer) = first_logged_out(zoe_a, zoe_b).await;
    assert_eq!(answer["success"], false);
    let (nickname, keepers) = if kept == 'A' {
        ("Zoe", "zoe")
    } else {
        ("zoe", "Zoe")
    };
    let text = format!(
        "while Redis was away, {nickname} logged in on another server of this room: \
         you are logged out, log in again with another nickname"
    );
    assert_eq!(answer["message"], text);
    assert_eq!(lost.try_login("zoe2").await["success"], true);
    keeper.send(broadcast("still zoe")).await;
    carol.expect(broadcast_from(keepers, "still zoe")).await;

    // yara, logged in on A meanwhile, logs in on B now: B refuses (A has
    // registered her again already), or B accepts and one of the two is
    // logged out later; either way one keeps the name.
    let mut yara_b = TcpUser::connect(&b).await;
    let answer = yara_b.try_login("yara").await;
    if answer["success"] == false {
        assert_eq!(answer["message"], "nickname yara is taken, choose another");
        println!("yara: B refused her, A had registered her again");
        yara_a.send(broadcast("still yara")).await;
        carol.expect(broadcast_from("yara", "still yara")).await;
    } else {
        let (kept, mut keeper, mut lost, answer) = first_logged_out(yara_a, yara_b).await;
        assert_eq!(answer["success"], false);
        println!("yara: both logged in, then {kept} kept the name");
        assert_eq!(lost.try_login("yara2").await["success"], true);
        keeper.send(broadcast("still yara")).await;
        carol.expect(broadcast_from("yara", "still yara")).await;
    }

    // Each node said once that Redis was gone, and that it is back; none exited.
    for node in [&mut a, &mut b, &mut w] {
        node.logs("Redis is back: subscribed again, users registered again")
            .await;
        let lost = "lost the connection to Redis";
        let said = node.log().iter().filter(|line| line.contains(lost)).count();
        assert_eq!(said, 1, "{:#?}", node.log());
        assert!(node.is_running(), "{:#?}", node.log());
    }
}

/// Sends numbered broadcasts from `sender` until every listener has heard
/// one (each then hears the rest in order), and checks that nobody heard
/// anything said during the outage (it would come first).
async fn probe_until_heard(
    sender: &mut impl Chat,
    name: &str,
    tcp: &mut [&mut TcpUser],
    ws: &mut [&mut WsUser],
    deadline: Instant,
) {
    let is_probe = |message: &Value| {
        assert!(
            !message.to_string().contains("during the outage"),
            "replayed after the outage: {message}"
        );
        message["type"] == "broadcast" && message["nickname"] == name
    };
    let wanted = |message: &Value| is_probe(message);
    for n in 0.. {
        assert!(
            Instant::now() < deadline,
            "{name}'s probes unheard after Redis came back"
        );
        sender.send(broadcast(&format!("probe {n}"))).await;
        let wait = Duration::from_millis(300);
        let mut heard = true;
        for user in tcp.iter_mut() {
            heard &= tokio::time::timeout(wait, user.until(wanted)).await.is_ok();
        }
        for user in ws.iter_mut() {
            heard &= tokio::time::timeout(wait, user.until(wanted)).await.is_ok();
        }
        if heard {
            return;
        }
    }
}

/// Waits (15 s at most) until one of two users of the same name is asked
/// to log in again. Returns which kept it ('A': the first), the one who
/// kept it, the other, and what the other was told.
async fn first_logged_out(mut on_a: TcpUser, mut on_b: TcpUser) -> (char, TcpUser, TcpUser, Value) {
    let refused = |message: &Value| message["type"] == "login" && message["success"] == false;
    let limit = Duration::from_secs(15);
    tokio::select! {
        answer = on_a.until_within(limit, refused) => ('B', on_b, on_a, answer),
        answer = on_b.until_within(limit, refused) => ('A', on_a, on_b, answer),
    }
}

/// A Redis that cannot be reached, or a URL that is not Redis's: one
/// sentence on stderr saying what to do, and exit status 1. No Redis needed.
#[tokio::test]
async fn start_errors_are_one_sentence_and_exit_1() {
    async fn run(program: &str, redis: &str) -> (std::process::ExitStatus, String) {
        let mut args = if program == "tcp-chat" {
            vec!["server"]
        } else {
            vec![]
        };
        args.extend(["--port", "0", "--lang", "en", "--redis", redis]);
        let (status, _, stderr) = Process::output(binary(program), &args).await;
        (status, stderr)
    }
    for program in ["tcp-chat", "ws-chat"] {
        for unreachable in ["redis://127.0.0.1:1", "unix:///nonexistent/redis.sock"] {
            let (status, stderr) = run(program, unreachable).await;
            assert_eq!(
                status.code(),
                Some(1),
                "{program} --redis {unreachable}: {stderr}"
            );
            let lines: Vec<&str> = stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{stderr}");
            let prefix = format!("{program}: cannot reach Redis at {unreachable} (");
            assert!(lines[0].starts_with(&prefix), "{stderr}");
            assert!(lines[0].contains("start one with `just redis`"), "{stderr}");
        }
        let (status, stderr) = run(program, "http://x").await;
        assert_eq!(status.code(), Some(1), "{program}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        let prefix = format!("{program}: --redis http://x: not a Redis URL (");
        assert!(lines[0].starts_with(&prefix), "{stderr}");
        assert!(
            lines[0].ends_with("write it like redis://127.0.0.1:6379"),
            "{stderr}"
        );
    }
}

/// A node that stops reading its subscription (frozen with SIGSTOP) is cut
/// off by Redis at the pub/sub output buffer limit instead of being
/// buffered for without bound, while the users of the other nodes miss
/// nothing; thawed, the node subscribes again and hears the room, having
/// missed a stretch of it (a gap, never a reordering).
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_node_that_cannot_keep_up_is_cut_off_and_comes_back() {
    const MOST: usize = 4000;
    let redis = RedisServer::start().await;
    let client = redis::Client::open(redis.url()).unwrap();
    let mut admin = client.get_multiplexed_async_connection().await.unwrap();
    // Redis's bound on what waits for one subscriber: 64 KiB here, so that
    // a few hundred KiB of chat cross it (Redis's default: 32 MiB).
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("client-output-buffer-limit")
        .arg("pubsub 64kb 64kb 0")
        .query_async(&mut admin)
        .await
        .unwrap();
    let (a, b, w) = three_nodes(&redis).await;
    let mut alice = TcpUser::login(&a, "alice").await;
    let mut bob = TcpUser::login(&b, "bob").await;
    alice.expect(log("bob joined, 2 online")).await;
    let mut carol = WsUser::login(&w, "carol").await;
    alice.expect(log("carol joined, 3 online")).await;
    // How many connections hear the room's channel: one per node.
    let mut subscribers = async || {
        let (_, count): (String, usize) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg("chat:lobby:events")
            .query_async(&mut admin)
            .await
            .unwrap();
        count
    };
    assert_eq!(subscribers().await, 3);

    b.process.signal("-STOP").await;
    // alice talks, 100 lines of 1 KB at a time, until Redis has cut B off;
    // alice and carol get every line, in order.
    let text = |n: usize| format!("{n:04} {}", "x".repeat(1000));
    let mut sent = 0;
    while subscribers().await == 3 {
        assert!(sent < MOST, "Redis still buffers for the frozen node");
        let lines: String = (sent..sent + 100)
            .map(|n| format!("{}\n", broadcast(&text(n))))
            .collect();
        alice.write(lines.as_bytes()).await;
        for n in sent..sent + 100 {
            assert_eq!(alice.until(is("broadcast")).await["message"], text(n));
            assert_eq!(carol.until(is("broadcast")).await["message"], text(n));
        }
        sent += 100;
    }
    b.process.signal("-CONT").await;

    // B reads what had reached it, finds itself cut off, subscribes again.
    b.logs("lost the connection to Redis").await;
    b.logs("Redis is back: subscribed again, users registered again")
        .await;
    assert_eq!(subscribers().await, 3);
    alice.send(broadcast("after the cut")).await;
    let mut heard = Vec::new();
    loop {
        let message = bob.until(is("broadcast")).await;
        if message["message"] == "after the cut" {
            break;
        }
        heard.push(message["message"].as_str().unwrap().to_owned());
    }
    // bob heard a beginning of what alice said, in order, and not all of it.
    let beginning: Vec<String> = (0..heard.len()).map(text).collect();
    assert_eq!(heard, beginning);
    assert!(
        heard.len() < sent,
        "bob heard all {sent}: B was not cut off"
    );
    println!(
        "bob heard {} of {sent} lines before B was cut off",
        heard.len()
    );
    assert_eq!(alice.users().await, json!(["alice", "bob", "carol"]));
}
