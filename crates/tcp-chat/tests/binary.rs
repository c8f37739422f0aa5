//! The `tcp-chat` binary itself: Ctrl-C, a port in use, a client process
//! that is killed.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::process::Stdio;

use serde_json::json;
use support::{Peer, STEP, TestServer};
use tcp_chat::server::SHUTDOWN_NOTICE;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BINARY: &str = env!("CARGO_BIN_EXE_tcp-chat");

/// Starts `tcp-chat server --port 0` and reads the address it announces.
async fn start_server() -> (Child, SocketAddr) {
    let mut child = Command::new(BINARY)
        .args(["server", "--port", "0"])
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
        json!({"type": "log", "message": SHUTDOWN_NOTICE})
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
            .args(["server", "--port", &port])
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
