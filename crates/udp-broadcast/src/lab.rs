//! `udp-broadcast lab`: two sockets share one port. Who gets a broadcast?

use std::io;
use std::net::{SocketAddr, SocketAddrV4};
use std::time::Duration;

use common::datagram::{number_of, receive_buffer};
use common::lang::Lang;
use rust_i18n::t;
use tokio::net::UdpSocket;

use crate::receiver;
use crate::sender::{self, LOOPBACK_BROADCAST, Plan};

/// What the lab did and saw.
#[derive(Debug)]
pub struct Report {
    /// Where the datagrams went: 127.255.255.255 and the receivers' port.
    pub to: SocketAddrV4,
    /// The numbers sent.
    pub sent: Vec<u64>,
    /// The numbers each receiver got, in arrival order.
    pub heard: [Vec<u64>; 2],
}

impl Report {
    /// Every number sent reached both receivers, once each.
    pub fn both_got_all(&self) -> bool {
        self.heard.iter().all(|got| *got == self.sent)
    }

    /// Prints the report in `lang`; `true` if UDP behaved as the lesson says.
    pub fn print(&self, lang: Lang) -> bool {
        let locale = lang.code();
        let (count, to) = (self.sent.len(), self.to);
        println!(
            "{}",
            t!("lab.title", locale = locale, count = count, to = to)
        );
        for (name, got) in ["A", "B"].iter().zip(&self.heard) {
            let got: Vec<String> = got.iter().map(|n| format!("#{n}")).collect();
            let got = got.join(" ");
            println!("{}", t!("lab.got", locale = locale, name = name, got = got));
        }
        let ok = self.both_got_all();
        if ok {
            println!("{}", t!("lab.ok", locale = locale));
        } else {
            println!("{}", t!("lab.not_ok", locale = locale));
        }
        ok
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
    let never = std::future::pending();
    sender::run(&socket, to, &plan, never, Lang::En, |_| {}).await?;
    let sent: Vec<u64> = (1..=count).collect();
    let from = socket.local_addr()?;
    // Each receiver in turn, until it has them all or 2 s have passed; then
    // whatever else is queued, so that a copy delivered twice would show.
    let mut heard = [Vec::new(), Vec::new()];
    for (socket, got) in [&first, &second].into_iter().zip(&mut heard) {
        let listen = hear(socket, from, got, count as usize);
        let _ = tokio::time::timeout(Duration::from_secs(2), listen).await;
        let mut buffer = receive_buffer();
        while let Ok((len, sender)) = socket.try_recv_from(&mut buffer) {
            got.extend(number_of(&buffer[..len]).filter(|_| sender == from));
        }
    }
    Ok(Report { to, sent, heard })
}

/// Records the numbers `socket` receives from `from` until it has `count`.
async fn hear(socket: &UdpSocket, from: SocketAddr, got: &mut Vec<u64>, count: usize) {
    let mut buffer = receive_buffer();
    while got.len() < count {
        let Ok((len, sender)) = socket.recv_from(&mut buffer).await else {
            return;
        };
        got.extend(number_of(&buffer[..len]).filter(|_| sender == from));
    }
}
