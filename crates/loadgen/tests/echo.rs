//! `loadgen echo` against a real tcp-echo server on 127.0.0.1:0: both modes
//! finish on time, count what they measured, and catch a wrong echo.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration;

use loadgen::echo::{Args, run};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = tcp_echo::Server::new(listener, tcp_echo::Config::default());
    let addr = server.local_addr().unwrap();
    tokio::spawn(server.run(std::future::pending()));
    addr
}

fn args(addr: SocketAddr, bulk: bool) -> Args {
    Args {
        addr,
        conns: 3,
        size: if bulk { 65536 } else { 1024 },
        secs: 1,
        bulk,
    }
}

#[tokio::test]
async fn ping_pong_counts_round_trips() {
    let addr = echo_server().await;
    let report = tokio::time::timeout(Duration::from_secs(20), run(&args(addr, false)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((report.conns_ok, report.errors, report.corrupt), (3, 0, 0));
    assert!(report.messages > 0);
    assert_eq!(report.latency.count(), report.messages);
    assert_eq!(report.bytes, report.messages * 1024);
}

#[tokio::test]
async fn bulk_streams_and_checks_every_byte() {
    let addr = echo_server().await;
    let report = tokio::time::timeout(Duration::from_secs(20), run(&args(addr, true)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((report.conns_ok, report.errors, report.corrupt), (3, 0, 0));
    assert!(report.bytes >= 65536, "{} bytes", report.bytes);
}

#[tokio::test]
async fn a_server_that_changes_bytes_is_caught() {
    // Greets like tcp-echo, then echoes every byte plus one.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                socket.write_all(b"hello\r\n").await.unwrap();
                let mut buffer = vec![0; 4096];
                while let Ok(n) = socket.read(&mut buffer).await {
                    if n == 0 {
                        break;
                    }
                    buffer[..n].iter_mut().for_each(|b| *b = b.wrapping_add(1));
                    if socket.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    let report = run(&args(addr, false)).await.unwrap();
    assert_eq!(report.corrupt, 3);
}

#[tokio::test]
async fn only_loopback_targets() {
    // Refused before any socket is opened: nothing is sent anywhere.
    let error = run(&args("192.0.2.1:8124".parse().unwrap(), false))
        .await
        .unwrap_err();
    assert!(error.contains("only targets loopback"), "{error}");
    assert!(loadgen::require_loopback("[::1]:8124".parse().unwrap()).is_ok());
    assert!(loadgen::require_loopback("127.3.2.1:8124".parse().unwrap()).is_ok());
}
