//! Multicast through interface 127.0.0.1 over real sockets: nothing leaves
//! this machine.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{Ipv4Addr, SocketAddr};
use std::process::Stdio;
use std::time::Duration;

use common::lang::Lang;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::UdpSocket;
use tokio::time::timeout;
use udp_multicast::group::SEED_GROUP;
use udp_multicast::receiver::Heard;
use udp_multicast::sender::Plan;
use udp_multicast::{Group, receiver, sender};

const LIMIT: Duration = Duration::from_secs(5);
const BINARY: &str = env!("CARGO_BIN_EXE_udp-multicast");
const LOOPBACK: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// Two members of the seed's group sharing one port, joined on 127.0.0.1.
fn two_members() -> (UdpSocket, UdpSocket, u16) {
    let first = receiver::join(SEED_GROUP, 0, LOOPBACK, Lang::En).unwrap();
    let port = first.local_addr().unwrap().port();
    let second = receiver::join(SEED_GROUP, port, LOOPBACK, Lang::En).unwrap();
    (first, second, port)
}

async fn send(socket: &UdpSocket, port: u16, numbers: std::ops::RangeInclusive<u64>) {
    for n in numbers {
        let text = common::datagram::numbered("hello", n);
        socket
            .send_to(text.as_bytes(), (SEED_GROUP.addr(), port))
            .await
            .unwrap();
    }
}

async fn receive(socket: &UdpSocket, count: u64) -> Heard {
    let mut heard = Heard::new(Lang::En);
    let never = std::pin::pin!(std::future::pending());
    let received = receiver::receive(socket, &mut heard, Some(count), never, drop);
    assert!(
        timeout(LIMIT, received)
            .await
            .expect("the datagrams arrive")
            .unwrap()
    );
    heard
}

#[tokio::test]
async fn multicast_over_loopback_reaches_both_members() {
    let (first, second, port) = two_members();
    let socket = sender::open(LOOPBACK, 1, Lang::En).await.unwrap();
    let from = socket.local_addr().unwrap();
    let plan = Plan {
        message: "hello".into(),
        interval: Duration::from_millis(1),
        count: Some(3),
    };
    let sent = timeout(
        LIMIT,
        sender::run(
            &socket,
            (SEED_GROUP, port),
            &plan,
            std::future::pending(),
            Lang::En,
            |_| {},
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(sent, 3);
    for member in [&first, &second] {
        let heard = receive(member, 3).await;
        let tally = heard.tallies.of(from).unwrap();
        assert_eq!(
            tally.to_string(),
            "received 3 (#1..#3), 0 missing, 0 out of order"
        );
    }
}

#[tokio::test]
async fn a_member_that_left_gets_nothing_more_while_the_other_still_does() {
    let (first, second, port) = two_members();
    let socket = sender::open(LOOPBACK, 1, Lang::En).await.unwrap();
    send(&socket, port, 1..=2).await;
    assert_eq!(receive(&first, 2).await.tallies.total(), 2);
    assert_eq!(receive(&second, 2).await.tallies.total(), 2);

    receiver::leave(&first, SEED_GROUP, LOOPBACK).unwrap();
    send(&socket, port, 3..=4).await;
    // Once the remaining member has both, every copy has been delivered:
    // the one who left must have nothing queued.
    assert_eq!(receive(&second, 2).await.tallies.total(), 2);
    let mut buffer = [0; 64];
    let error = first.try_recv_from(&mut buffer).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::WouldBlock);
}

#[tokio::test]
async fn a_socket_that_never_joined_hears_nothing() {
    let (first, _second, port) = two_members();
    let outsider = receiver::bind_shared(SocketAddr::from((SEED_GROUP.addr(), port))).unwrap();
    socket2::SockRef::from(&outsider)
        .set_multicast_all_v4(false)
        .unwrap();
    let socket = sender::open(LOOPBACK, 1, Lang::En).await.unwrap();
    send(&socket, port, 1..=1).await;
    assert_eq!(receive(&first, 1).await.tallies.total(), 1);
    let mut buffer = [0; 64];
    assert!(outsider.try_recv_from(&mut buffer).is_err());
}

#[test]
fn an_address_outside_224_0_0_0_slash_4_is_refused() {
    for text in [
        "10.0.0.1",
        "223.255.255.255",
        "240.0.0.1",
        "255.255.255.255",
        "127.0.0.1",
    ] {
        let error = text.parse::<Group>().unwrap_err();
        assert!(error.contains("is not a multicast group"), "{error}");
        assert!(error.contains("224.0.0.0 to 239.255.255.255"), "{error}");
    }
    for text in ["224.0.0.0", "224.0.1.100", "239.255.255.255"] {
        assert_eq!(text.parse::<Group>().unwrap().to_string(), text);
    }
    assert!(
        "nonsense"
            .parse::<Group>()
            .unwrap_err()
            .contains("not an IPv4 address")
    );
}

#[tokio::test]
async fn the_cli_refuses_a_non_multicast_group_before_sending() {
    for role in ["sender", "receiver"] {
        let output = timeout(
            LIMIT,
            tokio::process::Command::new(BINARY)
                .args([role, "--group", "192.0.2.7", "--count", "1", "--lang", "en"])
                .output(),
        )
        .await
        .unwrap()
        .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("192.0.2.7 is not a multicast group"),
            "{role}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{role} did nothing: {output:?}");
    }
}

#[tokio::test]
async fn the_lab_shows_both_members_then_only_the_one_that_stayed() {
    let report = timeout(LIMIT, udp_multicast::lab::run(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.heard, [[1, 2, 3], [1, 2, 3]], "{report:?}");
    assert!(report.heard_after_leave[0].is_empty(), "{report:?}");
    assert_eq!(report.heard_after_leave[1], [4, 5, 6], "{report:?}");
    assert!(report.print(Lang::En));
}

// The binaries, as a student runs them.

#[tokio::test]
async fn the_sender_binary_stops_by_itself_after_count() {
    let (first, second, port) = two_members();
    let output = timeout(
        LIMIT,
        tokio::process::Command::new(BINARY)
            .args([
                "sender",
                "--interval",
                "10ms",
                "--count",
                "3",
                "--lang",
                "en",
            ])
            .args(["--port", &port.to_string()])
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
    assert_eq!(
        lines[1],
        format!("server sent hello #1 to 224.0.1.100:{port}")
    );
    assert_eq!(lines.last(), Some(&"sent 3 datagrams"));
    assert_eq!(receive(&first, 3).await.tallies.total(), 3);
    assert_eq!(receive(&second, 3).await.tallies.total(), 3);
}

#[tokio::test]
async fn the_receiver_binary_leaves_after_n_and_reports_nothing_more() {
    let mut child = tokio::process::Command::new(BINARY)
        .args([
            "receiver",
            "--port",
            "0",
            "--leave-after",
            "2",
            "--linger",
            "300ms",
            "--lang",
            "en",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = async || {
        timeout(LIMIT, lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    };
    let addr: SocketAddr = next()
        .await
        .strip_prefix("listening on ")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(addr.ip(), SEED_GROUP.addr());
    // No second ready line: what follows says which group it joined.
    assert_eq!(
        next().await,
        "joined 224.0.1.100 on interface 127.0.0.1 (addMembership)"
    );

    // Another member stays in the group, so the group is still joined on lo.
    let witness = receiver::join(SEED_GROUP, addr.port(), LOOPBACK, Lang::En).unwrap();
    let socket = sender::open(LOOPBACK, 1, Lang::En).await.unwrap();
    let me = socket.local_addr().unwrap();
    send(&socket, addr.port(), 1..=2).await;
    assert_eq!(next().await, format!("client got hello #1 from {me}"));
    assert_eq!(next().await, format!("client got hello #2 from {me}"));
    assert!(
        next()
            .await
            .starts_with("left 224.0.1.100 after 2 datagrams")
    );
    send(&socket, addr.port(), 3..=3).await;
    assert_eq!(
        receive(&witness, 3).await.tallies.total(),
        3,
        "the witness got #3"
    );

    let status = timeout(LIMIT, child.wait())
        .await
        .expect("ends after --linger")
        .unwrap();
    assert!(status.success());
    assert_eq!(next().await, "after leaving: nothing more arrived");
    assert_eq!(next().await, "summary: 2 datagrams, 1 numbered sender");
}

#[tokio::test]
async fn the_receiver_speaks_chinese_under_lang_zh_cn_utf8() {
    // No --lang: the language comes from the environment, as in a terminal.
    let mut child = tokio::process::Command::new(BINARY)
        .args(["receiver", "--port", "0", "--count", "1"])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = async || {
        timeout(LIMIT, lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    };
    let addr: SocketAddr = next()
        .await
        .strip_prefix("listening on ")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        next().await,
        "已在网络接口 127.0.0.1 上加入组 224.0.1.100（addMembership）"
    );
    let socket = sender::open(LOOPBACK, 1, Lang::En).await.unwrap();
    let me = socket.local_addr().unwrap();
    send(&socket, addr.port(), 1..=1).await;
    assert_eq!(next().await, format!("接收端收到 hello #1，来自 {me}"));
    assert_eq!(next().await, "汇总：共 1 个数据报，来自 1 个带编号的发送方");
    assert_eq!(
        next().await,
        format!("  来自 {me}：收到 1 个（#1 到 #1），缺 0 个，乱序 0 个")
    );
    let output = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("现在只有本机能收到这个组"), "{stderr}");
}

#[tokio::test]
async fn a_wrong_group_and_help_are_said_in_chinese_with_lang_zh_cn() {
    let output = tokio::process::Command::new(BINARY)
        .args(["sender", "--group", "10.1.2.3", "--lang", "zh-CN"])
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("10.1.2.3 不是组播组地址"), "{stderr}");
    let output = tokio::process::Command::new(BINARY)
        .args(["receiver", "--help", "--lang", "zh-CN"])
        .output()
        .await
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("加入组播组，打印收到的每个数据报"), "{help}");
    assert!(help.contains("退出组（dropMembership）"), "{help}");
}

#[test]
fn students_are_told_the_group_and_port_to_send_to() {
    let en = receiver::how_students_send(SEED_GROUP, 8000, Lang::En);
    assert!(en.contains("--group 224.0.1.100 --port 8000"), "{en}");
    let zh = receiver::how_students_send(SEED_GROUP, 8000, Lang::ZhCn);
    assert!(zh.contains("同学自己的局域网地址"), "{zh}");
}

#[test]
fn a_group_error_is_said_in_either_language() {
    let en = Group::parse("10.0.0.1", Lang::En).unwrap_err();
    assert!(en.starts_with("10.0.0.1 is not a multicast group"), "{en}");
    let zh = Group::parse("10.0.0.1", Lang::ZhCn).unwrap_err();
    assert!(zh.starts_with("10.0.0.1 不是组播组地址"), "{zh}");
}
