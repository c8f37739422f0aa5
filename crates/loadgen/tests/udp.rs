//! `loadgen udp` against a server that answers like the seed's, and against
//! one that drops datagrams: loss is counted, and the run stays bounded.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::time::timeout;

fn args(addr: std::net::SocketAddr) -> loadgen::udp::Args {
    loadgen::udp::Args {
        addr,
        secs: 1,
        window: 4,
        sockets: 2,
        size: 0,
        loss_timeout_ms: 50,
        expect: "world".into(),
    }
}

/// Answers every datagram with "world"; drops every `drop_every`-th one
/// (0: none), and answers "hi" instead when `wrong` is set.
async fn start_server(drop_every: u64, wrong: bool) -> std::net::SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buffer = [0; 1024];
        let mut n = 0u64;
        while let Ok((_, from)) = socket.recv_from(&mut buffer).await {
            n += 1;
            if drop_every != 0 && n.is_multiple_of(drop_every) {
                continue;
            }
            let reply: &[u8] = if wrong { b"hi" } else { b"world" };
            let _ = socket.send_to(reply, from).await;
        }
    });
    addr
}

#[tokio::test]
async fn measures_a_server_that_answers_everything() {
    let addr = start_server(0, false).await;
    let report = timeout(Duration::from_secs(15), loadgen::udp::run(&args(addr)))
        .await
        .unwrap()
        .unwrap();
    assert!(report.replies > 0);
    assert_eq!(report.unexpected, 0);
    assert_eq!(report.errors, 0, "{:?}", report.first_error);
    assert_eq!(report.lost(), 0, "{report:?}");
    assert_eq!(report.latency.count(), report.replies);
}

#[tokio::test]
async fn counts_what_a_lossy_server_drops() {
    let addr = start_server(2, true).await;
    let report = timeout(Duration::from_secs(15), loadgen::udp::run(&args(addr)))
        .await
        .unwrap()
        .unwrap();
    assert!(report.lost() > 0, "{report:?}");
    assert!(report.timeouts > 0, "{report:?}");
    assert_eq!(report.unexpected, report.replies);
    // Half of the requests went unanswered (give or take the last window).
    let lost_share = report.lost() as f64 / report.sent as f64;
    assert!((0.4..0.6).contains(&lost_share), "{report:?}");
}

#[tokio::test]
async fn refuses_a_target_off_this_machine() {
    let error = loadgen::udp::run(&args("192.0.2.1:3000".parse().unwrap()))
        .await
        .unwrap_err();
    assert!(error.contains("only targets loopback"), "{error}");
}
