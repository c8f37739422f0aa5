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
        .args(["--port", "0", "--lang", "en"])
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
    let output = timeout(
        SOON,
        Command::new(BIN)
            .args(["--port", &port, "--lang", "en"])
            .output(),
    )
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
            .args([
                "--port",
                "0",
                "--assets",
                "/nonexistent/page",
                "--lang",
                "en",
            ])
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
async fn a_port_in_use_is_said_in_chinese_when_lang_says_so() {
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = timeout(
        SOON,
        Command::new(BIN)
            .args(["--port", &port])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "zh_CN.UTF-8")
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("已经被占用了"), "{stderr}");
}

/// Reads `stderr` line by line until one contains `wanted`; returns the
/// lines read (the server's log, as the teacher's terminal shows it).
async fn read_until(
    stderr: &mut tokio::io::Lines<BufReader<tokio::process::ChildStderr>>,
    wanted: &str,
    seen: &mut Vec<String>,
) {
    loop {
        let line = timeout(SOON, stderr.next_line())
            .await
            .unwrap_or_else(|_| panic!("no {wanted:?} in time in:\n{}", seen.join("\n")))
            .unwrap()
            .unwrap_or_else(|| panic!("stderr ended before {wanted:?}:\n{}", seen.join("\n")));
        seen.push(line.clone());
        if line.contains(wanted) {
            return;
        }
    }
}

#[tokio::test]
async fn the_teacher_sees_where_to_browse_and_each_connect_login_leave_and_disconnect() {
    let mut server = Command::new(BIN)
        .args(["--port", "0", "--lang", "en"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut stderr = BufReader::new(server.stderr.take().unwrap()).lines();
    let mut line = String::new();
    timeout(SOON, stdout.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect(&line)
        .to_owned();
    let mut seen = Vec::new();
    // On loopback: this machine's URL, and that only this machine can connect.
    read_until(
        &mut stderr,
        &format!("open http://{addr}/ in a browser"),
        &mut seen,
    )
    .await;
    read_until(&mut stderr, "only this machine can connect", &mut seen).await;

    let mut chat = ws_chat::client::ChatClient::connect(&format!("ws://{addr}/ws"))
        .await
        .unwrap();
    read_until(&mut stderr, "a client connected to the chat", &mut seen).await;
    let login = common::chat::ClientMessage::Login(common::chat::Login {
        nickname: "alice".into(),
    });
    chat.send(&login).await.unwrap();
    read_until(&mut stderr, "alice logged in, 1 online", &mut seen).await;
    chat.close().await.unwrap();
    read_until(&mut stderr, "alice left the room, 0 online", &mut seen).await;
    read_until(
        &mut stderr,
        "client disconnected: it closed the connection",
        &mut seen,
    )
    .await;
    // Words, not Rust's names for things.
    let log = seen.join("\n");
    assert!(
        !log.contains("ClientClosed") && !log.contains("ending="),
        "{log}"
    );
    assert!(!log.contains("://0.0.0.0"), "{log}");
}

#[test]
fn the_teacher_s_own_browser_uses_loopback_for_a_server_on_every_interface() {
    use ws_chat::server::local_url;
    let url = |bound: &str| local_url("http", bound.parse().unwrap());
    assert_eq!(url("0.0.0.0:3000"), "http://127.0.0.1:3000/");
    assert_eq!(url("[::]:3000"), "http://[::1]:3000/");
    assert_eq!(url("127.0.0.1:3000"), "http://127.0.0.1:3000/");
    assert_eq!(url("192.168.1.23:3000"), "http://192.168.1.23:3000/");
    assert_eq!(
        local_url("https", "0.0.0.0:3000".parse().unwrap()),
        "https://127.0.0.1:3000/"
    );
}

#[tokio::test]
async fn the_demo_runs_every_step() {
    let output = timeout(
        SOON * 3,
        Command::new(BIN).args(["demo", "--lang", "en"]).output(),
    )
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    for expected in [
        "── step 1: alice and bob connect to /ws and log in",
        r#"← {"type":"login","success":true,"message":"welcome, alice! 1 online","sumUsers":1}"#,
        // carol's page asked for Chinese: her answers are in it, the others'
        // notice of her in English.
        r#"← {"type":"login","success":false,"message":"登录失败：昵称 ALICE 已经有人用了，请换一个","sumUsers":2}"#,
        r#"← {"type":"log","message":"carol joined, 3 online"}"#,
        r#"← {"type":"typing","nickname":"alice","typing":true}"#,
        r#"← {"type":"broadcast","nickname":"alice","message":"hi everyone"}"#,
        r#"← {"type":"error","message":"dave is not online"}"#,
        r#"← Close 1009 "消息太大：上限是 64 KiB""#,
        r#"← text "Hello WebSockets!""#,
        "GET /ws → 426 Upgrade Required: /ws speaks WebSocket.",
        r#"← Close 1001 "the server is shutting down""#,
        "done: every step above ran on 127.0.0.1",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // The 426 is said once, not `426 Upgrade Required: 426 Upgrade Required: …`.
    assert_eq!(
        stdout.matches("426 Upgrade Required").count(),
        1,
        "{stdout}"
    );
    // One log line for each login and each leave.
    assert_eq!(stdout.matches("logged in,").count(), 3, "{stdout}");
    assert_eq!(stdout.matches("left the room,").count(), 3, "{stdout}");
}

#[tokio::test]
async fn the_demo_speaks_chinese_with_lang_zh_cn() {
    let output = timeout(
        SOON * 3,
        Command::new(BIN)
            .arg("demo")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "zh_CN.UTF-8")
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    for expected in [
        "── 第 1 步：alice 和 bob 连上 /ws 并登录",
        r#"← {"type":"login","success":true,"message":"登录成功，欢迎你，alice！当前在线人数：1","sumUsers":1}"#,
        r#"← {"type":"log","message":"bob 进入了聊天室，当前在线人数：2"}"#,
        r#"← {"type":"log","message":"carol 离开了聊天室（发了超过 64 KiB 的消息），当前在线人数：2"}"#,
        "GET /ws → 426 Upgrade Required：/ws 是 WebSocket 的地址，要先做协议升级。",
        r#"← Close 1001 "服务端正在关闭""#,
        "alice 登录了，当前在线人数：1",
        "完成：上面每一步都在这一个进程里",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert_eq!(
        stdout.matches("426 Upgrade Required").count(),
        1,
        "{stdout}"
    );
}

#[tokio::test]
async fn help_speaks_chinese_with_lang_zh_cn() {
    for args in [
        &["--help", "--lang", "zh-CN"][..],
        &["demo", "--help", "--lang", "zh-CN"],
    ] {
        let output = timeout(SOON, Command::new(BIN).args(args).output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(output.status.success(), "{stdout}");
        assert!(stdout.contains("聊天"), "{args:?}:\n{stdout}");
    }
}
