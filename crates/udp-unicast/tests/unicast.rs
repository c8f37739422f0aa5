//! The unicast server and client over real sockets on 127.0.0.1.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::datagram::MAX_DATAGRAM;
use common::lang::Lang;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use udp_unicast::Server;
use udp_unicast::client::{self, ClientError};

const LIMIT: Duration = Duration::from_secs(5);
const BINARY: &str = env!("CARGO_BIN_EXE_udp-unicast");

/// The server's log lines, captured as `main` would print them.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn text(&self) -> String {
        let lines = self.0.lock().unwrap();
        lines.iter().map(|line| format!("{line}\n")).collect()
    }
}

struct Running {
    addr: SocketAddr,
    log: Log,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<u64>>,
}

async fn start_server() -> Running {
    let server = Server::new(UdpSocket::bind("127.0.0.1:0").await.unwrap(), Lang::En);
    let addr = server.local_addr().unwrap();
    let log = Log::default();
    let lines = log.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(
        async {
            let _ = stopped.await;
        },
        move |line| lines.0.lock().unwrap().push(line),
    ));
    Running {
        addr,
        log,
        stop,
        task,
    }
}

async fn client_socket() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.unwrap()
}

async fn ask(server: SocketAddr, message: &[u8], wait: Duration) -> Result<Vec<u8>, ClientError> {
    let socket = client_socket().await;
    timeout(LIMIT, client::run(&socket, server, message, wait, |_| {}))
        .await
        .expect("the client gives up by itself")
}

#[tokio::test]
async fn hello_gets_world_and_the_server_logs_the_sender() {
    let server = start_server().await;
    let socket = client_socket().await;
    let me = socket.local_addr().unwrap();
    let reply = timeout(
        LIMIT,
        client::run(&socket, server.addr, b"hello", LIMIT, |_| {}),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(reply, b"world");
    // The server logs before it answers, so the line is there already.
    assert_eq!(server.log.text(), format!("server got hello from {me}\n"));

    server.stop.send(()).unwrap();
    let answered = timeout(LIMIT, server.task).await.unwrap().unwrap().unwrap();
    assert_eq!(answered, 1);
}

#[tokio::test]
async fn each_datagram_is_one_message_and_gets_its_own_answer() {
    let server = start_server().await;
    let socket = client_socket().await;
    socket.connect(server.addr).await.unwrap();
    for word in ["one", "two", "three"] {
        socket.send(word.as_bytes()).await.unwrap();
    }
    let mut reply = [0; 64];
    for _ in 0..3 {
        let len = timeout(LIMIT, socket.recv(&mut reply))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&reply[..len], b"world");
    }
    let log = server.log.text();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "{log}");
    for (line, word) in lines.iter().zip(["one", "two", "three"]) {
        assert!(
            line.starts_with(&format!("server got {word} from ")),
            "{log}"
        );
    }
}

#[tokio::test]
async fn a_peer_cannot_drive_the_terminal() {
    let server = start_server().await;
    let reply = ask(server.addr, b"\x1b[2Jhi\n", LIMIT).await.unwrap();
    assert_eq!(reply, b"world");
    let log = server.log.text();
    assert!(log.starts_with("server got \\u{1b}[2Jhi\\n from "), "{log}");
}

#[tokio::test]
async fn no_reply_ends_in_a_sentence_about_udp() {
    // Bound, so the OS does not refuse, but it never answers.
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let server = silent.local_addr().unwrap();
    let error = ask(server, b"hello", Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::NoReply { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("no reply from {server} within 200ms")),
        "{text}"
    );
    assert!(text.contains("UDP gives no delivery guarantee"), "{text}");
    // The datagram did arrive: it was the reply that never came.
    let mut buffer = [0; 16];
    let (len, _) = silent.try_recv_from(&mut buffer).unwrap();
    assert_eq!(&buffer[..len], b"hello");
}

#[tokio::test]
async fn a_closed_port_is_reported_as_such() {
    // A port nothing will answer on: a socket bound to it but connected to
    // another peer takes no datagram from us, so the OS answers "port
    // unreachable" as for a closed port; and since the port stays bound,
    // no other test running alongside can take it (as it could if we
    // dropped the socket: then the datagram might reach that test).
    let held = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    held.connect("127.0.0.1:9").await.unwrap();
    let server = held.local_addr().unwrap();
    let error = ask(server, b"hello", LIMIT).await.unwrap_err();
    assert!(matches!(error, ClientError::Refused { .. }), "{error:?}");
    assert!(error.to_string().contains("nothing listens on"), "{error}");
}

#[tokio::test]
async fn the_largest_datagram_goes_through_and_one_byte_more_is_refused() {
    let server = start_server().await;
    let reply = ask(server.addr, &vec![b'x'; MAX_DATAGRAM], LIMIT)
        .await
        .unwrap();
    assert_eq!(reply, b"world");
    assert!(
        server.log.text().contains("… (65507 bytes) from"),
        "{}",
        server.log.text()
    );

    let error = ask(server.addr, &vec![b'x'; MAX_DATAGRAM + 1], LIMIT)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::TooLarge { len } if len == MAX_DATAGRAM + 1),
        "{error:?}"
    );
    assert!(error.to_string().contains("at most 65507 bytes"), "{error}");
    // Nothing was sent.
    assert_eq!(server.log.text().lines().count(), 1);
}

#[tokio::test]
async fn the_lab_shows_each_unicast_datagram_reaching_one_socket() {
    let report = timeout(LIMIT, udp_unicast::lab::run(8))
        .await
        .unwrap()
        .unwrap();
    let [a, b] = &report.heard;
    assert_eq!(a.len() + b.len(), 8, "{report:?}");
    assert!(report.each_went_to_one(), "{report:?}");
    assert!(report.print(Lang::En), "the lab's verdict agrees");
}

// The binary, as a student runs it.

/// Starts `udp-unicast server --port 0 ARGS…` and returns it with its
/// stdout lines and the address from its `listening on` line.
async fn server_binary(
    args: &[&str],
) -> (
    tokio::process::Child,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    SocketAddr,
) {
    let mut child = tokio::process::Command::new(BINARY)
        .args(["server", "--port", "0"])
        .args(args)
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
    (child, lines, addr)
}

#[tokio::test]
async fn the_server_binary_prints_one_ready_line_then_each_datagram() {
    let (mut child, mut lines, addr) = server_binary(&["--lang", "en"]).await;
    let socket = client_socket().await;
    let me = socket.local_addr().unwrap();
    let reply = timeout(LIMIT, client::run(&socket, addr, b"hello", LIMIT, |_| {}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply, b"world");
    // The line after `listening on` is the datagram's (no second ready
    // line), printed at once though stdout is a pipe.
    let next = timeout(LIMIT, lines.next_line()).await.unwrap().unwrap();
    assert_eq!(next, Some(format!("server got hello from {me}")));
    child.kill().await.unwrap();
    // On stderr: that only this machine can send to it, and the log line.
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(
        stderr.contains("only this machine can send to it"),
        "{stderr}"
    );
    assert!(stderr.contains("answering every datagram"), "{stderr}");
    assert!(!stderr.contains("server running"), "{stderr}");
}

#[tokio::test]
async fn the_reply_is_the_seeds_five_bytes_without_a_line_end() {
    // What `nc -u` prints: a datagram is a message by itself, no newline.
    let server = start_server().await;
    let socket = client_socket().await;
    socket.send_to(b"hi\n", server.addr).await.unwrap();
    let mut reply = [0; 64];
    let (len, from) = timeout(LIMIT, socket.recv_from(&mut reply))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((&reply[..len], from), (&b"world"[..], server.addr));
}

#[tokio::test]
async fn the_server_speaks_chinese_with_lang_zh_cn() {
    let (mut child, mut lines, addr) = server_binary(&["--lang", "zh-CN"]).await;
    let socket = client_socket().await;
    let me = socket.local_addr().unwrap();
    timeout(LIMIT, client::run(&socket, addr, b"hello", LIMIT, |_| {}))
        .await
        .unwrap()
        .unwrap();
    let next = timeout(LIMIT, lines.next_line()).await.unwrap().unwrap();
    assert_eq!(next, Some(format!("服务端收到 hello，来自 {me}")));
    child.kill().await.unwrap();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    // UDP has no connection: the hint speaks of datagrams.
    assert!(stderr.contains("只有本机发来的数据报能收到"), "{stderr}");
    assert!(!stderr.contains("连上"), "{stderr}");
    assert!(stderr.contains("都回复 “world”"), "{stderr}");
}

#[test]
fn students_are_told_nc_and_the_client_with_the_lan_address() {
    let lan: SocketAddr = "192.168.1.23:3000".parse().unwrap();
    assert_eq!(
        udp_unicast::server::how_students_send(lan, Lang::En),
        "nc -u 192.168.1.23 3000, or: just ch3-unicast-client --server 192.168.1.23:3000"
    );
    assert_eq!(
        udp_unicast::server::how_students_send(lan, Lang::ZhCn),
        "nc -u 192.168.1.23 3000，或者 just ch3-unicast-client --server 192.168.1.23:3000"
    );
}

#[tokio::test]
async fn lang_from_the_environment_picks_chinese_for_the_client() {
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let server = silent.local_addr().unwrap().to_string();
    let output = timeout(
        LIMIT,
        tokio::process::Command::new(BINARY)
            .args(["client", "--server", &server, "--port", "0"])
            .args(["--timeout", "150ms"])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "zh_CN.UTF-8")
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.starts_with("客户端已就绪 127.0.0.1:"), "{stdout}");
    assert!(
        stderr.starts_with(&format!(
            "udp-unicast: 150ms 内没有收到 {server} 的回复：UDP 不保证送达"
        )),
        "{stderr}"
    );
}

#[tokio::test]
async fn help_is_in_chinese_with_lang_zh_cn() {
    for args in [
        &["--help", "--lang", "zh-CN"][..],
        &["client", "--help", "--lang", "zh-CN"],
    ] {
        let output = tokio::process::Command::new(BINARY)
            .args(args)
            .output()
            .await
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        let expected = if args[0] == "client" {
            "把 MESSAGE 发给服务端"
        } else {
            "UDP 单播"
        };
        assert!(help.contains(expected), "{help}");
        assert!(help.contains("程序输出用的语言"), "{help}");
        // clap's own words too.
        assert!(help.contains("用法：") && help.contains("选项："), "{help}");
        assert!(help.contains("显示帮助"), "{help}");
        for english in ["Usage:", "Options:", "Print help", "[default:"] {
            assert!(!help.contains(english), "{english} in {help}");
        }
        if args[0] == "client" {
            assert!(help.contains("［默认：127.0.0.1:3000］"), "{help}");
        }
    }
}

#[tokio::test]
async fn a_mistyped_server_address_is_said_in_chinese() {
    let output = tokio::process::Command::new(BINARY)
        .args(["client", "--server", "127.0.0.1:abc", "--lang", "zh-CN"])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("udp-unicast: 无法解析 127.0.0.1:abc：地址的格式不对"),
        "{stderr}"
    );
    assert!(!stderr.contains("invalid"), "{stderr}");
}

#[tokio::test]
async fn the_client_binary_exits_non_zero_with_the_no_reply_sentence() {
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let server = silent.local_addr().unwrap().to_string();
    let output = timeout(
        LIMIT,
        tokio::process::Command::new(BINARY)
            .args([
                "client",
                "--server",
                &server,
                "--port",
                "0",
                "--timeout",
                "150ms",
                "--lang",
                "en",
            ])
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.starts_with("client running 127.0.0.1:"), "{stdout}");
    assert!(
        stderr.starts_with(&format!("udp-unicast: no reply from {server} within 150ms")),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[tokio::test]
async fn the_client_binary_refuses_an_oversized_message_in_one_sentence() {
    let server = start_server().await;
    let output = timeout(
        LIMIT,
        tokio::process::Command::new(BINARY)
            .args([
                "client",
                "--server",
                &server.addr.to_string(),
                "--port",
                "0",
                "--lang",
                "en",
            ])
            .arg("x".repeat(MAX_DATAGRAM + 1))
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("udp-unicast: the message is 65508 bytes"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(server.log.text(), "");
}

#[tokio::test]
async fn the_server_binary_explains_a_port_in_use() {
    let taken = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = timeout(
        LIMIT,
        tokio::process::Command::new(BINARY)
            .args(["server", "--port", &port, "--lang", "en"])
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );
}
