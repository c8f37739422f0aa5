//! A 20 MiB file to 16 clients at once: every byte arrives, in order, and
//! the server streams it (it is far bigger than the cache takes).

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{LIMIT, TestServer, pattern, pattern_byte};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SIZE: usize = 20 * 1024 * 1024;
const CLIENTS: usize = 16;

/// Downloads `/big.bin` and checks each byte against the pattern as it
/// arrives (no 20 MiB buffer per client). Returns the body length.
async fn download_and_check(addr: std::net::SocketAddr) -> u64 {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = vec![0; 64 * 1024];
    let mut head = Vec::new();
    // Read until the end of the headers; keep what follows as body.
    let mut body_start = loop {
        let n = stream.read(&mut buffer).await.unwrap();
        assert!(n > 0, "closed before the headers ended");
        head.extend_from_slice(&buffer[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break head.split_off(end + 4);
        }
    };
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains(&format!("content-length: {SIZE}\r\n")),
        "{head}"
    );

    let mut offset = 0u64;
    loop {
        for (i, byte) in body_start.iter().enumerate() {
            assert_eq!(
                *byte,
                pattern_byte(offset + i as u64),
                "byte {}",
                offset + i as u64
            );
        }
        offset += body_start.len() as u64;
        let n = stream.read(&mut buffer).await.unwrap();
        if n == 0 {
            return offset;
        }
        body_start = buffer[..n].to_vec();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_mib_to_sixteen_clients_at_once_byte_exact() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.bin"), pattern(SIZE)).unwrap();
    let server = TestServer::serve(dir.path()).await;

    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        clients.spawn(download_and_check(server.addr));
    }
    let all = tokio::time::timeout(LIMIT * 4, clients.join_all())
        .await
        .expect("16 downloads finish in time");
    assert_eq!(all, vec![SIZE as u64; CLIENTS]);
}
