//! The client: what typed lines mean, how messages are shown, and a whole
//! session against the real server.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};

use common::chat::{
    BroadcastFrom, ClientMessage, LoginResult, P2pFrom, P2pTo, ServerMessage, UserList,
};
use support::{STEP, TestServer};
use tcp_chat::console::{Input, parse_input, render};
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
            .contains("@bob and then your message")
    );
    assert!(
        parse_input("@bob   ")
            .unwrap_err()
            .contains("nothing to send")
    );
    assert!(parse_input("@ hi").unwrap_err().contains("@nickname"));
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
    let error = parse_input("/dance").unwrap_err();
    assert!(error.contains("unknown command /dance"), "{error}");
    assert!(
        error.contains("/users") && error.contains("/quit"),
        "{error}"
    );
    assert_eq!(parse_input(""), Ok(Input::Nothing));
    assert_eq!(parse_input("   "), Ok(Input::Nothing));
}

#[test]
fn messages_are_shown_readably_never_as_json() {
    let shown = |message: ServerMessage| render(&message, "carol");
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
        "[you → bob] psst",
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
