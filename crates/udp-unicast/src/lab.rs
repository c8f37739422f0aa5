//! `udp-unicast lab`: two sockets share one port. Who gets a unicast datagram?

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::udp::{Expect, Heard, bind_shared, hear_pair, numbered};
use tokio::net::UdpSocket;

/// What the lab did and saw.
#[derive(Debug)]
pub struct Report {
    /// The port both receivers are bound to, on 127.0.0.1.
    pub port: u16,
    /// The numbers sent, one datagram each.
    pub sent: Vec<u64>,
    /// Who received which number.
    pub heard: Heard,
}

impl Report {
    /// Prints the report; `true` if UDP behaved as the lesson says.
    pub fn print(&self) -> bool {
        println!(
            "unicast: {} datagrams to 127.0.0.1:{}, a port two sockets share (SO_REUSEPORT)",
            self.sent.len(),
            self.port
        );
        let (as_expected, lines) = self.heard.report(&self.sent, Expect::OneGetsEach);
        for line in lines {
            println!("  {line}");
        }
        if as_expected {
            println!(
                "  (each datagram came from a socket of its own; Linux picks one receiver per sender address)"
            );
        }
        as_expected
    }
}

// ANCHOR: lab
/// Binds two receivers on one 127.0.0.1 port, sends `count` numbered
/// datagrams to that port, each from a socket of its own (a different sender
/// port each time), and records which receiver got which.
pub async fn run(count: u64) -> io::Result<Report> {
    let first =
        bind_shared(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).map_err(io::Error::other)?;
    let to = first.local_addr()?;
    let second = bind_shared(to).map_err(io::Error::other)?;

    let sent: Vec<u64> = (1..=count).collect();
    let mut senders = Vec::new();
    for &n in &sent {
        let sender = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        sender.send_to(numbered("hello", n).as_bytes(), to).await?;
        senders.push(sender.local_addr()?);
    }
    let heard = hear_pair(
        [&first, &second],
        &senders,
        &sent,
        Expect::OneGetsEach,
        Duration::from_secs(2),
    )
    .await?;
    Ok(Report {
        port: to.port(),
        sent,
        heard,
    })
}
// ANCHOR_END: lab
