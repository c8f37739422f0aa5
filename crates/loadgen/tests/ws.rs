//! `loadgen ws` against a real ws-chat on 127.0.0.1:0: it counts every
//! delivery, and it refuses targets off this machine.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use loadgen::ws::{Args, run, target};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use ws_chat::{Config, Server};

#[test]
fn only_loopback_ws_urls_are_targets() {
    assert_eq!(
        target("ws://127.0.0.1:3000/ws").unwrap().to_string(),
        "127.0.0.1:3000"
    );
    assert_eq!(target("ws://[::1]:80/").unwrap().to_string(), "[::1]:80");
    assert_eq!(
        target("ws://localhost/ws").unwrap().to_string(),
        "127.0.0.1:80"
    );
    assert!(
        target("ws://10.0.0.1:3000/ws")
            .unwrap_err()
            .contains("loopback")
    );
    assert!(
        target("ws://example.com/ws")
            .unwrap_err()
            .contains("IP address")
    );
    assert!(target("wss://127.0.0.1/ws").unwrap_err().contains("ws://"));
}

#[tokio::test]
async fn every_broadcast_reaches_every_other_client() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let assets = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/ws-chat");
    let config = Config {
        assets: assets.into(),
        ..Config::default()
    };
    let server = Server::new(listener, config).unwrap();
    let addr = server.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));

    let args = Args {
        // Two spellings of one server: the clients alternate between them.
        url: vec![
            format!("ws://{addr}/ws"),
            format!("ws://localhost:{}/ws", addr.port()),
        ],
        clients: 5,
        msgs: 20,
        rate: 0.0,
        secs: 20,
    };
    let report = tokio::time::timeout(Duration::from_secs(30), run(&args))
        .await
        .expect("bounded")
        .unwrap();
    assert_eq!(report.errors, 0, "{:?}", report.first_error);
    assert_eq!(report.sent, 100);
    assert_eq!(report.expected, 5 * 20 * 4);
    assert_eq!(report.deliveries, report.expected);
    // ws-chat sends a broadcast to everyone but its sender.
    assert_eq!(report.own_echoes, 0);
    assert_eq!(report.latency.count(), report.deliveries);

    let _ = stop.send(());
    server.await.unwrap();
}
