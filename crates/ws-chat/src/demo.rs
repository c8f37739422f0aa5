//! `ws-chat demo`: the whole lesson in one process, narrated: three chat
//! clients, the echo endpoint, the bad inputs, and Ctrl-C.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::chat::{Broadcast, ClientMessage, Login, P2pTo, Typing};
use common::logging::demo_line;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{ChatClient, Received};
use crate::server::{Config, Server};

/// How long any one step may take before the demo gives up.
const STEP: Duration = Duration::from_secs(5);

/// Runs the server on an ephemeral loopback port and drives it with
/// scripted clients, printing every frame. Logging must already be set up by
/// `common::logging::init_demo("server")` for the server's lines to show.
pub async fn run(assets: &Path) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        assets: assets.to_path_buf(),
        grace: Duration::from_secs(1),
        ..Config::default()
    };
    let server = Server::new(listener, config)?;
    let addr = server.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let chat = format!("ws://{addr}/ws");
    println!("ws-chat demo: the server listens on {addr}; the page would be http://{addr}/");

    step("1. alice and bob connect to /ws and log in; everyone gets the new users list");
    let mut alice = Person::connect("alice", &chat).await?;
    alice.login("alice").await?;
    alice.hear(2).await?; // login answer, users
    let mut bob = Person::connect("bob", &chat).await?;
    bob.login("bob").await?;
    bob.hear(2).await?;
    alice.hear(2).await?; // "bob joined", users

    step("2. a nickname is taken whatever its case; the client may try again");
    let mut carol = Person::connect("carol", &chat).await?;
    carol.login("ALICE").await?;
    carol.hear(1).await?;
    carol.login("carol").await?;
    carol.hear(2).await?;
    alice.hear(2).await?;
    bob.hear(2).await?;

    step("3. alice types, then sends: the others see it, alice's own page shows hers");
    alice
        .send(&ClientMessage::Typing(Typing { typing: true }))
        .await?;
    bob.hear(1).await?;
    carol.hear(1).await?;
    alice
        .send(&ClientMessage::Broadcast(Broadcast {
            message: "hi everyone".into(),
        }))
        .await?;
    bob.hear(1).await?;
    carol.hear(1).await?;

    step("4. a private message reaches one person");
    bob.send(&ClientMessage::P2p(P2pTo {
        to: "alice".into(),
        message: "psst, alice".into(),
    }))
    .await?;
    alice.hear(1).await?;

    step("5. bad input: each gets an error frame and the connection goes on ...");
    carol.send_frame(Message::text("hello?")).await?;
    carol.hear(1).await?;
    carol.send_frame(Message::binary(vec![1, 2, 3])).await?;
    carol.hear(1).await?;
    step("   ... except a message over 64 KiB: Close 1009, and carol has left");
    carol
        .send_frame(Message::text("x".repeat(70 * 1024)))
        .await?;
    carol.hear(1).await?;
    alice.hear(2).await?;
    bob.hear(2).await?;

    step("6. /echo: the seed's echo.websocket.org, on our own port");
    let mut echo = Person::connect("echo", &format!("ws://{addr}/echo")).await?;
    echo.send_frame(Message::text("Hello WebSockets!")).await?;
    echo.hear(1).await?;
    echo.send_frame(Message::binary(vec![0, 159, 146, 150]))
        .await?;
    echo.hear(1).await?;
    echo.client.close().await.map_err(io::Error::other)?;

    step("7. a plain HTTP GET of /ws is not an upgrade: 426");
    demo_line("curl", status_line(addr, "/ws").await?);

    step("8. Ctrl-C: every WebSocket is closed with 1001 \"going away\"");
    let _ = stop.send(());
    alice.hear(1).await?;
    bob.hear(1).await?;
    server.await.map_err(io::Error::other)?;
    println!("\ndone: every step above ran on 127.0.0.1 in this one process.");
    Ok(())
}

fn step(title: &str) {
    println!("\n── {title}");
}

/// A scripted client that narrates what it sends and receives.
struct Person {
    name: &'static str,
    client: ChatClient,
}

impl Person {
    async fn connect(name: &'static str, url: &str) -> io::Result<Self> {
        let client = tokio::time::timeout(STEP, ChatClient::connect(url))
            .await
            .map_err(|_| timed_out(name, "connecting"))?
            .map_err(io::Error::other)?;
        demo_line(name, format!("connected to {url}"));
        Ok(Self { name, client })
    }

    async fn login(&mut self, nickname: &str) -> io::Result<()> {
        self.send(&ClientMessage::Login(Login {
            nickname: nickname.into(),
        }))
        .await
    }

    async fn send(&mut self, message: &ClientMessage) -> io::Result<()> {
        let json = serde_json::to_string(message).map_err(io::Error::other)?;
        self.send_frame(Message::text(json)).await
    }

    async fn send_frame(&mut self, frame: Message) -> io::Result<()> {
        demo_line(self.name, format!("→ {}", describe_frame(&frame)));
        self.client
            .send_frame(frame)
            .await
            .map_err(io::Error::other)
    }

    /// Prints the next `n` frames this client receives.
    async fn hear(&mut self, n: usize) -> io::Result<()> {
        for _ in 0..n {
            let received = tokio::time::timeout(STEP, self.client.receive())
                .await
                .map_err(|_| timed_out(self.name, "waiting for a frame"))?
                .ok_or_else(|| io::Error::other(format!("{}: connection gone", self.name)))?
                .map_err(io::Error::other)?;
            demo_line(self.name, format!("← {}", describe(&received)));
        }
        Ok(())
    }
}

fn timed_out(name: &str, doing: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("{name}: timed out {doing}"),
    )
}

fn describe(received: &Received) -> String {
    match received {
        Received::Message(message) => serde_json::to_string(message).unwrap_or_default(),
        Received::Text(text) => format!("text {text:?}"),
        Received::Binary(bytes) => format!("binary {bytes:?}"),
        Received::Closed(Some(frame)) => format!(
            "Close {} {:?}",
            u16::from(frame.code),
            frame.reason.as_str()
        ),
        Received::Closed(None) => "Close (no code)".into(),
    }
}

fn describe_frame(frame: &Message) -> String {
    match frame {
        Message::Text(text) if text.len() > 80 => format!("text of {} bytes", text.len()),
        Message::Text(text) => text.to_string(),
        Message::Binary(bytes) => format!("binary {:?}", &bytes[..]),
        other => format!("{other:?}"),
    }
}

/// `curl -i http://addr/path`, reduced to the status line.
async fn status_line(addr: SocketAddr, path: &str) -> io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    tokio::time::timeout(STEP, stream.read_to_end(&mut response))
        .await
        .map_err(|_| timed_out("curl", "reading"))??;
    let response = String::from_utf8_lossy(&response);
    let status = response.lines().next().unwrap_or_default();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default().trim();
    Ok(format!("GET {path} → {status}: {body}"))
}
