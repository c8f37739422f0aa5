//! Chapter 3's numbered datagrams: numbering, counting loss, printing safely.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use common::datagram::{
    Arrival, MAX_DATAGRAM, MAX_SENDERS, Tallies, Tally, number_of, numbered, printable,
};

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
    let summary = tallies.summary(common::lang::Lang::En).join("\n");
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

#[test]
fn where_a_datagram_fell_is_what_the_receiver_adds_to_its_line() {
    assert_eq!(Arrival::InOrder.to_string(), "");
    let gap = Arrival::AfterGap { skipped: 2 };
    assert_eq!(gap.to_string(), " (2 missing before it)");
    assert_eq!(Arrival::OutOfOrder.to_string(), " (out of order)");
    let from: SocketAddr = "127.0.0.1:1000".parse().unwrap();
    let mut tallies = Tallies::default();
    let notes: Vec<String> = ["hello #1", "hello #4", "hello #2"]
        .iter()
        .map(|text| tallies.record(from, text.as_bytes()).unwrap().to_string())
        .collect();
    assert_eq!(notes, ["", " (2 missing before it)", " (out of order)"]);
}
