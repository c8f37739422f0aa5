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
        .args(["server", "--port", "0"])
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
        Command::new(BIN).args(["server", "--port", &port]).output(),
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
        Command::new(BIN).args(["client", "--port", &port]).output(),
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
        .args(["client", "--port", &port.to_string()])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("is `tcp-echo server` running?"), "{stderr}");
}

#[tokio::test]
async fn demo_narrates_every_step_and_exits_0() {
    let output = timeout(SOON, Command::new(BIN).arg("demo").output())
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
