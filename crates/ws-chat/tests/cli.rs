//! The `ws-chat` binary as a user runs it: the server from any directory,
//! Ctrl-C, the demo, and the start-up errors in one sentence.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::time::timeout;

const BIN: &str = env!("CARGO_BIN_EXE_ws-chat");
const SOON: Duration = Duration::from_secs(20);

#[tokio::test]
async fn the_server_starts_anywhere_serves_the_page_and_exits_0_on_ctrl_c() {
    // Started outside the repository: the page is found all the same.
    let mut server = Command::new(BIN)
        .args(["--port", "0"])
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    timeout(SOON, stdout.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    let addr = line.trim().strip_prefix("listening on ").expect(&line);
    assert!(
        addr.starts_with("127.0.0.1:"),
        "default host is loopback: {addr}"
    );

    let mut chat = ws_chat::client::ChatClient::connect(&format!("ws://{addr}/ws"))
        .await
        .unwrap();
    let mut page = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut page,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await
    .unwrap();
    let mut response = String::new();
    timeout(SOON, page.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");

    let pid = server.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    // The open WebSocket is told: 1001.
    match timeout(SOON, chat.receive()).await.unwrap() {
        Some(Ok(ws_chat::client::Received::Closed(Some(frame)))) => {
            assert_eq!(u16::from(frame.code), 1001)
        }
        other => panic!("expected Close 1001, got {other:?}"),
    }
    drop(chat);
    let status = timeout(SOON, server.wait()).await.unwrap().unwrap();
    assert!(status.success(), "exit status after Ctrl-C: {status}");
}

#[tokio::test]
async fn a_port_in_use_or_a_missing_page_is_one_sentence_and_exit_1() {
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = timeout(SOON, Command::new(BIN).args(["--port", &port]).output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("is already in use"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let output = timeout(
        SOON,
        Command::new(BIN)
            .args(["--port", "0", "--assets", "/nonexistent/page"])
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("ws-chat: cannot serve the page from /nonexistent/page"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_demo_runs_every_step() {
    let output = timeout(SOON * 3, Command::new(BIN).arg("demo").output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    for expected in [
        r#"← {"type":"login","success":false,"message":"nickname ALICE is taken, choose another","sumUsers":2}"#,
        r#"← {"type":"typing","nickname":"alice","typing":true}"#,
        r#"← {"type":"broadcast","nickname":"alice","message":"hi everyone"}"#,
        r#"← Close 1009 "message too big: the limit is 64 KiB""#,
        r#"← text "Hello WebSockets!""#,
        "426 Upgrade Required",
        r#"← Close 1001 "the server is shutting down""#,
        "done: every step above ran on 127.0.0.1",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}
