//! Chapter 3's shared pieces: numbering, counting loss, sharing a port.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration;

use common::udp::{
    Arrival, Expect, MAX_DATAGRAM, MAX_SENDERS, Plan, Tallies, Tally, bind_shared, hear_pair,
    number_of, numbered, printable, send_numbered,
};
use tokio::net::UdpSocket;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn numbers_go_out_and_come_back() {
    assert_eq!(numbered("hello", 17), "hello #17");
    assert_eq!(number_of(b"hello #17"), Some(17));
    assert_eq!(number_of(b"hello #17\n"), Some(17), "nc adds a newline");
    assert_eq!(number_of(b"a#b #3"), Some(3), "the last # counts");
    for not_numbered in [
        &b"hello"[..],
        b"hello #",
        b"hello #+5",
        b"hello # 5",
        b"hello #5x",
        b"hello #99999999999999999999999",
        b"\xff\xfe #1",
    ] {
        assert_eq!(number_of(not_numbered), None, "{not_numbered:?}");
    }
}

#[test]
fn a_tally_counts_gaps_and_late_arrivals() {
    let mut tally = Tally::default();
    assert_eq!(tally.missing(), 0);
    assert_eq!(tally.record(1), Arrival::InOrder);
    assert_eq!(tally.record(2), Arrival::InOrder);
    assert_eq!(tally.record(5), Arrival::AfterGap { skipped: 2 });
    assert_eq!(
        (tally.received, tally.missing(), tally.out_of_order),
        (3, 2, 0)
    );
    // #3 turns up late: no longer missing, but out of order.
    assert_eq!(tally.record(3), Arrival::OutOfOrder);
    assert_eq!(
        (tally.received, tally.missing(), tally.out_of_order),
        (4, 1, 1)
    );
    assert_eq!(tally.range(), Some((1, 5)));
    assert_eq!(
        tally.to_string(),
        "received 4 (#1..#5), 1 missing, 1 out of order"
    );
}

#[test]
fn a_receiver_that_starts_late_does_not_count_the_past_as_missing() {
    let mut tally = Tally::default();
    for n in 40..=42 {
        tally.record(n);
    }
    assert_eq!(tally.missing(), 0);
}

#[test]
fn extreme_numbers_do_not_overflow() {
    let mut tally = Tally::default();
    tally.record(u64::MAX);
    tally.record(0);
    // The true count, 2^64 - 1, does not fit: it saturates instead of panicking.
    assert!(tally.missing() >= u64::MAX - 2, "{}", tally.missing());
    assert_eq!(tally.out_of_order, 1);
}

#[test]
fn tallies_keep_senders_apart_and_bounded() {
    let a: SocketAddr = "127.0.0.1:1000".parse().unwrap();
    let b: SocketAddr = "127.0.0.1:2000".parse().unwrap();
    let mut tallies = Tallies::default();
    tallies.record(a, b"hello #1");
    tallies.record(b, b"hello #1");
    tallies.record(a, b"hello #3");
    tallies.record(a, b"no number");
    assert_eq!(tallies.of(a).unwrap().missing(), 1);
    assert_eq!(tallies.of(b).unwrap().missing(), 0);
    assert_eq!(tallies.unnumbered, 1);
    assert_eq!(tallies.total(), 4);
    let summary = tallies.summary().join("\n");
    assert!(
        summary.contains("summary: 4 datagrams, 2 numbered senders"),
        "{summary}"
    );
    assert!(
        summary.contains("from 127.0.0.1:1000: received 2 (#1..#3), 1 missing"),
        "{summary}"
    );

    let mut flood = Tallies::default();
    for port in 0..(MAX_SENDERS as u16 + 10) {
        flood.record(SocketAddr::from(([127, 0, 0, 1], port)), b"x #1");
    }
    assert_eq!(flood.untracked, 10);
    assert_eq!(flood.total(), MAX_SENDERS as u64 + 10);
}

#[test]
fn printable_escapes_control_bytes_and_cuts_long_datagrams() {
    assert_eq!(printable(b"hello"), "hello");
    assert_eq!(printable(b"hi\n"), "hi\\n");
    assert_eq!(printable(b"\x1b[2Jgotcha"), "\\u{1b}[2Jgotcha");
    assert_eq!(printable(b"caf\xc3\xa9 \xff"), "café \u{fffd}");
    let long = printable(&vec![b'x'; MAX_DATAGRAM]);
    assert!(long.ends_with("… (65507 bytes)"), "{long}");
    assert!(long.len() < 200);
}

#[tokio::test]
async fn two_sockets_share_a_port_and_unicast_goes_to_one() {
    let first = bind_shared("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = first.local_addr().unwrap().port();
    let second = bind_shared(SocketAddr::from(([127, 0, 0, 1], port))).unwrap();

    // Each datagram from its own socket, so the kernel's choice can vary.
    let mut senders = Vec::new();
    for n in 1..=6u64 {
        let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        sender
            .send_to(numbered("hello", n).as_bytes(), first.local_addr().unwrap())
            .await
            .unwrap();
        senders.push(sender.local_addr().unwrap());
    }
    let sent: Vec<u64> = (1..=6).collect();
    let heard = hear_pair(
        [&first, &second],
        &senders,
        &sent,
        Expect::OneGetsEach,
        LIMIT,
    )
    .await
    .unwrap();
    assert!(heard.each_went_to_one(&sent), "{heard:?}");
    assert!(!heard.each_got_all(&sent), "{heard:?}");
}

#[tokio::test]
async fn port_zero_never_lands_on_a_port_another_shared_socket_holds() {
    // Linux's own choice, with SO_REUSEPORT set, would collide a few times in
    // 400 (the birthday paradox over ~28,000 ports).
    let sockets: Vec<UdpSocket> = (0..400)
        .map(|_| bind_shared("127.0.0.1:0".parse().unwrap()).unwrap())
        .collect();
    let ports: std::collections::BTreeSet<u16> = sockets
        .iter()
        .map(|s| s.local_addr().unwrap().port())
        .collect();
    assert_eq!(ports.len(), sockets.len());
}

#[tokio::test]
async fn a_shared_port_still_refuses_a_plain_socket() {
    let shared = bind_shared("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = shared.local_addr().unwrap();
    let error = common::net::bind_udp(addr).await.unwrap_err();
    assert!(error.to_string().contains("already in use"), "{error}");
}

#[tokio::test]
async fn the_sender_numbers_and_stops_at_its_count() {
    let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let plan = Plan {
        message: "hello".into(),
        interval: Duration::from_millis(1),
        count: Some(3),
    };
    let mut lines = Vec::new();
    let sent = timeout(
        LIMIT,
        send_numbered(
            &sender,
            receiver.local_addr().unwrap(),
            &plan,
            std::future::pending(),
            |n, text| lines.push(format!("{n}:{text}")),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(sent, 3);
    assert_eq!(lines, ["1:hello #1", "2:hello #2", "3:hello #3"]);
    let mut tallies = Tallies::default();
    let mut seen = Vec::new();
    let stopped = timeout(
        LIMIT,
        common::udp::receive_numbered(
            &receiver,
            &mut tallies,
            Some(3),
            std::future::pending(),
            |r| seen.push(common::udp::received_line(&r)),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(stopped, common::udp::Stopped::Count);
    let from = sender.local_addr().unwrap();
    assert_eq!(seen[0], format!("client got hello #1 from {from}"));
    assert_eq!(
        tallies.of(from).unwrap().to_string(),
        "received 3 (#1..#3), 0 missing, 0 out of order"
    );
}

#[tokio::test]
async fn a_gap_is_noted_on_the_line() {
    let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let to = receiver.local_addr().unwrap();
    for text in ["hello #1", "hello #4", "hello #2"] {
        sender.send_to(text.as_bytes(), to).await.unwrap();
    }
    let mut tallies = Tallies::default();
    let mut seen = Vec::new();
    timeout(
        LIMIT,
        common::udp::receive_numbered(
            &receiver,
            &mut tallies,
            Some(3),
            std::future::pending(),
            |r| seen.push(common::udp::received_line(&r)),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(seen[1].ends_with("(2 missing before it)"), "{seen:?}");
    assert!(seen[2].ends_with("(out of order)"), "{seen:?}");
    let tally = tallies.of(sender.local_addr().unwrap()).unwrap();
    assert_eq!((tally.missing(), tally.out_of_order), (1, 1));
}
