//! Ctrl-C: downloads in flight finish, idle keep-alive connections are
//! closed at once, new clients are refused, and a client that stalls cannot
//! hold the server past the grace period.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use support::{LIMIT, TestServer, pattern, read_response, site};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Bigger than loopback's socket buffers can hold, so the server is still
/// sending when it is told to stop.
const SIZE: usize = 32 * 1024 * 1024;

/// Starts `GET /big.bin` and reads its first 64 KiB, so the response is
/// surely under way; returns the socket and what was read.
async fn start_download(server: &TestServer) -> (TcpStream, Vec<u8>) {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut start = vec![0; 64 * 1024];
    stream.read_exact(&mut start).await.unwrap();
    (stream, start)
}

/// Waits until the server no longer accepts connections (it dropped its
/// listener: the shutdown has begun).
async fn until_refused(addr: std::net::SocketAddr) {
    tokio::time::timeout(LIMIT, async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the server stopped accepting");
}

#[tokio::test]
async fn a_download_in_flight_finishes_after_ctrl_c() {
    let dir = site();
    let big = pattern(SIZE);
    std::fs::write(dir.path().join("big.bin"), &big).unwrap();
    let mut server = TestServer::start(dir.path(), false, Duration::from_secs(20)).await;
    let addr = server.addr;
    let (mut download, mut reply) = start_download(&server).await;

    let stopped = server.stop();
    until_refused(addr).await;
    // The server is shutting down, and most of the file is not sent yet:
    // it still arrives, every byte of it.
    tokio::time::timeout(LIMIT, download.read_to_end(&mut reply))
        .await
        .expect("download finished")
        .unwrap();
    let reply = support::Reply::parse(&reply);
    assert_eq!(reply.status, 200);
    assert!(
        reply.body == big,
        "got {} of {SIZE} bytes, or wrong ones",
        reply.body.len()
    );

    tokio::time::timeout(LIMIT, stopped)
        .await
        .expect("the server returned")
        .unwrap();
}

#[tokio::test]
async fn idle_keep_alive_connections_do_not_delay_shutdown() {
    let dir = site();
    // A long grace period: if shutdown waited for the idle connection, the
    // time limit below would catch it.
    let mut server = TestServer::start(dir.path(), false, Duration::from_secs(60)).await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let mut idle = BufReader::new(stream);
    idle.get_mut()
        .write_all(b"GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_response(&mut idle, true).await.status, 200);

    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), server.stop())
        .await
        .expect("shutdown did not wait for the idle connection")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    // hyper closed it: we read end-of-stream.
    let mut rest = Vec::new();
    let n = tokio::time::timeout(LIMIT, idle.read_to_end(&mut rest))
        .await
        .expect("closed")
        .unwrap_or(0);
    assert_eq!(n, 0);
}

#[tokio::test]
async fn a_stalled_download_is_cut_when_the_grace_period_ends() {
    let dir = site();
    std::fs::write(dir.path().join("big.bin"), pattern(SIZE)).unwrap();
    let mut server = TestServer::start(dir.path(), false, Duration::from_millis(300)).await;
    // This client reads 64 KiB and then nothing: the server's writes block
    // once the socket buffers are full.
    let (_stalled, _) = start_download(&server).await;
    tokio::time::timeout(LIMIT, server.stop())
        .await
        .expect("the grace period bounded the shutdown")
        .unwrap();
}
