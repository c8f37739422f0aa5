//! The client: what typed lines mean, how messages are shown, and a whole
//! session against the real server.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};

use common::chat::{
    BroadcastFrom, ClientMessage, LoginResult, P2pFrom, P2pTo, ServerMessage, UserList,
};
use common::lang::Lang::{self, En, ZhCn};
use support::{STEP, TestServer};
use tcp_chat::Config;
use tcp_chat::console::{Input, InputError, parse_input, render};
use tokio::sync::mpsc;

#[test]
fn plain_text_is_a_broadcast() {
    assert_eq!(
        parse_input("hello all"),
        Ok(Input::Broadcast("hello all".into()))
    );
    assert_eq!(
        parse_input("  spaced out  \r"),
        Ok(Input::Broadcast("spaced out".into()))
    );
    assert_eq!(parse_input("你好"), Ok(Input::Broadcast("你好".into())));
    assert_eq!(
        parse_input("a@b.c is my mail"),
        Ok(Input::Broadcast("a@b.c is my mail".into()))
    );
    assert_eq!(
        parse_input("//users is a command"),
        Ok(Input::Broadcast("/users is a command".into()))
    );
}

#[test]
fn at_nick_is_a_private_message() {
    assert_eq!(
        parse_input("@bob hello there"),
        Ok(Input::Private {
            to: "bob".into(),
            message: "hello there".into()
        })
    );
    assert_eq!(
        parse_input("@bob\tpsst "),
        Ok(Input::Private {
            to: "bob".into(),
            message: "psst".into()
        })
    );
    assert!(
        parse_input("@bob")
            .unwrap_err()
            .in_lang(En)
            .contains("@bob and then your message")
    );
    assert!(
        parse_input("@bob   ")
            .unwrap_err()
            .in_lang(En)
            .contains("nothing to send")
    );
    assert_eq!(parse_input("@ hi"), Err(InputError::NoTarget));
    assert!(
        parse_input("@ hi")
            .unwrap_err()
            .in_lang(ZhCn)
            .contains("@昵称")
    );
    let message = parse_input("@bob hi").unwrap().to_message();
    assert_eq!(
        message,
        Some(ClientMessage::P2p(P2pTo {
            to: "bob".into(),
            message: "hi".into()
        }))
    );
}

#[test]
fn slash_commands() {
    assert_eq!(parse_input("/users"), Ok(Input::Users));
    assert_eq!(parse_input("/USERS"), Ok(Input::Users));
    assert_eq!(parse_input("/quit"), Ok(Input::Quit));
    assert_eq!(parse_input("/quit now"), Ok(Input::Quit));
    assert_eq!(parse_input("/help"), Ok(Input::Help));
    assert_eq!(
        parse_input("/users").unwrap().to_message(),
        Some(ClientMessage::Users)
    );
    assert_eq!(parse_input("/quit").unwrap().to_message(), None);
    let error = parse_input("/dance").unwrap_err().in_lang(En);
    assert!(error.contains("unknown command /dance"), "{error}");
    let chinese = parse_input("/dance").unwrap_err().in_lang(ZhCn);
    assert!(chinese.starts_with("没有 /dance 这个命令"), "{chinese}");
    assert!(
        error.contains("/users") && error.contains("/quit"),
        "{error}"
    );
    assert_eq!(parse_input(""), Ok(Input::Nothing));
    assert_eq!(parse_input("   "), Ok(Input::Nothing));
}

#[test]
fn messages_are_shown_readably_never_as_json() {
    let shown = |message: ServerMessage| render(&message, "carol", En);
    assert_eq!(
        shown(ServerMessage::Broadcast(BroadcastFrom {
            nickname: "alice".into(),
            message: "hi".into()
        })),
        "[alice] hi"
    );
    assert_eq!(
        shown(ServerMessage::P2p(P2pFrom {
            from: "alice".into(),
            to: "Carol".into(),
            message: "psst".into()
        })),
        "[alice → you] psst"
    );
    assert_eq!(
        shown(ServerMessage::log("bob joined, 3 online")),
        "* bob joined, 3 online"
    );
    assert_eq!(
        shown(ServerMessage::Users(UserList {
            users: vec!["alice".into(), "bob".into()]
        })),
        "* online (2): alice, bob"
    );
    assert_eq!(
        shown(ServerMessage::Login(LoginResult {
            success: false,
            message: "nickname taken".into(),
            sum_users: 2
        })),
        "! nickname taken"
    );
    assert_eq!(
        shown(ServerMessage::error("bob is not online")),
        "! bob is not online"
    );
    // The server's copy of our own private message.
    assert_eq!(
        shown(ServerMessage::P2p(P2pFrom {
            from: "carol".into(),
            to: "bob".into(),
            message: "psst".into()
        })),
        "[you → bob] psst"
    );
    let in_chinese = render(
        &ServerMessage::Users(UserList {
            users: vec!["alice".into(), "bob".into()],
        }),
        "carol",
        ZhCn,
    );
    assert_eq!(in_chinese, "* 在线（2 人）：alice, bob");
    // Control characters from other people are shown, not obeyed.
    assert_eq!(
        shown(ServerMessage::Broadcast(BroadcastFrom {
            nickname: "eve".into(),
            message: "a\n[bob] fake\u{1b}[2J".into()
        })),
        "[eve] a\\n[bob] fake\\u{1b}[2J"
    );
}

/// Runs `tcp_chat::client::chat` with scripted typing; returns what it
/// printed.
async fn run_client(server: &TestServer, nickname: Option<&str>, typed: &[&str]) -> Vec<String> {
    run_client_in(En, server, nickname, typed).await
}

async fn run_client_in(
    lang: Lang,
    server: &TestServer,
    nickname: Option<&str>,
    typed: &[&str],
) -> Vec<String> {
    let (lines, typed_rx) = mpsc::channel(64);
    for line in typed {
        lines.send((*line).to_owned()).await.unwrap();
    }
    drop(lines);
    let printed = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&printed);
    tokio::time::timeout(
        STEP,
        tcp_chat::client::chat(
            server.addr,
            nickname.map(Into::into),
            typed_rx,
            lang,
            move |line| {
                sink.lock().unwrap().push(line.to_owned());
            },
        ),
    )
    .await
    .expect("the client finishes")
    .unwrap();
    printed.lock().unwrap().clone()
}

#[tokio::test]
async fn a_client_session_asks_again_for_a_taken_nickname_and_chats() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob").await;

    // The client asks for a nickname, is refused "Bob", tries "alice".
    // Its lines are typed before anything is read back, so the only thing
    // it can see from bob is what bob sent before alice joined: nothing.
    let printed = run_client(
        &server,
        None,
        &[
            "Bob",
            "alice",
            "hi bob",
            "@bob psst",
            "/users",
            "/dance",
            "/quit",
            "ignored",
        ],
    )
    .await;
    let expected_in_order = [
        "choose a nickname:",
        "! nickname Bob is taken, choose another",
        "choose a nickname:",
        "* welcome, alice! 2 online",
        "! unknown command /dance",
        "* bye",
    ];
    let mut at = 0;
    for line in &printed {
        if at < expected_in_order.len() && line.starts_with(expected_in_order[at]) {
            at += 1;
        }
    }
    assert_eq!(
        at,
        expected_in_order.len(),
        "printed:\n{}",
        printed.join("\n")
    );
    assert!(
        printed.iter().all(|line| !line.starts_with('{')),
        "no raw JSON: {printed:?}"
    );

    // bob saw all of it, from the server's record of alice.
    assert_eq!(bob.next().await["message"], "alice joined, 2 online");
    assert_eq!(bob.next().await["message"], "hi bob");
    let private = bob.next().await;
    assert_eq!(private["from"], "alice");
    assert_eq!(private["message"], "psst");
    // /quit closed the connection: alice left.
    assert_eq!(bob.next().await["message"], "alice left, 1 online");
}

#[tokio::test]
async fn a_client_with_a_nickname_flag_logs_in_at_once() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob").await;
    // Input ends (Ctrl-D) right away: the client leaves cleanly.
    let printed = run_client(&server, Some("carol"), &[]).await;
    assert_eq!(printed[1], "* welcome, carol! 2 online", "{printed:?}");
    assert_eq!(printed.last().unwrap(), "* bye");
    assert_eq!(bob.next().await["message"], "carol joined, 2 online");
    assert_eq!(bob.next().await["message"], "carol left, 1 online");
}

/// `/quit` at the nickname prompt leaves, rather than being refused as a name.
#[tokio::test]
async fn quit_at_the_nickname_prompt_leaves() {
    let server = TestServer::start().await;
    let printed = run_client(&server, None, &["/quit", "alice"]).await;
    assert_eq!(
        printed.last().map(String::as_str),
        Some("* bye"),
        "{printed:?}"
    );
    assert!(
        !printed
            .iter()
            .any(|line| line.contains("cannot start with")),
        "{printed:?}"
    );
    // "alice", typed after /quit, was never sent: the name is free.
    let _alice = server.login("alice").await;
}

/// `/quit` right after a line: the server's answer to it is still shown
/// before the client leaves (it ends its side, then reads what is left).
#[tokio::test]
async fn quitting_right_after_a_private_message_still_shows_the_answer() {
    let server = TestServer::start().await;
    let printed = run_client(&server, Some("alice"), &["@carol hi", "/quit"]).await;
    let offline = printed
        .iter()
        .position(|line| line.contains("carol is not online"));
    let bye = printed.iter().position(|line| line == "* bye");
    assert!(
        matches!((offline, bye), (Some(offline), Some(bye)) if offline < bye),
        "{printed:?}"
    );
}

/// A client run by a test that types a line at a time and waits for what
/// it printed (so that no `/quit` races the server's answers).
struct Typist {
    lines: mpsc::Sender<String>,
    printed: Arc<Mutex<Vec<String>>>,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Typist {
    fn start(lang: Lang, server: &TestServer, nickname: Option<&str>) -> Self {
        let (lines, typed) = mpsc::channel(64);
        let printed = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&printed);
        let running = tokio::spawn(tcp_chat::client::chat(
            server.addr,
            nickname.map(Into::into),
            typed,
            lang,
            move |line| sink.lock().unwrap().push(line.to_owned()),
        ));
        Self {
            lines,
            printed,
            running,
        }
    }

    async fn type_line(&self, line: &str) {
        self.lines.send(line.to_owned()).await.unwrap();
    }

    /// Waits until a printed line starts with `start`.
    async fn wait_for(&self, start: &str) {
        tokio::time::timeout(STEP, async {
            while !self
                .printed
                .lock()
                .unwrap()
                .iter()
                .any(|l| l.starts_with(start))
            {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {start:?} in {:?}", self.printed.lock().unwrap()));
    }

    /// Ends the input (Ctrl-D) and returns all it printed.
    async fn finish(self) -> Vec<String> {
        drop(self.lines);
        tokio::time::timeout(STEP, self.running)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        self.printed.lock().unwrap().clone()
    }
}

/// A private message to someone offline shows only the error, never
/// `[you → carol] …` first; one that is delivered shows once the server's
/// copy comes back.
#[tokio::test]
async fn a_private_message_is_shown_as_sent_only_when_delivered() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob").await;
    let alice = Typist::start(En, &server, Some("alice"));
    alice.type_line("@carol are you there?").await;
    alice.type_line("@bob psst").await;
    alice.wait_for("[you → bob] psst").await;
    let printed = alice.finish().await;
    assert!(
        !printed.iter().any(|line| line.starts_with("[you → carol]")),
        "{printed:?}"
    );
    let error = printed.iter().position(|l| l == "! carol is not online");
    let sent = printed.iter().position(|l| l == "[you → bob] psst");
    assert!(error.is_some() && error < sent, "{printed:?}");
    assert_eq!(bob.next_of("p2p").await["message"], "psst");
}

/// The client speaks the user's language for its own words, and asks for
/// a nickname when none was given; the room's answers come in the
/// server's language (here Chinese too).
#[tokio::test]
async fn the_client_speaks_chinese_for_its_own_words() {
    let server = TestServer::with_config(Config {
        lang: ZhCn,
        ..Config::default()
    })
    .await;
    let _bob = server.login("bob").await;
    let li = Typist::start(ZhCn, &server, None);
    li.wait_for("请输入你的昵称：").await;
    li.type_line("李雷").await;
    li.type_line("@bob 你好").await;
    li.wait_for("[你 → bob] 你好").await;
    li.type_line("/dance").await;
    li.wait_for("! 没有 /dance 这个命令").await;
    let printed = li.finish().await;
    for expected in [
        "* 已连接到",
        "* 登录成功，欢迎你，李雷！当前在线人数：2",
        "* 输入一行就发给所有人",
        "* 再见",
    ] {
        assert!(
            printed.iter().any(|l| l.starts_with(expected)),
            "{expected}: {printed:?}"
        );
    }
}
