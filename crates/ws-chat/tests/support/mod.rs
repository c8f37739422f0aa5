//! A ws-chat server on 127.0.0.1:0 and WebSocket clients that speak raw
//! JSON to it, for the integration tests.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use testkit::Background;
pub use testkit::STEP;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use ws_chat::room::Room;
use ws_chat::{Config, Server};

/// The page's files, in the repository.
pub fn assets() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/ws-chat"))
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub room: Arc<Room>,
    running: Background<()>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with_config(Config::default()).await
    }

    pub async fn with_config(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::on(listener, config)
    }

    /// Runs a server on a listener the caller bound (to reuse a port).
    pub fn on(listener: TcpListener, config: Config) -> Self {
        let config = Config {
            assets: assets(),
            grace: Duration::from_secs(2),
            ..config
        };
        let server = Server::new(listener, config).unwrap();
        let addr = server.local_addr().unwrap();
        let room = server.room();
        let running = Background::spawn(|shutdown| server.run(shutdown));
        Self {
            addr,
            room,
            running,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// A WebSocket to `/ws`, not logged in.
    pub async fn connect(&self) -> Peer {
        Peer::connect(&self.url("/ws")).await
    }

    /// A WebSocket to `/ws`, logged in as `nickname`, with the login answer
    /// and the users push read.
    pub async fn login(&self, nickname: &str) -> Peer {
        self.login_at("/ws", nickname).await
    }

    /// The same on `path` (`/ws?lang=zh-CN`, say).
    pub async fn login_at(&self, path: &str, nickname: &str) -> Peer {
        let mut peer = Peer::connect(&self.url(path)).await;
        let answer = peer.login(nickname).await;
        assert_eq!(answer["success"], true, "{answer}");
        let users = peer.next().await;
        assert_eq!(users["type"], "users", "{users}");
        peer
    }

    /// Ctrl-C, and waits for `run` to return.
    pub async fn stop(self) {
        self.running.stop().await;
    }
}

/// One WebSocket client.
pub struct Peer {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Peer {
    pub async fn connect(url: &str) -> Self {
        Self::connect_with(url, &[]).await
    }

    /// The same, with these extra headers on the upgrade request
    /// (`Accept-Language`, say).
    pub async fn connect_with(url: &str, headers: &[(&'static str, &str)]) -> Self {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = url.into_client_request().unwrap();
        for (name, value) in headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        let (socket, _) = tokio::time::timeout(STEP, connect_async(request))
            .await
            .expect("connect in time")
            .expect("WebSocket handshake");
        Self { socket }
    }

    pub async fn send(&mut self, message: Value) {
        self.send_frame(Message::text(message.to_string())).await;
    }

    pub async fn send_frame(&mut self, frame: Message) {
        tokio::time::timeout(STEP, self.socket.send(frame))
            .await
            .expect("send in time")
            .unwrap();
    }

    /// The next frame from the server, whatever it is (pings included).
    pub async fn frame(&mut self) -> Option<Message> {
        tokio::time::timeout(STEP, self.socket.next())
            .await
            .expect("the server answers in time")
            .map(|frame| frame.expect("a frame"))
    }

    /// The next chat message (a JSON object in a text frame).
    pub async fn next(&mut self) -> Value {
        loop {
            match self.frame().await {
                Some(Message::Text(text)) => {
                    let value: Value = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
                    assert!(value.is_object(), "{text}");
                    return value;
                }
                Some(Message::Ping(_) | Message::Pong(_)) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The next message of `kind`, skipping others (logs, users pushes).
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

    /// Asks for the users list and returns the first answer: whatever the
    /// server queued for us before it comes first, so this also proves
    /// that nothing else was queued for us (see `nothing_queued`).
    pub async fn ask_users(&mut self) -> Value {
        self.send(json!({"type": "users"})).await;
        self.next().await
    }

    /// Asserts that the server queued nothing for us: the answer to a
    /// `users` request is the very next message.
    pub async fn nothing_queued(&mut self) {
        let answer = self.ask_users().await;
        assert_eq!(answer["type"], "users", "unexpected message {answer}");
    }

    /// Reads until the server closes; returns its Close frame. Reading on
    /// after it is what sends our answer (the closing handshake).
    pub async fn closed(&mut self) -> Option<CloseFrame> {
        let frame = loop {
            match self.frame().await {
                Some(Message::Close(frame)) => break frame,
                None => panic!("the connection ended without a Close frame"),
                Some(_) => continue,
            }
        };
        let rest = tokio::time::timeout(STEP, async {
            while let Some(Ok(_)) = self.socket.next().await {}
        });
        rest.await.expect("the connection ends after the Close");
        frame
    }
}
