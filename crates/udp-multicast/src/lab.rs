//! `udp-multicast lab`: two members of a group share one port. Who gets a
//! multicast datagram, and what changes when one leaves?

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::udp::{Expect, Heard, hear_pair};
use tokio::net::UdpSocket;

use crate::group::SEED_GROUP;
use crate::{Group, receiver, sender};

/// What the lab did and saw.
#[derive(Debug)]
pub struct Report {
    /// The group and port both receivers joined, on interface 127.0.0.1.
    pub to: (Group, u16),
    /// The numbers sent while both were members.
    pub sent: Vec<u64>,
    /// Who received which of those.
    pub heard: Heard,
    /// The numbers sent after receiver A left the group.
    pub sent_after_leave: Vec<u64>,
    /// Who received which of those.
    pub heard_after_leave: Heard,
}

impl Report {
    /// Prints the report; `true` if UDP behaved as the lesson says.
    pub fn print(&self) -> bool {
        let (group, port) = self.to;
        println!(
            "multicast: {} datagrams to {group}:{port}, a group two sockets joined on one port",
            self.sent.len()
        );
        let (both, lines) = self.heard.report(&self.sent, Expect::BothGetAll);
        for line in lines {
            println!("  {line}");
        }
        println!(
            "  then A leaves the group (dropMembership) and {} more are sent",
            self.sent_after_leave.len()
        );
        let (only_b, lines) = self
            .heard_after_leave
            .report(&self.sent_after_leave, Expect::OnlySecond);
        for line in lines {
            println!("  {line}");
        }
        both && only_b
    }
}

/// Joins two receivers to the seed's group on one port through 127.0.0.1,
/// sends `count` numbered datagrams, has receiver A leave, sends `count`
/// more, and records which receiver got which.
pub async fn run(count: u64) -> io::Result<Report> {
    let interface = Ipv4Addr::LOCALHOST;
    let group = SEED_GROUP;
    let first = receiver::join(group, 0, interface)?;
    let port = first.local_addr()?.port();
    let second = receiver::join(group, port, interface)?;
    let socket = sender::open(interface, 1).await?;
    let senders = [socket.local_addr()?];

    let sent: Vec<u64> = (1..=count).collect();
    send(&socket, (group, port), &sent).await?;
    let heard = hear_pair(
        [&first, &second],
        &senders,
        &sent,
        Expect::BothGetAll,
        LIMIT,
    )
    .await?;

    receiver::leave(&first, group, interface)?;
    let sent_after_leave: Vec<u64> = (count + 1..=2 * count).collect();
    send(&socket, (group, port), &sent_after_leave).await?;
    let heard_after_leave = hear_pair(
        [&first, &second],
        &senders,
        &sent_after_leave,
        Expect::OnlySecond,
        LIMIT,
    )
    .await?;
    Ok(Report {
        to: (group, port),
        sent,
        heard,
        sent_after_leave,
        heard_after_leave,
    })
}

/// How long the lab waits for datagrams that arrive at once on loopback.
const LIMIT: Duration = Duration::from_secs(2);

/// Sends `hello #n` for each number.
async fn send(socket: &UdpSocket, (group, port): (Group, u16), numbers: &[u64]) -> io::Result<()> {
    let to = SocketAddr::from((group.addr(), port));
    for &n in numbers {
        socket
            .send_to(common::udp::numbered("hello", n).as_bytes(), to)
            .await?;
    }
    Ok(())
}
