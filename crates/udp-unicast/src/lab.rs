//! `udp-unicast lab`: two sockets share one port. Who gets a unicast datagram?

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::datagram::{number_of, numbered, receive_buffer};
use common::lang::Lang;
use rust_i18n::t;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

/// What the lab did and saw.
#[derive(Debug)]
pub struct Report {
    /// The port both receivers are bound to, on 127.0.0.1.
    pub port: u16,
    /// The numbers sent, one datagram each.
    pub sent: Vec<u64>,
    /// The numbers each receiver got, in arrival order.
    pub heard: [Vec<u64>; 2],
}

impl Report {
    /// Every number sent reached exactly one of the receivers, once.
    pub fn each_went_to_one(&self) -> bool {
        let [a, b] = &self.heard;
        let mut all: Vec<u64> = a.iter().chain(b).copied().collect();
        all.sort_unstable();
        all == self.sent
    }

    /// Prints the report in `lang`; `true` if UDP behaved as the lesson says.
    pub fn print(&self, lang: Lang) -> bool {
        let locale = lang.code();
        let (count, port) = (self.sent.len(), self.port);
        println!(
            "{}",
            t!("lab.title", locale = locale, count = count, port = port)
        );
        for (name, got) in ["A", "B"].iter().zip(&self.heard) {
            let got: Vec<String> = got.iter().map(|n| format!("#{n}")).collect();
            if got.is_empty() {
                println!("{}", t!("lab.got_nothing", locale = locale, name = name));
            } else {
                let got = got.join(" ");
                println!("{}", t!("lab.got", locale = locale, name = name, got = got));
            }
        }
        let ok = self.each_went_to_one();
        if ok {
            println!("{}", t!("lab.ok", locale = locale));
            println!("{}", t!("lab.why", locale = locale));
        } else {
            println!("{}", t!("lab.not_ok", locale = locale));
        }
        ok
    }
}

// ANCHOR: lab
/// Binds two receivers on one 127.0.0.1 port, sends `count` numbered
/// datagrams to that port, each from a socket of its own (a different sender
/// port each time), and records which receiver got which.
pub async fn run(count: u64) -> io::Result<Report> {
    let first = bind_shared(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let to = first.local_addr()?;
    let second = bind_shared(to)?;

    let sent: Vec<u64> = (1..=count).collect();
    let mut senders = Vec::new();
    for &n in &sent {
        let sender = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        sender.send_to(numbered("hello", n).as_bytes(), to).await?;
        senders.push(sender.local_addr()?);
    }
    // Listen on both until every number has arrived at one of them (or 2 s
    // have passed), then take whatever else is queued, so that a datagram
    // delivered twice would show.
    let mut heard = [Vec::new(), Vec::new()];
    let mut buffers = [receive_buffer(), receive_buffer()];
    let listen = async {
        while heard[0].len() + heard[1].len() < sent.len() {
            let [a, b] = &mut buffers;
            let (i, (len, from)) = tokio::select! {
                r = first.recv_from(a) => (0, r?),
                r = second.recv_from(b) => (1, r?),
            };
            let number = number_of(&buffers[i][..len]).filter(|_| senders.contains(&from));
            heard[i].extend(number);
        }
        Ok::<_, io::Error>(())
    };
    if let Ok(result) = tokio::time::timeout(Duration::from_secs(2), listen).await {
        result?;
    }
    for (i, socket) in [&first, &second].into_iter().enumerate() {
        while let Ok((len, from)) = socket.try_recv_from(&mut buffers[i]) {
            let number = number_of(&buffers[i][..len]).filter(|_| senders.contains(&from));
            heard[i].extend(number);
        }
    }
    Ok(Report {
        port: to.port(),
        sent,
        heard,
    })
}
// ANCHOR_END: lab

/// A UDP socket on `addr` that a second socket may bind too:
/// `SO_REUSEADDR` and `SO_REUSEPORT`, set before binding (as
/// `udp-broadcast`'s receiver explains). Port 0 takes a port no other
/// socket holds, which the reuse options alone do not promise.
fn bind_shared(addr: SocketAddr) -> io::Result<UdpSocket> {
    let addr = if addr.port() == 0 {
        std::net::UdpSocket::bind(addr)?.local_addr()?
    } else {
        addr
    };
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    #[cfg(all(unix, not(any(target_os = "solaris", target_os = "illumos"))))]
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}
