//! The seed's code in Rust, `cargo run -p tcp-echo --example echo-server|echo-client`:
//! each example is built and started as its own process, on port 0.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::process::{Process, example};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn the_seed_server_greets_then_echoes_every_byte() {
    let (_server, addr) =
        Process::server(example("tcp-echo", "echo-server"), &["--port", "0"]).await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    let mut greeting = [0; 7];
    socket.read_exact(&mut greeting).await.unwrap();
    assert_eq!(&greeting, b"hello\r\n");

    // Bytes of every value, more than one read's worth: all come back.
    let sent: Vec<u8> = (0..100_000u32).map(|i| (i % 256) as u8).collect();
    let (mut reader, mut writer) = socket.split();
    let write = async {
        writer.write_all(&sent).await.unwrap();
        writer.shutdown().await.unwrap(); // `end()`
    };
    let mut echoed = Vec::new();
    let read = reader.read_to_end(&mut echoed);
    let ((), read) = tokio::time::timeout(testkit::STEP, async { tokio::join!(write, read) })
        .await
        .expect("the echo and the server's end come in time");
    read.unwrap();
    assert_eq!(echoed, sent, "the server ends its side after the echo");
}

#[tokio::test]
async fn the_seed_client_prints_the_greeting_the_echo_and_the_end() {
    let (_server, addr) =
        Process::server(example("tcp-echo", "echo-server"), &["--port", "0"]).await;
    let port = addr.port().to_string();
    let client = example("tcp-echo", "echo-client");
    let (status, stdout, _) = Process::output(&client, &["--port", &port]).await;
    assert!(status.success(), "{stdout}");
    // The greeting and the echo arrive in one read or in two.
    let one_read = "connected to server!\nhello\r\nworld!\r\n\ndisconnected from server\n";
    let two_reads = "connected to server!\nhello\r\n\nworld!\r\n\ndisconnected from server\n";
    assert!(stdout == one_read || stdout == two_reads, "{stdout:?}");
}

#[tokio::test]
async fn the_seed_server_says_in_one_sentence_that_its_port_is_taken() {
    let (_first, addr) =
        Process::server(example("tcp-echo", "echo-server"), &["--port", "0"]).await;
    let port = addr.port().to_string();
    let server = example("tcp-echo", "echo-server");
    let (status, _, stderr) = Process::output(&server, &["--port", &port]).await;
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("is already in use"), "{stderr}");
}
