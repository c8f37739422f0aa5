//! What tcp-chat's tests share: a server on 127.0.0.1:0 (started and
//! stopped by `testkit`), and a raw-bytes client.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tcp_chat::{Config, Server};
use testkit::Background;
pub use testkit::STEP;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// A chat server running in this process.
pub struct TestServer {
    pub addr: SocketAddr,
    running: Background<()>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with_config(Config::default()).await
    }

    pub async fn with_config(config: Config) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server::new(listener, config);
        let addr = server.local_addr().unwrap();
        let running = Background::spawn(|shutdown| server.run(shutdown));
        Self { addr, running }
    }

    /// Like Ctrl-C; waits until `run` has returned.
    pub async fn shut_down(self) {
        self.running.stop().await;
    }

    /// A connected, logged-in client; checks the login succeeded.
    pub async fn login(&self, nickname: &str) -> Peer {
        let mut peer = Peer::connect(self.addr).await;
        let answer = peer.login(nickname).await;
        assert_eq!(answer["success"], true, "{nickname}: {answer}");
        peer
    }
}

/// A client that writes raw bytes and reads the server's lines as JSON.
pub struct Peer {
    reader: BufReader<OwnedReadHalf>,
    pub writer: OwnedWriteHalf,
}

impl Peer {
    pub async fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        Self::from_stream(stream)
    }

    pub fn from_stream(stream: TcpStream) -> Self {
        stream.set_nodelay(true).unwrap();
        let (reader, writer) = stream.into_split();
        Self {
            reader: BufReader::new(reader),
            writer,
        }
    }

    /// Writes bytes exactly as given.
    pub async fn write(&mut self, bytes: impl AsRef<[u8]>) {
        self.writer.write_all(bytes.as_ref()).await.unwrap();
    }

    /// Writes one JSON value and a newline.
    pub async fn send(&mut self, message: Value) {
        self.write(format!("{message}\n")).await;
    }

    /// The next line from the server, which must be one JSON object.
    pub async fn next(&mut self) -> Value {
        let line = self.next_line().await.expect("a line, not the end");
        let value: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
        assert!(value.is_object(), "{line}");
        value
    }

    /// The next raw line (without its `\n`), or `None` at the end of the stream.
    pub async fn next_line(&mut self) -> Option<String> {
        let mut line = String::new();
        let n = tokio::time::timeout(STEP, self.reader.read_line(&mut line))
            .await
            .expect("the server answers in time")
            .unwrap();
        if n == 0 {
            return None;
        }
        assert!(line.ends_with('\n'), "every line ends with \\n: {line:?}");
        line.pop();
        Some(line)
    }

    /// The next message of `type`, skipping others (join/leave logs).
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let message = self.next().await;
            if message["type"] == kind {
                return message;
            }
        }
    }

    /// The next message, which must be an error; returns its text.
    pub async fn error(&mut self) -> String {
        let message = self.next().await;
        assert_eq!(message["type"], "error", "{message}");
        message["message"].as_str().unwrap().to_owned()
    }

    pub async fn login(&mut self, nickname: &str) -> Value {
        self.send(json!({"type": "login", "nickname": nickname}))
            .await;
        let answer = self.next().await;
        assert_eq!(answer["type"], "login", "{answer}");
        answer
    }

    pub async fn broadcast(&mut self, message: &str) {
        self.send(json!({"type": "broadcast", "message": message}))
            .await;
    }

    /// Asks for the users list and returns it: proof that everything sent
    /// before has been handled, and a way to see who is still online.
    pub async fn users(&mut self) -> Vec<String> {
        self.send(json!({"type": "users"})).await;
        let answer = self.next_of("users").await;
        serde_json::from_value(answer["users"].clone()).unwrap()
    }

    /// Closes with a reset (RST) instead of an end (FIN), as a crashed
    /// machine or a cut cable eventually does: SO_LINGER 0, then close.
    pub fn reset(self) {
        let stream = self.reader.into_inner().reunite(self.writer).unwrap();
        socket2::SockRef::from(&stream)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
    }

    /// Reads until the server closes the connection (end or reset),
    /// discarding what comes; fails if it stays open.
    pub async fn expect_closed(&mut self) {
        let mut sink = vec![0; 64 * 1024];
        tokio::time::timeout(STEP, async {
            loop {
                match self.reader.read(&mut sink).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await
        .expect("the server closes the connection");
    }
}
