//! `tcp-chat demo`: the server and three scripted clients in one process,
//! with every JSON line that crosses the wire printed.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use common::chat::{Broadcast, ClientMessage, P2pTo, ServerMessage};
use common::demo::{DemoArgs, Steps};
use common::lang::Lang;
use common::logging::demo_line;
use rust_i18n::t;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::client::Connection;
use crate::console;
use crate::server::{Config, Server};

/// Runs the lesson on an ephemeral loopback port and narrates it. Logging
/// must already be set up by `common::logging::init_demo("server")` for the
/// server's own lines to show. `args` says whether to wait for Enter
/// between steps; `lang` is the narration's, and the server's.
pub async fn run(args: &DemoArgs, lang: Lang) -> io::Result<()> {
    let locale = lang.code();
    let say = |key: &str| t!(key, locale = locale).into_owned();
    let mut steps = Steps::new(args, lang);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        grace: Duration::from_secs(1),
        lang,
        ..Config::default()
    };
    let server = Server::new(listener, config);
    let addr = server.local_addr()?;
    let mut connections = server.connections();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    println!("{}", t!("demo.listening", locale = locale, addr = addr));
    println!("{}", say("demo.legend"));

    steps.next(&say("demo.step1")).await;
    let mut alice = Client::connect("alice", addr, lang).await?;
    alice.send(&console::login("alice")).await?;
    alice.receive().await?;
    let mut bob = Client::connect("bob", addr, lang).await?;
    bob.send(&console::login("bob")).await?;
    bob.receive().await?;
    alice.receive().await?;

    steps.next(&say("demo.step2")).await;
    let mut carol = Client::connect("carol", addr, lang).await?;
    carol.send(&console::login("Alice")).await?;
    carol.receive().await?;
    carol.send(&console::login("carol")).await?;
    carol.receive().await?;
    alice.receive().await?;
    bob.receive().await?;

    steps.next(&say("demo.step3")).await;
    alice
        .send(&ClientMessage::Broadcast(Broadcast {
            message: say("demo.msg.hello"),
        }))
        .await?;
    for client in [&mut alice, &mut bob, &mut carol] {
        client.receive().await?;
    }

    steps.next(&say("demo.step4")).await;
    bob.send(&ClientMessage::P2p(P2pTo {
        to: "carol".into(),
        message: say("demo.msg.psst"),
    }))
    .await?;
    carol.receive().await?;
    bob.receive().await?;

    steps.next(&say("demo.step5")).await;
    carol.send(&ClientMessage::Users).await?;
    carol.receive().await?;

    steps.next(&say("demo.step6")).await;
    demo_line("carol", say("demo.raw"));
    let whole = "{\"type\":\"broadcast\",\"message\":\"你好\"}{\"type\":\"users\"}\nnot json\n";
    let cut = whole.find('好').map_or(0, |at| at + 1);
    carol.write_raw(&whole.as_bytes()[..cut]).await?;
    carol.write_raw(&whole.as_bytes()[cut..]).await?;
    carol.receive().await?; // her own broadcast
    carol.receive().await?; // the users list
    carol.receive().await?; // the error for "not json"
    alice.receive().await?;
    bob.receive().await?;

    steps.next(&say("demo.step7")).await;
    bob.close().await?;
    alice.receive().await?;
    carol.receive().await?;
    // Let the server finish with bob's connection, so its "client
    // disconnected" line shows in this step and not the next.
    let _ = connections.wait_for(|open| *open <= 2).await;

    steps.next(&say("demo.step8")).await;
    let _ = stop.send(());
    for client in [&mut alice, &mut carol] {
        client.receive().await?;
        client.receive().await?;
    }
    server.await.map_err(io::Error::other)?;
    match TcpStream::connect(addr).await {
        Err(error) => demo_line(
            "demo",
            t!("demo.again_fails", locale = locale, error = error),
        ),
        Ok(_) => demo_line("demo", say("demo.again_worked")),
    }
    println!("\n{}", say("demo.done"));
    Ok(())
}

/// A scripted client that narrates everything it sends and receives.
struct Client {
    name: &'static str,
    connection: Connection,
    lang: Lang,
}

impl Client {
    async fn connect(name: &'static str, addr: SocketAddr, lang: Lang) -> io::Result<Self> {
        let connection = Connection::connect(addr, lang).await?;
        demo_line(
            name,
            t!("demo.connected", locale = lang.code(), addr = addr),
        );
        Ok(Self {
            name,
            connection,
            lang,
        })
    }

    async fn send(&mut self, message: &ClientMessage) -> io::Result<()> {
        demo_line(self.name, format!("→ {}", json(message)));
        self.connection.send(message).await
    }

    /// Writes bytes as they are, to show framing at work.
    async fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let bytes_shown = show_bytes(bytes);
        let line = t!(
            "demo.raw_bytes",
            locale = self.lang.code(),
            bytes = bytes_shown
        );
        demo_line(self.name, line);
        self.connection.send_raw(bytes).await
    }

    /// Waits for the next message and prints it; a closed connection is
    /// printed too.
    async fn receive(&mut self) -> io::Result<Option<ServerMessage>> {
        let locale = self.lang.code();
        let stuck = || io::Error::new(io::ErrorKind::TimedOut, t!("demo.stuck", locale = locale));
        // A timeout around this one exchange only: never around a step,
        // which may wait for Enter.
        let message = tokio::time::timeout(Duration::from_secs(5), self.connection.receive())
            .await
            .map_err(|_| stuck())??;
        match &message {
            Some(message) => demo_line(self.name, format!("← {}", json(message))),
            None => demo_line(self.name, t!("demo.closed_by_server", locale = locale)),
        }
        Ok(message)
    }

    async fn close(self) -> io::Result<()> {
        demo_line(self.name, t!("demo.closes", locale = self.lang.code()));
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
