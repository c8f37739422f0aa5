//! `udp-multicast lab`: two members of a group share one port. Who gets a
//! multicast datagram, and what changes when one leaves?

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::datagram::{number_of, numbered, receive_buffer};
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
    /// The numbers each receiver got of those, in arrival order.
    pub heard: [Vec<u64>; 2],
    /// The numbers sent after receiver A left the group.
    pub sent_after_leave: Vec<u64>,
    /// The numbers each receiver got of those.
    pub heard_after_leave: [Vec<u64>; 2],
}

impl Report {
    /// Both members got everything; then only B did.
    pub fn as_expected(&self) -> bool {
        let [a, b] = &self.heard;
        let [a_after, b_after] = &self.heard_after_leave;
        *a == self.sent
            && *b == self.sent
            && a_after.is_empty()
            && *b_after == self.sent_after_leave
    }

    /// Prints the report; `true` if UDP behaved as the lesson says.
    pub fn print(&self) -> bool {
        let (group, port) = self.to;
        let count = self.sent.len();
        println!(
            "multicast: {count} datagrams to {group}:{port}, a group two sockets joined on one port"
        );
        print_heard(&self.heard);
        println!("  then A leaves the group (dropMembership) and {count} more are sent");
        print_heard(&self.heard_after_leave);
        let ok = self.as_expected();
        if ok {
            println!("  => every datagram reached both members, then B only");
        } else {
            println!("  => NOT what this lesson expects (both members, then B only)");
        }
        ok
    }
}

fn print_heard(heard: &[Vec<u64>; 2]) {
    for (name, got) in ["A", "B"].iter().zip(heard) {
        let got: Vec<String> = got.iter().map(|n| format!("#{n}")).collect();
        let got = if got.is_empty() {
            "nothing".to_owned()
        } else {
            got.join(" ")
        };
        println!("  receiver {name} got {got}");
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
    let from = socket.local_addr()?;
    let to = SocketAddr::from((group.addr(), port));

    let sent: Vec<u64> = (1..=count).collect();
    for &n in &sent {
        socket.send_to(numbered("hello", n).as_bytes(), to).await?;
    }
    let heard = [
        hear(&first, from, count).await,
        hear(&second, from, count).await,
    ];

    receiver::leave(&first, group, interface)?;
    let sent_after_leave: Vec<u64> = (count + 1..=2 * count).collect();
    for &n in &sent_after_leave {
        socket.send_to(numbered("hello", n).as_bytes(), to).await?;
    }
    // B first: once B has them all, every copy has been delivered, so
    // whatever A was given would already be queued for it.
    let b = hear(&second, from, count).await;
    let a = hear(&first, from, 0).await;
    Ok(Report {
        to: (group, port),
        sent,
        heard,
        sent_after_leave,
        heard_after_leave: [a, b],
    })
}

/// The numbers `socket` receives from `from`: until it has `count` of them
/// (or 2 s have passed), then whatever else is already queued, so that a
/// copy delivered twice, or to a socket that left, would show.
async fn hear(socket: &UdpSocket, from: SocketAddr, count: u64) -> Vec<u64> {
    let mut got = Vec::new();
    let mut buffer = receive_buffer();
    let listen = async {
        while (got.len() as u64) < count {
            let Ok((len, sender)) = socket.recv_from(&mut buffer).await else {
                return;
            };
            got.extend(number_of(&buffer[..len]).filter(|_| sender == from));
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), listen).await;
    while let Ok((len, sender)) = socket.try_recv_from(&mut buffer) {
        got.extend(number_of(&buffer[..len]).filter(|_| sender == from));
    }
    got
}
