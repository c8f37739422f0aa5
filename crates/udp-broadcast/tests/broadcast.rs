//! Broadcast to 127.255.255.255 over real sockets (never 255.255.255.255,
//! never a LAN address).

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::process::Stdio;
use std::time::Duration;

use common::lang::Lang;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::UdpSocket;
use tokio::time::timeout;
use udp_broadcast::receiver::Stopped;
use udp_broadcast::sender::{LOOPBACK_BROADCAST, Plan};
use udp_broadcast::{receiver, sender};

const LIMIT: Duration = Duration::from_secs(5);
const BINARY: &str = env!("CARGO_BIN_EXE_udp-broadcast");

/// Two receivers sharing one port of 127.255.255.255.
fn two_receivers() -> (UdpSocket, UdpSocket, SocketAddrV4) {
    let first = receiver::bind(SocketAddr::from((LOOPBACK_BROADCAST, 0))).unwrap();
    let port = first.local_addr().unwrap().port();
    let second = receiver::bind(SocketAddr::from((LOOPBACK_BROADCAST, port))).unwrap();
    (first, second, SocketAddrV4::new(LOOPBACK_BROADCAST, port))
}

fn plan(count: u64) -> Plan {
    Plan {
        message: "hello".into(),
        interval: Duration::from_millis(1),
        count: Some(count),
    }
}

#[tokio::test]
async fn one_broadcast_reaches_both_receivers_on_one_port() {
    let (first, second, to) = two_receivers();
    let socket = sender::open(to).await.unwrap();
    let from = socket.local_addr().unwrap();
    let sent = timeout(
        LIMIT,
        sender::run(
            &socket,
            to,
            &plan(3),
            std::future::pending(),
            Lang::En,
            |_| {},
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(sent, 3);
    for receiver_socket in [&first, &second] {
        let mut lines = Vec::new();
        let (heard, stopped) = timeout(
            LIMIT,
            receiver::run(
                receiver_socket,
                Some(3),
                std::future::pending(),
                Lang::En,
                |line| lines.push(line),
            ),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(stopped, Stopped::Count);
        assert_eq!(lines[0], format!("client got hello #1 from {from}"));
        let tally = heard.tallies.of(from).unwrap();
        assert_eq!((tally.received, tally.missing()), (3, 0), "{tally}");
    }
}

#[tokio::test]
async fn without_set_broadcast_the_os_refuses_and_we_say_why() {
    let (_first, _second, to) = two_receivers();
    let plain = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let error = timeout(
        LIMIT,
        sender::run(
            &plain,
            to,
            &plan(1),
            std::future::pending(),
            Lang::En,
            |_| {},
        ),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::PermissionDenied);
    let text = error.to_string();
    assert!(text.contains("Permission denied"), "{text}");
    assert!(text.contains("socket.setBroadcast(true)"), "{text}");
}

#[tokio::test]
async fn a_receiver_bound_to_127_0_0_1_hears_no_broadcast() {
    // The address a receiver binds is a filter: only datagrams sent to it.
    let (first, _second, to) = two_receivers();
    let unicast_only = receiver::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, to.port()))).unwrap();
    let socket = sender::open(to).await.unwrap();
    timeout(
        LIMIT,
        sender::run(
            &socket,
            to,
            &plan(1),
            std::future::pending(),
            Lang::En,
            |_| {},
        ),
    )
    .await
    .unwrap()
    .unwrap();
    // Once the broadcast receiver has it, delivery to every socket is done.
    let mut buffer = [0; 64];
    timeout(LIMIT, first.recv_from(&mut buffer))
        .await
        .unwrap()
        .unwrap();
    assert!(unicast_only.try_recv_from(&mut buffer).is_err());
}

#[tokio::test]
async fn the_lab_shows_each_broadcast_reaching_both_sockets() {
    let report = timeout(LIMIT, udp_broadcast::lab::run(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.heard[0], [1, 2, 3, 4, 5], "{report:?}");
    assert_eq!(report.heard[1], [1, 2, 3, 4, 5], "{report:?}");
    assert!(report.print(Lang::En));
}

#[tokio::test]
async fn a_gap_and_a_late_datagram_are_noted_on_the_line() {
    let (first, _second, to) = two_receivers();
    let socket = sender::open(to).await.unwrap();
    for text in ["hello #1", "hello #4", "hello #2"] {
        socket.send_to(text.as_bytes(), to).await.unwrap();
    }
    let mut lines = Vec::new();
    let (heard, _) = timeout(
        LIMIT,
        receiver::run(&first, Some(3), std::future::pending(), Lang::En, |line| {
            lines.push(line)
        }),
    )
    .await
    .unwrap()
    .unwrap();
    let me = socket.local_addr().unwrap();
    assert_eq!(lines[0], format!("client got hello #1 from {me}"));
    assert_eq!(
        lines[1],
        format!("client got hello #4 from {me} (2 missing before it)")
    );
    assert_eq!(
        lines[2],
        format!("client got hello #2 from {me} (out of order)")
    );
    let tally = heard.tallies.of(me).unwrap();
    assert_eq!((tally.missing(), tally.out_of_order), (1, 1));
}

#[tokio::test]
async fn port_zero_never_lands_on_a_port_another_shared_socket_holds() {
    // Linux's own choice, with SO_REUSEPORT set, would collide a few times in
    // 400 (the birthday paradox over ~28,000 ports).
    let sockets: Vec<UdpSocket> = (0..400)
        .map(|_| receiver::bind("127.0.0.1:0".parse().unwrap()).unwrap())
        .collect();
    let ports: std::collections::BTreeSet<u16> = sockets
        .iter()
        .map(|s| s.local_addr().unwrap().port())
        .collect();
    assert_eq!(ports.len(), sockets.len());
}

#[tokio::test]
async fn a_shared_port_still_refuses_a_plain_socket() {
    let shared = receiver::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = shared.local_addr().unwrap();
    let error = common::net::bind_udp(addr).await.unwrap_err();
    assert!(error.to_string().contains("already in use"), "{error}");
}

// The binaries, as a student runs them.

#[tokio::test]
async fn the_sender_binary_stops_by_itself_after_count() {
    let (first, second, to) = two_receivers();
    let output = timeout(
        LIMIT,
        tokio::process::Command::new(BINARY)
            .args([
                "sender",
                "--to",
                "127.255.255.255",
                "--interval",
                "10ms",
                "--count",
                "3",
                "--lang",
                "en",
            ])
            .args(["--port", &to.port().to_string()])
            .output(),
    )
    .await
    .expect("the sender ends by itself")
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("server running 127.0.0.1:"),
        "{stdout}"
    );
    assert_eq!(lines[1], format!("server sent hello #1 to {to}"));
    assert_eq!(lines[3], format!("server sent hello #3 to {to}"));
    assert_eq!(lines[4], "sent 3 datagrams");
    for socket in [first, second] {
        let (heard, _) = timeout(
            LIMIT,
            receiver::run(&socket, Some(3), std::future::pending(), Lang::En, drop),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(heard.tallies.total(), 3);
    }
}

/// Starts `udp-broadcast receiver --port 0 --count 3` with `LANG=lang`,
/// sends it `hello #1`, `#3`, `#4` (so #2 is "lost"), and returns what it
/// printed after its `listening on` line, its stderr, and the sender's
/// address.
async fn receiver_binary_hears_three(lang: &str) -> (Vec<String>, String, SocketAddr) {
    let mut child = tokio::process::Command::new(BINARY)
        .args(["receiver", "--port", "0", "--count", "3"])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = timeout(LIMIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let addr: SocketAddr = first
        .strip_prefix("listening on ")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(addr.ip(), LOOPBACK_BROADCAST);
    let SocketAddr::V4(to) = addr else {
        panic!("{addr}")
    };
    let socket = sender::open(to).await.unwrap();
    for text in ["hello #1", "hello #3", "hello #4"] {
        socket.send_to(text.as_bytes(), to).await.unwrap();
    }
    let status = timeout(LIMIT, child.wait())
        .await
        .expect("ends after --count")
        .unwrap();
    assert!(status.success());
    let mut rest = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        rest.push(line);
    }
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    (rest, stderr, socket.local_addr().unwrap())
}

#[tokio::test]
async fn the_receiver_binary_counts_and_prints_a_summary() {
    let (rest, stderr, me) = receiver_binary_hears_three("en_US.UTF-8").await;
    // One ready line: the next line on stdout is already the first datagram.
    assert_eq!(rest[0], format!("client got hello #1 from {me}"));
    assert_eq!(
        rest[1],
        format!("client got hello #3 from {me} (1 missing before it)")
    );
    assert_eq!(rest[3], "summary: 3 datagrams, 1 numbered sender");
    assert_eq!(
        rest[4],
        format!("  from {me}: received 3 (#1..#4), 1 missing, 0 out of order")
    );
    assert!(
        stderr.contains("only this machine can send to it"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_receiver_binary_speaks_chinese_under_lang_zh_cn_utf8() {
    // No --lang: the language comes from the environment, as in a terminal.
    let (rest, stderr, me) = receiver_binary_hears_three("zh_CN.UTF-8").await;
    assert_eq!(rest[0], format!("接收端收到 hello #1，来自 {me}"));
    assert_eq!(
        rest[1],
        format!("接收端收到 hello #3，来自 {me}（前面缺了 1 个）")
    );
    assert_eq!(rest[3], "汇总：共 3 个数据报，来自 1 个带编号的发送方");
    assert_eq!(
        rest[4],
        format!("  来自 {me}：收到 3 个（#1 到 #4），缺 1 个，乱序 0 个")
    );
    assert!(stderr.contains("只有本机发来的数据报能收到"), "{stderr}");
}

#[tokio::test]
async fn help_is_in_chinese_with_lang_zh_cn() {
    let output = tokio::process::Command::new(BINARY)
        .args(["receiver", "--help", "--lang", "zh-CN"])
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("打印收到的每个数据报"), "{help}");
    assert!(
        help.contains("127.255.255.255 能听到本机发的广播"),
        "{help}"
    );
}

#[test]
fn students_are_told_nc_and_the_broadcast_with_the_lan_address() {
    let lan: SocketAddr = "192.168.1.23:8000".parse().unwrap();
    let en = receiver::how_students_send(lan, Lang::En);
    assert!(en.starts_with("nc -u 192.168.1.23 8000 "), "{en}");
    assert!(en.ends_with("--to 255.255.255.255 --port 8000"), "{en}");
    let zh = receiver::how_students_send(lan, Lang::ZhCn);
    assert!(zh.contains("广播给整个局域网"), "{zh}");
}
