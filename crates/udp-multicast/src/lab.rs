//! `udp-multicast lab`: two members of a group share one port. Who gets a
//! multicast datagram, and what changes when one leaves?

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::datagram::{number_of, numbered, receive_buffer};
use common::lang::Lang;
use rust_i18n::t;
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

    /// Prints the report in `lang`; `true` if UDP behaved as the lesson says.
    pub fn print(&self, lang: Lang) -> bool {
        let locale = lang.code();
        let (group, port) = self.to;
        let to = format!("{group}:{port}");
        let count = self.sent.len();
        println!(
            "{}",
            t!("lab.title", locale = locale, count = count, to = to)
        );
        print_heard(&self.heard, lang);
        println!("{}", t!("lab.leave", locale = locale, count = count));
        print_heard(&self.heard_after_leave, lang);
        let ok = self.as_expected();
        if ok {
            println!("{}", t!("lab.ok", locale = locale));
        } else {
            println!("{}", t!("lab.not_ok", locale = locale));
        }
        ok
    }
}

fn print_heard(heard: &[Vec<u64>; 2], lang: Lang) {
    let locale = lang.code();
    for (name, got) in ["A", "B"].iter().zip(heard) {
        let got: Vec<String> = got.iter().map(|n| format!("#{n}")).collect();
        if got.is_empty() {
            println!("{}", t!("lab.got_nothing", locale = locale, name = name));
        } else {
            let got = got.join(" ");
            println!("{}", t!("lab.got", locale = locale, name = name, got = got));
        }
    }
}

/// Joins two receivers to the seed's group on one port through 127.0.0.1,
/// sends `count` numbered datagrams, has receiver A leave, sends `count`
/// more, and records which receiver got which.
pub async fn run(count: u64) -> io::Result<Report> {
    let interface = Ipv4Addr::LOCALHOST;
    let group = SEED_GROUP;
    let first = receiver::join(group, 0, interface, Lang::En)?;
    let port = first.local_addr()?.port();
    let second = receiver::join(group, port, interface, Lang::En)?;
    let socket = sender::open(interface, 1, Lang::En).await?;
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
