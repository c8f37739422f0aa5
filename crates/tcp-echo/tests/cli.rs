//! The `tcp-echo` binary as a user runs it: server, client, demo, errors.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Command;
use tokio::time::timeout;

const BIN: &str = env!("CARGO_BIN_EXE_tcp-echo");
const SOON: Duration = Duration::from_secs(20);

#[tokio::test]
async fn server_prints_its_address_echoes_and_exits_0_on_ctrl_c() {
    let mut server = Command::new(BIN)
        .args(["--lang", "en", "server", "--port", "0"])
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

    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut greeting = [0; 7];
    stream.read_exact(&mut greeting).await.unwrap();
    assert_eq!(&greeting, b"hello\r\n");
    drop(stream);

    let pid = server.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let status = timeout(SOON, server.wait()).await.unwrap().unwrap();
    assert!(status.success(), "exit status after Ctrl-C: {status}");

    let mut logs = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .await
        .unwrap();
    assert!(logs.contains("client connected"), "{logs}");
    assert!(logs.contains("server closed"), "{logs}");
}

#[tokio::test]
async fn port_in_use_is_one_sentence_and_exit_1() {
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = timeout(
        SOON,
        Command::new(BIN)
            .args(["server", "--port", &port, "--lang", "en"])
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn client_prints_like_the_seed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let server = tcp_echo::Server::new(listener, tcp_echo::Config::default());
    tokio::spawn(server.run(std::future::pending()));

    let output = timeout(
        SOON,
        Command::new(BIN)
            .args(["client", "--port", &port, "--lang", "en"])
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout,
        "connected to server!\nhello\r\nworld!\r\ndisconnected from server\n"
    );
}

#[tokio::test]
async fn client_without_a_server_says_so() {
    // A port nobody listens on: bind one, note it, close it.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = Command::new(BIN)
        .args(["client", "--port", &port.to_string(), "--lang", "en"])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    // The hint names the recipe a student runs, and the binary.
    assert!(
        stderr.contains("is the echo server running? start it with `just ch2-echo`"),
        "{stderr}"
    );
}

#[tokio::test]
async fn demo_narrates_every_step_and_exits_0() {
    let output = timeout(
        SOON,
        Command::new(BIN).args(["demo", "--lang", "en"]).output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "connected to server!",
        "data: \"hello\\r\\n",
        "client connected",
        "received 1048576 bytes after the greeting: identical",
        "the server counts 2 open connections",
        "server closed",
        "connecting again fails",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

/// `tcp-echo` with LANG=zh_CN.UTF-8 (and no other locale variable).
fn in_chinese() -> Command {
    let mut command = Command::new(BIN);
    command
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8");
    command
}

#[tokio::test]
async fn lang_from_the_environment_picks_chinese_for_the_client_and_its_hint() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let server = tcp_echo::Server::new(listener, tcp_echo::Config::default());
    tokio::spawn(server.run(std::future::pending()));
    let output = timeout(
        SOON,
        in_chinese().args(["client", "--port", &port]).output(),
    )
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    // The greeting and our bytes are the seed's, in any language.
    assert_eq!(
        stdout,
        "已连接到服务端！\nhello\r\nworld!\r\n已与服务端断开\n"
    );

    let nobody = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = nobody.local_addr().unwrap().port().to_string();
    drop(nobody);
    let output = in_chinese()
        .args(["client", "--port", &port])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("回显服务端在运行吗？用 `just ch2-echo`"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_server_logs_each_connect_and_disconnect_in_chinese() {
    let mut server = Command::new(BIN)
        .args(["server", "--port", "0", "--lang", "zh-CN"])
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
    // The contract line stays English: scripts read it.
    let addr = line.trim().strip_prefix("listening on ").expect(&line);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut greeting = [0; 7];
    stream.read_exact(&mut greeting).await.unwrap();
    drop(stream);
    let pid = server.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    timeout(SOON, server.wait()).await.unwrap().unwrap();
    let mut logs = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .await
        .unwrap();
    for expected in [
        "只有本机能连上",
        "客户端连上了",
        "客户端断开了",
        "服务端已关闭",
    ] {
        assert!(logs.contains(expected), "missing {expected:?} in:\n{logs}");
    }
}

#[tokio::test]
async fn help_and_demo_in_chinese() {
    let output = in_chinese()
        .args(["server", "--help"])
        .output()
        .await
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(
        help.contains("原样发回去") && help.contains("server.maxConnections"),
        "{help}"
    );
    let output = timeout(SOON, in_chinese().arg("demo").output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "── 第 1 步：原教程的客户端",
        "收到数据：\"hello\\r\\n",
        "客户端连上了",
        "问候之后收到 1048576 个字节：完全一样",
        "服务端统计出 2 个打开的连接",
        "── 第 4 步：Ctrl-C",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}
