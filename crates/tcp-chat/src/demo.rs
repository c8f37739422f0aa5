//! `tcp-chat demo`: the server and three scripted clients in one process,
//! with every JSON line that crosses the wire printed.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use common::chat::{Broadcast, ClientMessage, P2pTo, ServerMessage};
use common::logging::demo_line;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::client::Connection;
use crate::console;
use crate::server::{Config, Server};

/// Runs the lesson on an ephemeral loopback port and narrates it. Logging
/// must already be set up by `common::logging::init_demo("server")` for the
/// server's own lines to show.
pub async fn run() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        grace: Duration::from_secs(1),
        ..Config::default()
    };
    let server = Server::new(listener, config);
    let addr = server.local_addr()?;
    let mut connections = server.connections();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    println!("tcp-chat demo: the chat server listens on {addr} (port 0 let the OS choose)");
    println!("→ is a line a client sends, ← a line it receives: one JSON object per line.");

    step("1. alice and bob log in; the room tells the others, with the count");
    let mut alice = Client::connect("alice", addr).await?;
    alice.send(&console::login("alice")).await?;
    alice.receive().await?;
    let mut bob = Client::connect("bob", addr).await?;
    bob.send(&console::login("bob")).await?;
    bob.receive().await?;
    alice.receive().await?;

    step("2. a third client asks for \"Alice\": taken (case does not count), so it tries again");
    let mut carol = Client::connect("carol", addr).await?;
    carol.send(&console::login("Alice")).await?;
    carol.receive().await?;
    carol.send(&console::login("carol")).await?;
    carol.receive().await?;
    alice.receive().await?;
    bob.receive().await?;

    step("3. alice broadcasts: everyone receives it, alice too, signed by the server");
    alice
        .send(&ClientMessage::Broadcast(Broadcast {
            message: "hello, everyone!".into(),
        }))
        .await?;
    for client in [&mut alice, &mut bob, &mut carol] {
        client.receive().await?;
    }

    step(
        "4. bob sends carol a private message: only carol receives it (see alice's next line in 6)",
    );
    bob.send(&ClientMessage::P2p(P2pTo {
        to: "carol".into(),
        message: "psst, carol: lunch?".into(),
    }))
    .await?;
    carol.receive().await?;

    step("5. carol asks who is online");
    carol.send(&ClientMessage::Users).await?;
    carol.receive().await?;

    step("6. framing: TCP keeps no message boundaries, so the server does not rely on them");
    demo_line(
        "carol",
        "writes a message in two pieces, cut inside the character 好, \
         then a second message right behind it, then a line of garbage",
    );
    let whole = "{\"type\":\"broadcast\",\"message\":\"你好\"}{\"type\":\"users\"}\nnot json\n";
    let cut = whole.find('好').map_or(0, |at| at + 1);
    carol.write_raw(&whole.as_bytes()[..cut]).await?;
    carol.write_raw(&whole.as_bytes()[cut..]).await?;
    carol.receive().await?; // her own broadcast
    carol.receive().await?; // the users list
    carol.receive().await?; // the error for "not json"
    alice.receive().await?;
    bob.receive().await?;

    step("7. bob leaves; alice and carol are told, with the new count");
    bob.close().await?;
    alice.receive().await?;
    carol.receive().await?;
    // Let the server finish with bob's connection, so its "client
    // disconnected" line shows in this step and not the next.
    let _ = connections.wait_for(|open| *open <= 2).await;

    step("8. Ctrl-C: every client is told the server is shutting down, then it closes");
    let _ = stop.send(());
    for client in [&mut alice, &mut carol] {
        client.receive().await?;
        client.receive().await?;
    }
    server.await.map_err(io::Error::other)?;
    match TcpStream::connect(addr).await {
        Err(error) => demo_line("demo", format!("connecting again fails: {error}")),
        Ok(_) => demo_line("demo", "connecting again worked (unexpected)"),
    }
    println!("\ndone: every step above ran on 127.0.0.1 in this one process.");
    Ok(())
}

fn step(title: &str) {
    println!("\n── {title}");
}

/// A scripted client that narrates everything it sends and receives.
struct Client {
    name: &'static str,
    connection: Connection,
}

impl Client {
    async fn connect(name: &'static str, addr: SocketAddr) -> io::Result<Self> {
        let connection = Connection::connect(addr).await?;
        demo_line(name, format!("connected to {addr}"));
        Ok(Self { name, connection })
    }

    async fn send(&mut self, message: &ClientMessage) -> io::Result<()> {
        demo_line(self.name, format!("→ {}", json(message)));
        self.connection.send(message).await
    }

    /// Writes bytes as they are, to show framing at work.
    async fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        demo_line(self.name, format!("→ {} (raw bytes)", show_bytes(bytes)));
        self.connection.send_raw(bytes).await
    }

    /// Waits for the next message and prints it; a closed connection is
    /// printed too.
    async fn receive(&mut self) -> io::Result<Option<ServerMessage>> {
        let message = tokio::time::timeout(Duration::from_secs(5), self.connection.receive())
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "the demo got stuck"))??;
        match &message {
            Some(message) => demo_line(self.name, format!("← {}", json(message))),
            None => demo_line(self.name, "the server closed the connection"),
        }
        Ok(message)
    }

    async fn close(self) -> io::Result<()> {
        demo_line(self.name, "closes the connection");
        self.connection.close().await
    }
}

/// Bytes as a quoted string, with the bytes of a cut-up character shown
/// as `\xNN`.
fn show_bytes(bytes: &[u8]) -> String {
    let mut shown = String::new();
    for chunk in bytes.utf8_chunks() {
        shown.push_str(chunk.valid().escape_debug().to_string().as_str());
        for byte in chunk.invalid() {
            shown.push_str(&format!("\\x{byte:02X}"));
        }
    }
    format!("\"{shown}\"")
}

fn json<T: serde::Serialize>(message: &T) -> String {
    serde_json::to_string(message).unwrap_or_default()
}
