//! `udp-multicast demo`: the whole lesson in one process, narrated.

use std::io;
use std::net::Ipv4Addr;
use std::time::Duration;

use common::datagram::{Tallies, numbered};
use common::logging::demo_line;
use tokio::net::UdpSocket;

use crate::group::SEED_GROUP;
use crate::sender::Plan;
use crate::{Group, receiver, sender};

/// How long a receiver listens at most for datagrams that take 0.4 s.
const PATIENCE: Duration = Duration::from_secs(3);

/// Two members, a sender, a member that leaves.
pub async fn run() -> io::Result<()> {
    let interface = Ipv4Addr::LOCALHOST;
    let group = SEED_GROUP;
    println!("udp-multicast demo: group {group}, everything through interface {interface}");

    step("1. only 224.0.0.0/4 addresses are groups");
    for text in ["224.0.1.100", "239.1.2.3", "10.0.0.1", "255.255.255.255"] {
        match text.parse::<Group>() {
            Ok(group) => demo_line("demo", format!("{group} is a multicast group")),
            Err(error) => demo_line("demo", error),
        }
    }

    step("2. two receivers bind one port and addMembership(group) on 127.0.0.1");
    let a = receiver::join(group, 0, interface)?;
    let port = a.local_addr()?.port();
    let b = receiver::join(group, port, interface)?;
    demo_line(
        "A",
        format!("client running {}, member of {group}", a.local_addr()?),
    );
    demo_line(
        "B",
        format!("client running {}, member of {group}", b.local_addr()?),
    );

    step("3. the sender: multicast interface 127.0.0.1, TTL 1, loopback on; 3 datagrams");
    let socket = sender::open(interface, 1).await?;
    demo_line("sender", format!("server running {}", socket.local_addr()?));
    let (mut tally_a, mut tally_b) = (Tallies::default(), Tallies::default());
    let numbers = 3;
    let send = send(&socket, (group, port), numbers);
    let (_, (), ()) = tokio::try_join!(
        send,
        listen("A", &a, &mut tally_a, numbers),
        listen("B", &b, &mut tally_b, numbers),
    )?;

    step("4. A calls dropMembership(group); #4 and #5 then reach B only");
    receiver::leave(&a, group, interface)?;
    demo_line("A", format!("left {group}"));
    let send_more = async {
        for n in 4..=5 {
            let text = numbered("hello", n);
            socket
                .send_to(text.as_bytes(), (group.addr(), port))
                .await?;
            demo_line("sender", format!("server sent {text} to {group}:{port}"));
        }
        Ok::<_, io::Error>(())
    };
    let never = std::pin::pin!(std::future::pending());
    let listen_a = receiver::after_leaving(
        &a,
        &mut tally_a,
        Duration::from_millis(600),
        never,
        |line| demo_line("A", line),
    );
    let ((), after, ()) = tokio::try_join!(send_more, listen_a, listen("B", &b, &mut tally_b, 2))?;
    demo_line(
        "A",
        match after {
            0 => "after leaving, nothing more arrived in 0.6 s".to_owned(),
            n => format!("after leaving, {n} more arrived (unexpected)"),
        },
    );

    step("5. each receiver's count (a receiver prints it on Ctrl-C or after --count)");
    for (name, tallies) in [("A", tally_a), ("B", tally_b)] {
        for line in tallies.summary() {
            demo_line(name, line);
        }
    }
    println!("\ndone: one datagram sent, one copy per member; all through 127.0.0.1.");
    Ok(())
}

/// Sends `count` numbered datagrams, 200 ms apart, narrated.
async fn send(socket: &UdpSocket, to: (Group, u16), count: u64) -> io::Result<u64> {
    let plan = Plan {
        message: "hello".into(),
        interval: Duration::from_millis(200),
        count: Some(count),
    };
    sender::run(socket, to, &plan, std::future::pending(), |text| {
        demo_line("sender", format!("server sent {text} to {}:{}", to.0, to.1));
    })
    .await
}

/// Receives `count` datagrams (or gives up after [`PATIENCE`]), narrated.
async fn listen(
    name: &'static str,
    socket: &UdpSocket,
    tallies: &mut Tallies,
    count: u64,
) -> io::Result<()> {
    let patience = std::pin::pin!(tokio::time::sleep(PATIENCE));
    receiver::receive(socket, tallies, Some(count), patience, |line| {
        demo_line(name, line)
    })
    .await
    .map(drop)
}

fn step(title: &str) {
    println!("\n── {title}");
}
