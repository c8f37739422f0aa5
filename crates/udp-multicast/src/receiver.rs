//! The receiver: `client.bind(8000)`, `client.addMembership('224.0.1.100')`,
//! `client.on('message', …)`, and later `client.dropMembership(…)`.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;

use common::datagram::{Tallies, printable_in, receive_buffer};
use common::lang::Lang;
use rust_i18n::t;
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use tokio::net::UdpSocket;

use crate::Group;
use crate::sender::explain_interface;

// ANCHOR: join
/// Binds a receiver on `group:port`, sharing the port with other receivers,
/// and joins the group on `interface` (a wrong one is explained in `lang`).
pub fn join(group: Group, port: u16, interface: Ipv4Addr, lang: Lang) -> io::Result<UdpSocket> {
    // We bind the group's address, not 0.0.0.0: the socket then receives
    // only datagrams sent to this group, not to another group or to one of
    // our unicast addresses on the same port.
    let socket = bind_shared(SocketAddr::from((group.addr(), port)))?;
    // ANCHOR: multicast_all
    // On Linux a socket also receives a group's datagrams when *another*
    // socket on the machine joined it (IP_MULTICAST_ALL, on by default).
    // Off, it gets only the groups it joined itself, so that leaving below
    // really stops the datagrams even while another receiver stays.
    #[cfg(target_os = "linux")]
    SockRef::from(&socket).set_multicast_all_v4(false)?;
    // `addMembership(group, interface)`: IP_ADD_MEMBERSHIP. The OS tells the
    // network (IGMP) that this machine wants the group on that interface.
    socket
        .join_multicast_v4(group.addr(), interface)
        .map_err(|error| explain_interface(interface, error, lang))?;
    // ANCHOR_END: multicast_all
    Ok(socket)
}

/// `dropMembership(group, interface)`: IP_DROP_MEMBERSHIP. From now on the
/// group's datagrams are no longer delivered to this socket.
pub fn leave(socket: &UdpSocket, group: Group, interface: Ipv4Addr) -> io::Result<()> {
    socket.leave_multicast_v4(group.addr(), interface)
}
// ANCHOR_END: join

/// How long a receiver listens, and whether it leaves the group.
#[derive(Debug, Clone)]
pub struct Listening {
    /// Stop after this many datagrams (`None`: until Ctrl-C).
    pub count: Option<u64>,
    /// Leave the group after this many datagrams, then listen on for
    /// `linger` to show that nothing more arrives.
    pub leave_after: Option<u64>,
    pub linger: Duration,
}

// ANCHOR: run
/// The receiver's whole life: receives (printing a line for each datagram
/// with `print`, in `lang`) until `listening.count` datagrams, or
/// `leave_after` of them and then leaves the group and listens `linger`
/// longer, or until `stop` (Ctrl-C). Returns what it heard.
pub async fn run(
    socket: &UdpSocket,
    (group, interface): (Group, Ipv4Addr),
    listening: &Listening,
    stop: impl Future<Output = ()>,
    lang: Lang,
    mut print: impl FnMut(String),
) -> io::Result<Heard> {
    let locale = lang.code();
    tokio::pin!(stop);
    let mut heard = Heard::new(lang);
    let limit = listening.leave_after.or(listening.count);
    if !receive(socket, &mut heard, limit, stop.as_mut(), &mut print).await? {
        print(t!("receiver.stopped", locale = locale).into_owned());
        return Ok(heard);
    }
    if let Some(n) = listening.leave_after {
        leave(socket, group, interface)?;
        let linger = humantime::format_duration(listening.linger);
        print(
            t!(
                "receiver.left",
                locale = locale,
                group = group,
                n = n,
                linger = linger
            )
            .into(),
        );
        let linger = listening.linger;
        let after = after_leaving(socket, &mut heard, linger, stop, &mut print).await?;
        print(match after {
            0 => t!("receiver.after_nothing", locale = locale).into_owned(),
            n => t!("receiver.after_some", locale = locale, n = n).into_owned(),
        });
    }
    Ok(heard)
}
// ANCHOR_END: run

/// What a receiver heard: common's count per sender, and the language
/// its lines and summary are said in. (The same as `udp-broadcast`'s.)
#[derive(Debug)]
pub struct Heard {
    /// The count per sender (`common::datagram`).
    pub tallies: Tallies,
    lang: Lang,
}

impl Heard {
    /// Nothing heard yet; lines and summary in `lang`.
    pub fn new(lang: Lang) -> Self {
        Self {
            tallies: Tallies::default(),
            lang,
        }
    }

    /// Counts one datagram from `from` and returns its line: the seed's
    /// `client got hello #3 from 127.0.0.1:53012`, plus a note when the
    /// numbering shows a gap or a late arrival.
    pub fn record(&mut self, from: SocketAddr, datagram: &[u8]) -> String {
        let arrival = self.tallies.record(from, datagram);
        let note = arrival.map(|arrival| arrival.note(self.lang));
        let (msg, note) = (printable_in(datagram, self.lang), note.unwrap_or_default());
        let locale = self.lang.code();
        t!(
            "receiver.got",
            locale = locale,
            msg = msg,
            from = from,
            note = note
        )
        .into_owned()
    }

    /// The summary a receiver prints when it stops: one line in all, then
    /// one line per sender.
    pub fn summary(&self) -> Vec<String> {
        self.tallies.summary(self.lang)
    }
}

/// `client.on('message', …)`: receives into `heard` until `limit`
/// datagrams have arrived (if given), calling `print` with a line for each:
/// `client got hello #3 from 127.0.0.1:53012`, plus a note for a gap or a
/// late arrival. Returns `false` if `stop` resolved first. The same loop as
/// `udp-broadcast`'s receiver.
pub async fn receive(
    socket: &UdpSocket,
    heard: &mut Heard,
    limit: Option<u64>,
    mut stop: Pin<&mut impl Future<Output = ()>>,
    mut print: impl FnMut(String),
) -> io::Result<bool> {
    let mut buffer = receive_buffer();
    let mut received = 0;
    while limit.is_none_or(|limit| received < limit) {
        let (len, from) = tokio::select! {
            result = socket.recv_from(&mut buffer) => result?,
            () = stop.as_mut() => return Ok(false),
        };
        received += 1;
        print(heard.record(from, &buffer[..len]));
    }
    Ok(true)
}

/// After [`leave`]: listens `linger` longer (or until `stop`) to show that
/// nothing more arrives. Datagrams already queued when we left arrived while
/// we were a member: they are read and counted first, as before. Returns how
/// many arrived *after* leaving (0 is the lesson).
pub async fn after_leaving(
    socket: &UdpSocket,
    heard: &mut Heard,
    linger: Duration,
    stop: Pin<&mut impl Future<Output = ()>>,
    mut print: impl FnMut(String),
) -> io::Result<u64> {
    let mut buffer = receive_buffer();
    while let Ok((len, from)) = socket.try_recv_from(&mut buffer) {
        print(heard.record(from, &buffer[..len]));
    }
    let before = heard.tallies.total();
    let stop = async {
        tokio::select! {
            () = tokio::time::sleep(linger) => {}
            () = stop => {}
        }
    };
    tokio::pin!(stop);
    receive(socket, heard, None, stop, print).await?;
    Ok(heard.tallies.total() - before)
}

/// What a student types on their own machine to send to this receiver's
/// group and port, when it joined on a LAN interface: for `tell_students`.
pub fn how_students_send(group: Group, port: u16, lang: Lang) -> String {
    t!(
        "receiver.students",
        locale = lang.code(),
        group = group,
        port = port
    )
    .into_owned()
}

/// A UDP socket bound to `addr` that other receivers may bind too
/// (`SO_REUSEADDR` and `SO_REUSEPORT`, set before binding, which is why
/// socket2 makes it): the same as `udp-broadcast`'s receiver, explained
/// there. Port 0 takes a port that no other socket holds.
pub fn bind_shared(addr: SocketAddr) -> io::Result<UdpSocket> {
    let addr = if addr.port() == 0 {
        // With the reuse options set, Linux may pick for port 0 a port that
        // another sharing socket holds; a plain socket never does.
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
