//! The seed's multicast sender and receiver, `cargo run -p udp-multicast
//! --example multicast-sender|multicast-receiver`, as processes: two members of 224.0.1.100 on
//! one port, through interface 127.0.0.1 (nothing leaves this machine).

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::process::{Process, example};

#[tokio::test]
async fn two_seed_members_on_one_port_both_hear_the_seed_sender() {
    // A free port: the example binds it on the group's address, shared.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let receiver = example("udp-multicast", "multicast-receiver");
    let (mut a, addr) = Process::server(&receiver, &["--port", &port]).await;
    assert_eq!(addr.to_string(), format!("224.0.1.100:{port}"));
    let (mut b, _) = Process::server(&receiver, &["--port", &port]).await;

    let sender = example("udp-multicast", "multicast-sender");
    let mut sender = Process::spawn(&sender, &["--port", &port, "--interval", "50ms"]);
    let running = sender.line().await.unwrap();
    let from = running.strip_prefix("server running ").unwrap().to_owned();
    assert!(from.starts_with("127.0.0.1:"), "{running}");
    assert_eq!(
        sender.line().await.unwrap(),
        format!("server sent hello to {addr}")
    );
    for member in [&mut a, &mut b] {
        assert_eq!(
            member.line().await.unwrap(),
            format!("client got hello from {from}")
        );
    }
}
