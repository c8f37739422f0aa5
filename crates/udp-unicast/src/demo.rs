//! `udp-unicast demo`: the whole lesson in one process, narrated.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::datagram::{MAX_DATAGRAM, printable};
use common::logging::demo_line;
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use crate::client::{self, Event};
use crate::server::Server;

const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// Runs the server on an ephemeral loopback port and drives it with
/// clients, printing both sides.
pub async fn run() -> io::Result<()> {
    let server = Server::new(UdpSocket::bind(LOOPBACK).await?);
    let addr = server.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(
        async {
            let _ = stopped.await;
        },
        |line| demo_line("server", line),
    ));
    println!("udp-unicast demo: the server is bound to {addr} (port 0 let the OS choose)");
    demo_line("server", format!("server running {addr}"));

    step("1. the seed's exchange: the client sends \"hello\", the server answers \"world\"");
    let socket = UdpSocket::bind(LOOPBACK).await?;
    ask(&socket, addr, b"hello", Duration::from_secs(2)).await;

    step("2. UDP keeps message boundaries: three sends arrive as three datagrams");
    let socket = UdpSocket::bind(LOOPBACK).await?;
    socket.connect(addr).await?;
    for word in ["one", "two", "three"] {
        demo_line("client", format!("send {word:?}"));
        socket.send(word.as_bytes()).await?;
    }
    let mut reply = [0; 16];
    for _ in 0..3 {
        let Ok(received) =
            tokio::time::timeout(Duration::from_secs(2), socket.recv(&mut reply)).await
        else {
            demo_line("client", "no reply within 2s: lost, as UDP allows");
            break;
        };
        let got = printable(&reply[..received?]);
        demo_line("client", format!("client got {got} from {addr}"));
    }

    step("3. no delivery guarantee: a socket that never answers, and a timeout");
    let silent = UdpSocket::bind(LOOPBACK).await?;
    let socket = UdpSocket::bind(LOOPBACK).await?;
    ask(
        &socket,
        silent.local_addr()?,
        b"hello?",
        Duration::from_millis(300),
    )
    .await;

    step("4. nobody on the port: the OS answers \"port unreachable\"");
    let closed = silent.local_addr()?;
    drop(silent);
    let socket = UdpSocket::bind(LOOPBACK).await?;
    ask(&socket, closed, b"hello?", Duration::from_secs(2)).await;

    step("5. one datagram carries at most 65,507 bytes");
    let socket = UdpSocket::bind(LOOPBACK).await?;
    ask(
        &socket,
        addr,
        &vec![b'x'; MAX_DATAGRAM + 1],
        Duration::from_secs(2),
    )
    .await;
    let socket = UdpSocket::bind(LOOPBACK).await?;
    ask(
        &socket,
        addr,
        &vec![b'x'; MAX_DATAGRAM],
        Duration::from_secs(2),
    )
    .await;

    step("6. server.close(): the socket is closed, the port is free again");
    let _ = stop.send(());
    let answered = server.await.map_err(io::Error::other)??;
    demo_line("demo", format!("the server answered {answered} datagrams"));
    let again = UdpSocket::bind(addr).await;
    demo_line(
        "demo",
        match again {
            Ok(_) => format!("binding {addr} again works: the port was released"),
            Err(error) => format!("binding {addr} again fails: {error}"),
        },
    );
    println!("\ndone: every step above ran on 127.0.0.1 in this one process.");
    Ok(())
}

fn step(title: &str) {
    println!("\n── {title}");
}

/// Runs the client once and narrates what happened.
async fn ask(socket: &UdpSocket, server: SocketAddr, message: &[u8], timeout: Duration) {
    if message.len() > 100 {
        demo_line("client", format!("sending {} bytes", message.len()));
    }
    let result = client::run(socket, server, message, timeout, |event| match event {
        Event::Running(addr) => demo_line("client", format!("client running {addr}")),
        Event::Got(reply, from) => {
            demo_line(
                "client",
                format!("client got {} from {from}", printable(reply)),
            );
        }
    })
    .await;
    if let Err(error) = result {
        demo_line("client", format!("error: {error}"));
    }
}
