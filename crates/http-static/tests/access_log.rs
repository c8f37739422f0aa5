//! One access-log line per request: method, path, status, bytes, duration.
//!
//! Alone in its own test binary: it installs the process-wide log
//! subscriber, which must not see other tests' servers.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{Captured, TestServer, site};

#[tokio::test]
async fn every_request_gets_one_access_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    server.get("/hello.txt").await;
    server.get("/nope").await;
    server
        .request("DELETE /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(" bytes in ")).collect();
    assert_eq!(lines.len(), 3, "{log}");
    assert!(
        lines[0].contains("GET /hello.txt 200 13 bytes in "),
        "{log}"
    );
    assert!(lines[1].contains("GET /nope 404 15 bytes in "), "{log}");
    assert!(lines[2].contains("DELETE /x 405 24 bytes in "), "{log}");

    // A download cut short says how far it got. The file must be larger
    // than what the kernel can buffer between the two sockets, or the server
    // finishes writing before we hang up: 32 MiB, and a small receive buffer.
    std::fs::write(
        dir.path().join("big.bin"),
        support::pattern(32 * 1024 * 1024),
    )
    .unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    let mut stream = socket.connect(server.addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0; 1024];
    tokio::io::AsyncReadExt::read_exact(&mut stream, &mut first)
        .await
        .unwrap();
    drop(stream);
    let cut_off = tokio::time::timeout(support::LIMIT, async {
        loop {
            let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
            if let Some(line) = log.lines().find(|l| l.contains("/big.bin")) {
                return line.to_owned();
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the cut-off download is logged");
    assert!(cut_off.contains("GET /big.bin 200 "), "{cut_off}");
    assert!(cut_off.contains(" of 33554432 bytes in "), "{cut_off}");
    assert!(cut_off.ends_with("(cut off)"), "{cut_off}");
}
