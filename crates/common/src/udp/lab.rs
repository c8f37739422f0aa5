//! The `just ch3-lab` measurement: which of two receivers on one port got
//! which datagram.

use std::collections::BTreeSet;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;

use super::{number_of, receive_buffer};

/// What two receivers on one port heard from a set of senders: the lab's
/// "who received what".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heard {
    /// The numbers each receiver got, in arrival order (repeats kept).
    pub by_receiver: [Vec<u64>; 2],
}

impl Heard {
    /// Every number in `sent` reached both receivers.
    pub fn each_got_all(&self, sent: &[u64]) -> bool {
        self.by_receiver
            .iter()
            .all(|got| sent.iter().all(|n| got.contains(n)))
    }

    /// Every number in `sent` reached exactly one of the receivers, once.
    pub fn each_went_to_one(&self, sent: &[u64]) -> bool {
        let [a, b] = &self.by_receiver;
        let all: Vec<u64> = a.iter().chain(b).copied().collect();
        let distinct: BTreeSet<u64> = all.iter().copied().collect();
        all.len() == distinct.len() && sent.iter().all(|n| distinct.contains(n))
    }

    /// The lab's report: who got what, and whether that is what `expect`
    /// says UDP does. `true` when it is.
    pub fn report(&self, sent: &[u64], expect: Expect) -> (bool, Vec<String>) {
        let mut lines = vec![
            format!("receiver A got {}", self.list(0)),
            format!("receiver B got {}", self.list(1)),
        ];
        let (as_expected, verdict) = match expect {
            Expect::BothGetAll => (
                self.each_got_all(sent),
                "every datagram reached both sockets",
            ),
            Expect::OneGetsEach => (
                self.each_went_to_one(sent),
                "every datagram reached exactly one of the two sockets",
            ),
            Expect::OnlySecond => (
                self.by_receiver[0].is_empty()
                    && sent.iter().all(|n| self.by_receiver[1].contains(n)),
                "every datagram reached B only",
            ),
        };
        lines.push(if as_expected {
            format!("=> {verdict}")
        } else {
            format!("=> NOT what this lesson expects ({verdict})")
        });
        (as_expected, lines)
    }

    /// `#1 #2 #3`, or `nothing`, for receiver `i`.
    pub fn list(&self, i: usize) -> String {
        let got = &self.by_receiver[i];
        if got.is_empty() {
            return "nothing".to_owned();
        }
        let numbers: Vec<String> = got.iter().map(|n| format!("#{n}")).collect();
        numbers.join(" ")
    }
}

/// What the lab waits for before it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Broadcast and multicast: every datagram to both receivers.
    BothGetAll,
    /// Unicast: every datagram to one of them.
    OneGetsEach,
    /// Multicast after receiver A left the group: every datagram to B only.
    OnlySecond,
}

/// Listens on two receivers that share a port and records the numbered
/// datagrams that come from one of `senders`, until what `expect` says has
/// arrived or `limit` has passed, whichever is first. Then it takes whatever
/// else is already queued on either socket, so that a datagram delivered
/// twice would show too. Datagrams from anyone else are ignored.
pub async fn hear_pair(
    receivers: [&UdpSocket; 2],
    senders: &[SocketAddr],
    sent: &[u64],
    expect: Expect,
    limit: Duration,
) -> io::Result<Heard> {
    let mut heard = Heard::default();
    let mut buffers = [receive_buffer(), receive_buffer()];
    let done = |heard: &Heard| match expect {
        Expect::BothGetAll => heard.each_got_all(sent),
        Expect::OneGetsEach => {
            let [a, b] = &heard.by_receiver;
            sent.iter().all(|n| a.contains(n) || b.contains(n))
        }
        // Once B has them all, whatever A was given is queued too: every
        // member gets its copy when the datagram is delivered.
        Expect::OnlySecond => sent.iter().all(|n| heard.by_receiver[1].contains(n)),
    };
    let listen = async {
        while !done(&heard) {
            let [buffer_a, buffer_b] = &mut buffers;
            let (i, (len, from)) = tokio::select! {
                r = receivers[0].recv_from(buffer_a) => (0, r?),
                r = receivers[1].recv_from(buffer_b) => (1, r?),
            };
            if let (true, Some(n)) = (senders.contains(&from), number_of(&buffers[i][..len])) {
                heard.by_receiver[i].push(n);
            }
        }
        Ok::<_, io::Error>(())
    };
    // Running out of time is not an error: the report shows what arrived.
    if let Ok(result) = tokio::time::timeout(limit, listen).await {
        result?;
    }
    for (i, receiver) in receivers.iter().enumerate() {
        while let Ok((len, from)) = receiver.try_recv_from(&mut buffers[i]) {
            if let (true, Some(n)) = (senders.contains(&from), number_of(&buffers[i][..len])) {
                heard.by_receiver[i].push(n);
            }
        }
    }
    Ok(heard)
}
