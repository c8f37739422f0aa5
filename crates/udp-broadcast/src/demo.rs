//! `udp-broadcast demo`: the whole lesson in one process, narrated.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use common::logging::demo_line;
use tokio::net::UdpSocket;

use crate::receiver;
use crate::sender::{self, LOOPBACK_BROADCAST, Plan};

/// How long the receivers listen at most: the three datagrams take 0.4 s.
const PATIENCE: Duration = Duration::from_secs(3);

/// Two receivers on one port, a sender without and then with SO_BROADCAST.
pub async fn run() -> io::Result<()> {
    let first =
        receiver::bind(SocketAddr::from((LOOPBACK_BROADCAST, 0))).map_err(io::Error::other)?;
    let port = first.local_addr()?.port();
    let second =
        receiver::bind(SocketAddr::from((LOOPBACK_BROADCAST, port))).map_err(io::Error::other)?;
    let to = SocketAddrV4::new(LOOPBACK_BROADCAST, port);
    println!("udp-broadcast demo: two receivers share {to} (SO_REUSEADDR + SO_REUSEPORT)");
    demo_line("A", format!("client running {}", first.local_addr()?));
    demo_line("B", format!("client running {}", second.local_addr()?));

    step("1. a socket without setBroadcast(true) may not send to a broadcast address");
    let plain = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    match plain.send_to(b"hello", to).await {
        Ok(_) => demo_line("sender", "the send went through (unexpected)"),
        Err(error) => demo_line("sender", sender::explain(error, to)),
    }

    step("2. with setBroadcast(true): three datagrams, each reaching both receivers");
    let socket = sender::open(to).await.map_err(io::Error::other)?;
    demo_line("sender", format!("server running {}", socket.local_addr()?));
    let plan = Plan {
        message: "hello".into(),
        interval: Duration::from_millis(200),
        count: Some(3),
    };
    let send = sender::run(&socket, to, &plan, std::future::pending(), |text| {
        demo_line("sender", format!("server sent {text} to {to}"));
    });
    let listen = |name: &'static str, socket: UdpSocket| async move {
        // Bounded: a lost datagram must not hang the demo.
        let stop = tokio::time::sleep(PATIENCE);
        let (tallies, _) =
            receiver::run(&socket, Some(3), stop, |line| demo_line(name, line)).await?;
        Ok::<_, io::Error>(tallies)
    };
    let (_, a, b) = tokio::try_join!(send, listen("A", first), listen("B", second))?;

    step("3. each receiver's count (a receiver prints it on Ctrl-C or after --count)");
    for (name, tallies) in [("A", a), ("B", b)] {
        for line in tallies.summary() {
            demo_line(name, line);
        }
    }
    println!("\ndone: one datagram sent, one copy for every socket on the port; all on 127.0.0.1.");
    Ok(())
}

fn step(title: &str) {
    println!("\n── {title}");
}
