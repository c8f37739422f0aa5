//! The seed's UDP server and client, `cargo run -p udp-unicast --example
//! server|client`, as processes on 127.0.0.1 and port 0.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::process::{Process, example};

#[tokio::test]
async fn the_seed_client_says_hello_and_the_seed_server_answers_world() {
    let (mut server, addr) =
        Process::server(example("udp-unicast", "unicast-server"), &["--port", "0"]).await;
    let client = example("udp-unicast", "unicast-client");
    let (status, stdout, stderr) =
        Process::output(&client, &["--server", &addr.to_string(), "--port", "0"]).await;
    assert!(status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let me = lines[0].strip_prefix("client running ").unwrap();
    assert!(me.starts_with("127.0.0.1:"), "{stdout}");
    assert_eq!(lines[1], format!("client got world from {addr}"));
    assert_eq!(
        server.line().await.unwrap(),
        format!("server got hello from {me}")
    );
}

#[tokio::test]
async fn the_seed_server_prints_a_peer_s_control_bytes_escaped() {
    let (mut server, addr) =
        Process::server(example("udp-unicast", "unicast-server"), &["--port", "0"]).await;
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket.send_to(b"\x1b[2Jhi\n", addr).await.unwrap();
    let mut reply = [0; 16];
    let (len, _) = tokio::time::timeout(testkit::STEP, socket.recv_from(&mut reply))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&reply[..len], b"world");
    let line = server.line().await.unwrap();
    assert!(
        line.starts_with("server got \\u{1b}[2Jhi\\n from "),
        "{line}"
    );
}
