//! The `tcp-chat` binary itself: Ctrl-C, a port in use, a client process
//! that is killed.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::process::Stdio;

use common::lang::Lang;
use serde_json::json;
use support::{Peer, STEP, TestServer};
use tcp_chat::server::shutdown_notice;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BINARY: &str = env!("CARGO_BIN_EXE_tcp-chat");

/// Starts `tcp-chat server --port 0` and reads the address it announces.
async fn start_server() -> (Child, SocketAddr) {
    let mut child = Command::new(BINARY)
        .args(["server", "--port", "0", "--lang", "en"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(STEP, stdout.read_line(&mut line))
        .await
        .expect("the server starts")
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .parse()
        .unwrap();
    (child, addr)
}

/// Sends a signal with the `kill` command (the crate forbids `unsafe`,
/// which calling libc directly would need).
async fn signal(child: &Child, name: &str) {
    let pid = child.id().unwrap().to_string();
    let status = Command::new("kill")
        .args([name, &pid])
        .status()
        .await
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn ctrl_c_tells_clients_and_exits_zero() {
    let (mut server, addr) = start_server().await;
    let mut alice = Peer::connect(addr).await;
    assert_eq!(alice.login("alice").await["success"], true);

    signal(&server, "-INT").await;
    assert_eq!(
        alice.next().await,
        json!({"type": "log", "message": shutdown_notice(Lang::En)})
    );
    assert_eq!(alice.next_line().await, None);
    let status = tokio::time::timeout(STEP, server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn a_port_in_use_is_one_sentence_and_a_failure() {
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = tokio::time::timeout(
        STEP,
        Command::new(BINARY)
            .args(["server", "--port", &port, "--lang", "en"])
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[tokio::test]
async fn a_killed_client_process_is_announced_as_leaving() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let port = server.addr.port().to_string();
    let mut client = Command::new(BINARY)
        .args(["client", "--port", &port, "--nickname", "bob"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // The client prints what it receives, readably.
    let mut stdout = BufReader::new(client.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    while let Some(line) = tokio::time::timeout(STEP, stdout.next_line())
        .await
        .unwrap()
        .unwrap()
    {
        let welcomed = line.starts_with("* welcome, bob!");
        printed.push(line);
        if welcomed {
            break;
        }
    }
    assert_eq!(alice.next().await["message"], "bob joined, 2 online");
    alice.broadcast("hi bob").await;
    while let Some(line) = tokio::time::timeout(STEP, stdout.next_line())
        .await
        .unwrap()
        .unwrap()
    {
        if line == "[alice] hi bob" {
            break;
        }
        assert!(!line.starts_with('{'), "raw JSON printed: {line}");
    }

    signal(&client, "-KILL").await;
    client.wait().await.unwrap();
    let log = alice.next_of("log").await;
    assert_eq!(log["message"], "bob left, 1 online");
}

/// `tcp-chat` with LANG=zh_CN.UTF-8 (and no other locale variable).
fn in_chinese() -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .kill_on_drop(true);
    command
}

/// `just ch2-chat-client` without a name: the client asks for one, in the
/// user's language, and logs in with what is typed; the server logs the
/// connect, the login, the leave and the disconnect, one line each.
#[tokio::test]
async fn a_client_without_a_nickname_asks_for_one_in_chinese() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut server = in_chinese()
        .args(["server", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(STEP, stdout.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .parse()
        .unwrap();
    let mut bob = TestServerless::login(addr, "bob").await;

    let port = addr.port().to_string();
    let mut client = in_chinese()
        .args(["client", "--port", &port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut printed = BufReader::new(client.stdout.take().unwrap()).lines();
    let mut next = async || {
        tokio::time::timeout(STEP, printed.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    };
    assert!(next().await.starts_with("* 已连接到"));
    assert_eq!(next().await, "请输入你的昵称：");
    let mut stdin = client.stdin.take().unwrap();
    stdin.write_all("李雷\n".as_bytes()).await.unwrap();
    assert_eq!(next().await, "* 登录成功，欢迎你，李雷！当前在线人数：2");
    assert_eq!(
        bob.next().await["message"],
        "李雷 进入了聊天室，当前在线人数：2"
    );
    stdin.write_all(b"/quit\n").await.unwrap();
    tokio::time::timeout(STEP, client.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        bob.next().await["message"],
        "李雷 离开了聊天室，当前在线人数：1"
    );

    drop(bob);
    signal(&server, "-INT").await;
    tokio::time::timeout(STEP, server.wait())
        .await
        .unwrap()
        .unwrap();
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
        "李雷 登录了，当前在线人数：2",
        "李雷 离开了聊天室，当前在线人数：1",
        "客户端断开了：是它自己关闭了连接",
        "服务端已关闭",
    ] {
        assert!(logs.contains(expected), "missing {expected:?} in:\n{logs}");
    }
    assert!(!logs.contains("ClientEnded"), "{logs}");
}

/// The hint names the recipe a student runs, and the binary.
#[tokio::test]
async fn a_client_without_a_server_names_the_recipe() {
    let port = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let output = Command::new(BINARY)
        .args(["--lang", "en", "client", "alice", "--port", &port])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("is the chat server running? start it with `just ch2-chat`"),
        "{stderr}"
    );
    let output = in_chinese()
        .args(["client", "--port", &port])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("聊天室服务端在运行吗？用 `just ch2-chat`"),
        "{stderr}"
    );
}

/// Against something that is not a chat server (here a server that answers
/// like an HTTP one), the hint is about the port, not about starting it.
#[tokio::test]
async fn a_client_against_another_kind_of_server_is_told_to_check_the_port() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let (mut socket, _) = listener.accept().await.unwrap();
        let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let output = Command::new(BINARY)
        .args(["--lang", "en", "client", "alice", "--port", &port])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("is it a chat server?"), "{stderr}");
    assert!(!stderr.contains("is the chat server running"), "{stderr}");
}

#[tokio::test]
async fn help_and_demo_in_chinese() {
    let output = in_chinese()
        .args(["client", "--help"])
        .output()
        .await
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("不写的话，启动后会问你"), "{help}");
    let output = tokio::time::timeout(STEP * 2, in_chinese().arg("demo").output())
        .await
        .unwrap()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "── 第 1 步：alice 和 bob 登录",
        "登录成功，欢迎你，alice！当前在线人数：1",
        "bob 进入了聊天室，当前在线人数：2",
        "这不是合法的 JSON",
        "── 第 8 步：Ctrl-C",
        "服务端正在关闭，再见",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

/// A raw client logged in to a server in another process.
struct TestServerless;

impl TestServerless {
    async fn login(addr: SocketAddr, nickname: &str) -> Peer {
        let mut peer = Peer::connect(addr).await;
        assert_eq!(peer.login(nickname).await["success"], true);
        peer
    }
}
