//! `tcp-echo demo`: the whole lesson in one process, narrated.

use std::io;
use std::time::Duration;

use common::logging::demo_line;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::client::{self, Event};
use crate::server::{Config, GREETING, Server};

/// Runs the server on an ephemeral loopback port and drives it with clients,
/// printing both sides. Logging must already be set up by
/// `common::logging::init_demo("server")` for the server's lines to show.
pub async fn run() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let server = Server::new(
        listener,
        Config {
            grace: Duration::from_secs(1),
            ..Config::default()
        },
    );
    let addr = server.local_addr()?;
    let mut connections = server.connections();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    println!("tcp-echo demo: the server listens on {addr} (port 0 let the OS choose)");

    step("1. the seed's client: connect, write \"world!\\r\\n\", end, print what comes back");
    let echoed = client::run(addr, b"world!\r\n", narrate).await?;
    demo_line(
        "client",
        format!(
            "in all: {:?}: the greeting, then our own bytes",
            text(&echoed)
        ),
    );
    wait_until_closed(&mut connections).await;

    step("2. binary-safe and any size: 1 MiB with NUL bytes comes back byte for byte");
    let payload: Vec<u8> = (0..1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let echoed = client::run(addr, &payload, |event| {
        if let Event::Connected(_) = event {
            demo_line("client", "connected; sending 1048576 bytes while reading");
        }
    })
    .await?;
    let same = echoed.get(GREETING.len()..) == Some(&payload[..]);
    demo_line(
        "client",
        format!(
            "received {} bytes after the greeting: {}",
            echoed.len() - GREETING.len(),
            if same { "identical" } else { "DIFFERENT" }
        ),
    );
    wait_until_closed(&mut connections).await;

    step("3. getConnections(): two clients connect and say nothing");
    let mut first = TcpStream::connect(addr).await?;
    let mut second = TcpStream::connect(addr).await?;
    let mut greeting = [0; GREETING.len()];
    first.read_exact(&mut greeting).await?;
    second.read_exact(&mut greeting).await?;
    let open = *connections
        .wait_for(|n| *n == 2)
        .await
        .map_err(io::Error::other)?;
    demo_line("demo", format!("the server counts {open} open connections"));
    drop((first, second));
    wait_until_closed(&mut connections).await;

    step("4. Ctrl-C, like server.close(): stop accepting, let open connections finish");
    let _ = stop.send(());
    server.await.map_err(io::Error::other)?;
    match TcpStream::connect(addr).await {
        Err(error) => demo_line("client", format!("connecting again fails: {error}")),
        Ok(_) => demo_line("client", "connecting again worked (unexpected)"),
    }
    println!("\ndone: every step above ran on 127.0.0.1 in this one process.");
    Ok(())
}

fn step(title: &str) {
    println!("\n── {title}");
}

/// Prints a client event as a transcript line.
fn narrate(event: Event<'_>) {
    match event {
        Event::Connected(addr) => demo_line("client", format!("connected to server! ({addr})")),
        Event::Data(chunk) => demo_line("client", format!("data: {:?}", text(chunk))),
        Event::Disconnected => demo_line("client", "disconnected from server"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits until the server has seen every demo client go, so the server's
/// "client disconnected" line lands in the right step.
async fn wait_until_closed(connections: &mut tokio::sync::watch::Receiver<usize>) {
    let _ = connections.wait_for(|n| *n == 0).await;
}
