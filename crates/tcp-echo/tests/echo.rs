//! The echo server over real sockets on 127.0.0.1:0.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use tcp_echo::server::GREETING;
use tcp_echo::{Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// Generous bound for anything that should happen "soon": a test that hangs
/// fails here instead of hanging CI.
const SOON: Duration = Duration::from_secs(10);

struct Running {
    addr: SocketAddr,
    connections: watch::Receiver<usize>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    async fn start(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server::new(listener, config);
        let addr = server.local_addr().unwrap();
        let connections = server.connections();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            connections,
            stop: Some(stop),
            task,
        }
    }

    /// Connects and reads the greeting.
    async fn client(&self) -> TcpStream {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        let mut greeting = [0; GREETING.len()];
        timeout(SOON, stream.read_exact(&mut greeting))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&greeting, GREETING);
        stream
    }

    /// Waits until the server counts exactly `n` open connections.
    async fn wait_for_open(&mut self, n: usize) {
        let waited = timeout(SOON, self.connections.wait_for(|open| *open == n))
            .await
            .map(|seen| seen.map(|open| *open));
        match waited {
            Ok(seen) => assert_eq!(seen.unwrap(), n),
            Err(_) => panic!("never {n} open; now {}", *self.connections.borrow()),
        }
    }

    /// Sends the shutdown signal and waits for `run` to return.
    async fn shut_down(mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        timeout(SOON, self.task).await.unwrap().unwrap();
    }
}

/// Writes `data`, ends our side, and reads until the server ends: both at
/// once, so neither side's buffers can fill up and deadlock.
async fn exchange(stream: &mut TcpStream, data: &[u8]) -> Vec<u8> {
    let (mut reader, mut writer) = stream.split();
    let send = async {
        writer.write_all(data).await.unwrap();
        writer.shutdown().await.unwrap();
    };
    let mut received = Vec::new();
    let receive = reader.read_to_end(&mut received);
    let ((), read) = timeout(SOON * 3, async { tokio::join!(send, receive) })
        .await
        .expect("exchange finished");
    read.unwrap();
    received
}

#[tokio::test]
async fn greets_with_hello_crlf() {
    let mut server = Running::start(Config::default()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let mut greeting = [0; 7];
    stream.read_exact(&mut greeting).await.unwrap();
    assert_eq!(&greeting, b"hello\r\n");
    drop(stream);
    server.wait_for_open(0).await;
    server.shut_down().await;
}

#[tokio::test]
async fn echoes_10_mb_of_random_binary_byte_exact() {
    let mut server = Running::start(Config::default()).await;
    let mut data = vec![0u8; 10 * 1024 * 1024];
    rand::rngs::StdRng::seed_from_u64(2024).fill(&mut data[..]);
    data[..4096].fill(0); // NUL bytes for sure, not just by chance
    let mut stream = server.client().await;
    let echoed = exchange(&mut stream, &data).await;
    assert_eq!(echoed.len(), data.len());
    assert!(echoed == data, "echo differs from what was sent");
    drop(stream);
    server.wait_for_open(0).await;
    server.shut_down().await;
}

#[tokio::test]
async fn half_closed_client_still_gets_every_byte() {
    let mut server = Running::start(Config::default()).await;
    let mut stream = server.client().await;
    stream.write_all(b"first ").await.unwrap();
    stream.write_all(b"second").await.unwrap();
    stream.shutdown().await.unwrap(); // FIN: we send no more, but still read
    let mut rest = Vec::new();
    timeout(SOON, stream.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rest, b"first second");
    server.wait_for_open(0).await;
    server.shut_down().await;
}

#[tokio::test]
async fn a_silent_client_does_not_hold_up_others() {
    let mut server = Running::start(Config::default()).await;
    let silent = server.client().await;
    server.wait_for_open(1).await;
    let mut other = server.client().await;
    assert_eq!(exchange(&mut other, b"still served").await, b"still served");
    server.wait_for_open(1).await; // the silent one is still open
    drop(silent);
    server.wait_for_open(0).await;
    server.shut_down().await;
}

#[tokio::test]
async fn a_client_vanishing_mid_write_ends_only_its_connection() {
    let mut server = Running::start(Config::default()).await;
    let stream = server.client().await;
    // Linger 0: closing sends RST, like a killed process, not a polite FIN.
    stream.set_zero_linger().unwrap();
    let mut stream = stream;
    stream.write_all(&vec![7u8; 512 * 1024]).await.unwrap();
    drop(stream);
    server.wait_for_open(0).await;
    let mut next = server.client().await;
    assert_eq!(exchange(&mut next, b"alive").await, b"alive");
    server.wait_for_open(0).await;
    server.shut_down().await;
}

#[tokio::test]
async fn two_hundred_clients_at_once() {
    let mut server = Running::start(Config::default()).await;
    let mut clients = tokio::task::JoinSet::new();
    for i in 0..200 {
        let addr = server.addr;
        clients.spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let message = format!("client {i} says hi\n").repeat(50);
            let echoed = exchange(&mut stream, message.as_bytes()).await;
            assert_eq!(&echoed[..GREETING.len()], GREETING);
            assert_eq!(&echoed[GREETING.len()..], message.as_bytes(), "client {i}");
        });
    }
    while let Some(done) = clients.join_next().await {
        done.unwrap();
    }
    server.wait_for_open(0).await;
    server.shut_down().await;
}

#[tokio::test]
async fn max_connections_closes_the_extra_client_at_once() {
    let mut server = Running::start(Config {
        max_connections: Some(2),
        ..Config::default()
    })
    .await;
    let first = server.client().await;
    let _second = server.client().await;
    server.wait_for_open(2).await;

    // The third is accepted by the OS, then closed by the server unanswered.
    let mut third = TcpStream::connect(server.addr).await.unwrap();
    let mut buffer = [0; 16];
    let read = timeout(SOON, third.read(&mut buffer)).await.unwrap();
    assert!(matches!(read, Ok(0) | Err(_)), "third client got {read:?}");
    assert_eq!(*server.connections.borrow(), 2);

    // A place frees up: the next client is served.
    drop(first);
    server.wait_for_open(1).await;
    let mut fourth = server.client().await;
    assert_eq!(exchange(&mut fourth, b"room now").await, b"room now");
    drop(_second);
    server.wait_for_open(0).await;
    server.shut_down().await;
}

#[tokio::test]
async fn idle_timeout_closes_a_silent_connection() {
    let mut server = Running::start(Config {
        idle_timeout: Some(Duration::from_millis(200)),
        ..Config::default()
    })
    .await;
    let mut silent = server.client().await;
    let mut rest = Vec::new();
    // The server closes it (EOF); we never sent anything.
    timeout(SOON, silent.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert!(rest.is_empty());
    server.wait_for_open(0).await;
    server.shut_down().await;
}

#[tokio::test]
async fn shutdown_stops_accepting_and_lets_open_connections_finish() {
    let mut server = Running::start(Config {
        grace: Duration::from_secs(30),
        ..Config::default()
    })
    .await;
    let addr = server.addr;
    let mut open = server.client().await;
    server.wait_for_open(1).await;
    let stop = server.stop.take().unwrap();
    stop.send(()).unwrap();

    // New clients are refused once the listener is gone...
    timeout(SOON, async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("listener closed");
    // ...while the open connection is still served to the end.
    assert_eq!(exchange(&mut open, b"last words").await, b"last words");
    timeout(SOON, server.task).await.unwrap().unwrap();
}

#[tokio::test]
async fn shutdown_closes_stragglers_after_the_grace_period() {
    let mut server = Running::start(Config {
        grace: Duration::from_millis(100),
        ..Config::default()
    })
    .await;
    let mut silent = server.client().await;
    server.wait_for_open(1).await;
    let connections = server.connections.clone();
    server.shut_down().await;
    assert_eq!(*connections.borrow(), 0);
    let mut rest = Vec::new();
    timeout(SOON, silent.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert!(rest.is_empty(), "closed without a word");
}
