//! `udp-broadcast lab`: two sockets share one port. Who gets a broadcast?

use std::io;
use std::net::{SocketAddr, SocketAddrV4};
use std::time::Duration;

use common::udp::{Expect, Heard, Plan, hear_pair};

use crate::receiver;
use crate::sender::{self, LOOPBACK_BROADCAST};

/// What the lab did and saw.
#[derive(Debug)]
pub struct Report {
    /// Where the datagrams went: 127.255.255.255 and the receivers' port.
    pub to: SocketAddrV4,
    /// The numbers sent.
    pub sent: Vec<u64>,
    /// Who received which number.
    pub heard: Heard,
}

impl Report {
    /// Prints the report; `true` if UDP behaved as the lesson says.
    pub fn print(&self) -> bool {
        println!(
            "broadcast: {} datagrams to {}, a port two sockets share",
            self.sent.len(),
            self.to
        );
        let (as_expected, lines) = self.heard.report(&self.sent, Expect::BothGetAll);
        for line in lines {
            println!("  {line}");
        }
        as_expected
    }
}

/// Binds two receivers on one port of 127.255.255.255, broadcasts `count`
/// numbered datagrams to it, and records which receiver got which.
pub async fn run(count: u64) -> io::Result<Report> {
    let first =
        receiver::bind(SocketAddr::from((LOOPBACK_BROADCAST, 0))).map_err(io::Error::other)?;
    let port = first.local_addr()?.port();
    let second =
        receiver::bind(SocketAddr::from((LOOPBACK_BROADCAST, port))).map_err(io::Error::other)?;

    let to = SocketAddrV4::new(LOOPBACK_BROADCAST, port);
    let socket = sender::open(to).await.map_err(io::Error::other)?;
    let plan = Plan {
        message: "hello".into(),
        interval: Duration::from_millis(1),
        count: Some(count),
    };
    sender::run(&socket, to, &plan, std::future::pending(), |_, _| {}).await?;
    let sent: Vec<u64> = (1..=count).collect();
    let heard = hear_pair(
        [&first, &second],
        &[socket.local_addr()?],
        &sent,
        Expect::BothGetAll,
        Duration::from_secs(2),
    )
    .await?;
    Ok(Report { to, sent, heard })
}
