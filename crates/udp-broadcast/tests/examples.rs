//! The seed's broadcast sender and receiver, `cargo run -p udp-broadcast
//! --example broadcast-sender|broadcast-receiver`, as processes: two receivers on one port of
//! 127.255.255.255, and the sender broadcasting to it (never to a LAN).

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::process::{Process, example};

#[tokio::test]
async fn two_seed_receivers_on_one_port_both_hear_the_seed_sender() {
    let receiver = example("udp-broadcast", "broadcast-receiver");
    let (mut a, addr) = Process::server(&receiver, &["--port", "0"]).await;
    assert_eq!(addr.ip().to_string(), "127.255.255.255");
    let port = addr.port().to_string();
    let (mut b, _) = Process::server(&receiver, &["--port", &port]).await;

    let sender = example("udp-broadcast", "broadcast-sender");
    let mut sender = Process::spawn(&sender, &["--port", &port, "--interval", "50ms"]);
    let running = sender.line().await.unwrap();
    let from = running.strip_prefix("server running ").unwrap().to_owned();
    assert!(from.starts_with("127.0.0.1:"), "{running}");
    assert_eq!(
        sender.line().await.unwrap(),
        format!("server sent hello to {addr}")
    );
    for receiver in [&mut a, &mut b] {
        let heard = receiver.line().await.unwrap();
        assert_eq!(heard, format!("client got hello from {from}"));
    }
}
