//! The HTTPS server over real sockets on 127.0.0.1, with a local CA made in
//! a temporary directory: trusted and untrusted clients, names, HTTP/2 and
//! HTTP/1.1, the certificates kept between runs, HSTS, and every client
//! that does not speak TLS properly.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::lang::Lang;
use common::tls::Identity;
use https_server::client::{self, explain, tls_error};
use https_server::server::ALPN;
use https_server::{Config, Server};
use rustls::{CertificateError, Error};
use serde_json::Value;
use testkit::{Background, STEP};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A server on 127.0.0.1:0 with the local CA of `dir`.
struct TestServer {
    addr: SocketAddr,
    ca: std::path::PathBuf,
    _running: Background<()>,
}

async fn start(dir: &Path, config: Config) -> TestServer {
    let identity = Identity::local(dir, &[], Lang::En).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server::new(listener, &identity, config).unwrap();
    let addr = server.local_addr().unwrap();
    TestServer {
        addr,
        ca: identity.ca.unwrap(),
        _running: Background::spawn(|shutdown| server.run(shutdown)),
    }
}

fn roots(ca: &Path) -> rustls::RootCertStore {
    client::roots(Some(ca), Lang::En).unwrap()
}

/// `GET path` as a client that trusts `ca`, offering `alpn`.
async fn get(server: &TestServer, path: &str, alpn: &[&[u8]]) -> client::Answer {
    let tls = client::connect(server.addr, "localhost", roots(&server.ca), alpn)
        .await
        .unwrap();
    let authority = format!("localhost:{}", server.addr.port());
    tokio::time::timeout(STEP, client::get(tls, &authority, path))
        .await
        .expect("answered in time")
        .unwrap()
}

fn json(answer: &client::Answer) -> Value {
    serde_json::from_slice(&answer.body).unwrap()
}

#[tokio::test]
async fn a_client_that_trusts_the_ca_gets_200_over_http2_and_over_http1() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), Config::default()).await;

    let answer = get(&server, "/connection.json", &ALPN).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.version, http::Version::HTTP_2);
    let seen = json(&answer);
    assert_eq!(seen["tls_version"], "TLSv1_3");
    assert_eq!(seen["alpn"], "h2");
    assert_eq!(seen["sni"], "localhost");
    assert_eq!(seen["http_version"], "HTTP/2.0");
    let names = seen["chain"][0]["names"].as_array().unwrap();
    assert!(names.iter().any(|n| n == "localhost"), "{seen}");

    let answer = get(&server, "/", &[b"http/1.1"]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.version, http::Version::HTTP_11);
    let page = String::from_utf8_lossy(&answer.body);
    assert!(page.contains("<td>http/1.1</td>"), "{page}");
    assert!(page.contains("net-lessons server"), "{page}");
    // No ALPN offered at all: HTTP/1.1, as before ALPN existed.
    assert_eq!(get(&server, "/", &[]).await.version, http::Version::HTTP_11);
    assert_eq!(get(&server, "/nope", &ALPN).await.status, 404);
}

#[tokio::test]
async fn head_has_the_headers_and_no_body_over_http2_and_http1() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), Config::default()).await;
    for alpn in [&b"h2"[..], b"http/1.1"] {
        // (The page shows the connection, so its length depends on ALPN.)
        let full = get(&server, "/", &[alpn]).await.body.len();
        let tls = client::connect(server.addr, "localhost", roots(&server.ca), &[alpn])
            .await
            .unwrap();
        let authority = format!("localhost:{}", server.addr.port());
        let answer = tokio::time::timeout(
            STEP,
            client::request(tls, http::Method::HEAD, &authority, "/"),
        )
        .await
        .expect("answered in time")
        .expect("a clean HEAD answer, not a broken stream");
        assert_eq!(answer.status, 200);
        assert!(answer.body.is_empty());
        assert_eq!(
            answer.headers["content-length"].to_str().unwrap(),
            full.to_string(),
            "over {}",
            String::from_utf8_lossy(alpn)
        );
    }
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_is_refused_as_unknown_issuer() {
    let (dir, elsewhere) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = start(dir.path(), Config::default()).await;
    let stranger = Identity::local(elsewhere.path(), &[], Lang::En).unwrap();
    let error = client::connect(
        server.addr,
        "localhost",
        roots(&stranger.ca.unwrap()),
        &ALPN,
    )
    .await
    .unwrap_err();
    let tls = tls_error(&error).expect("a TLS error");
    assert_eq!(
        *tls,
        Error::InvalidCertificate(CertificateError::UnknownIssuer)
    );
    assert!(explain(tls, "localhost", Lang::En).contains("unknown issuer"));
    assert!(explain(tls, "localhost", Lang::ZhCn).contains("不受信任"));
}

#[tokio::test]
async fn a_name_the_certificate_is_not_for_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), Config::default()).await;
    let error = client::connect(server.addr, "example.com", roots(&server.ca), &ALPN)
        .await
        .unwrap_err();
    let tls = tls_error(&error).expect("a TLS error");
    assert!(
        matches!(
            tls,
            Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        ),
        "{tls:?}"
    );
    assert_eq!(
        explain(tls, "example.com", Lang::En),
        "name mismatch: the certificate is not for example.com"
    );
    assert_eq!(
        explain(tls, "example.com", Lang::ZhCn),
        "名字不符：这张证书不是给 example.com 用的"
    );
    // By address, 127.0.0.1 is one of its names.
    let tls = client::connect(server.addr, "127.0.0.1", roots(&server.ca), &ALPN).await;
    assert!(tls.is_ok(), "{tls:?}");
}

#[tokio::test]
async fn hsts_is_sent_over_https_when_asked_for_and_only_then() {
    let dir = tempfile::tempdir().unwrap();
    let plain = start(dir.path(), Config::default()).await;
    let answer = get(&plain, "/", &ALPN).await;
    assert!(answer.headers.get("strict-transport-security").is_none());
    let hsts = Config {
        hsts: Some(Duration::from_secs(300)),
        ..Config::default()
    };
    let strict = start(dir.path(), hsts).await;
    let answer = get(&strict, "/", &ALPN).await;
    assert_eq!(answer.headers["strict-transport-security"], "max-age=300");
}

/// Sends `bytes` on a fresh connection, reads until the server closes it
/// (or a step passes); returns what came back.
async fn raw(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    exchange(addr, bytes, false).await
}

/// As [`raw`], and shuts our sending side after `bytes` (as `nc -N` does).
async fn half_closed(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    exchange(addr, bytes, true).await
}

async fn exchange(addr: SocketAddr, bytes: &[u8], then_shutdown: bool) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    if then_shutdown {
        stream.shutdown().await.unwrap();
    }
    let mut answer = Vec::new();
    tokio::time::timeout(STEP, stream.read_to_end(&mut answer))
        .await
        .expect("the server answered and closed")
        .ok();
    answer
}

#[tokio::test]
async fn plain_http_on_the_https_port_gets_400_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), Config::default()).await;
    let answer = raw(
        server.addr,
        b"GET /page?x=1 HTTP/1.1\r\nHost: localhost:8443\r\nConnection: close\r\n\r\n",
    )
    .await;
    let reply = testkit::http::Reply::parse(&answer);
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().contains("this port speaks HTTPS"),
        "{}",
        reply.text()
    );
    assert!(
        reply.text().contains("https://localhost:8443/page?x=1"),
        "{}",
        reply.text()
    );
    // Without a Host header: no address to suggest, the sentence ends.
    let reply = testkit::http::Reply::parse(&raw(server.addr, b"GET / HTTP/1.0\r\n\r\n").await);
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().contains("address instead.\n"),
        "{}",
        reply.text()
    );
    // A client that shuts its side after the request still gets the answer.
    let answer = half_closed(server.addr, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
    assert_eq!(testkit::http::Reply::parse(&answer).status, 400);
    // And TLS still works.
    assert_eq!(get(&server, "/", &ALPN).await.status, 200);
}

#[tokio::test]
async fn garbage_a_too_old_tls_and_an_aborted_handshake_are_closed_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), Config::default()).await;
    // Not TLS, not HTTP.
    assert!(raw(server.addr, b"\x00\x01\x02garbage").await.is_empty());
    // A ClientHello that offers TLS 1.1 only (and one 1.1-era cipher suite):
    // refused with an alert (a record of type 21), then closed.
    let mut hello = vec![
        0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x02,
    ];
    hello.extend([0; 32]); // random
    hello.extend([0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00]); // session, suites, compression
    let answer = raw(server.addr, &hello).await;
    assert!(answer.is_empty() || answer[0] == 0x15, "{answer:?}");
    // A handshake cut short: the first bytes of a ClientHello, then gone.
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(&hello[..20]).await.unwrap();
    drop(stream);
    assert_eq!(get(&server, "/", &ALPN).await.status, 200);
}

#[tokio::test]
async fn a_silent_or_trickling_client_is_dropped_after_the_handshake_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        handshake_timeout: Duration::from_millis(500),
        ..Config::default()
    };
    let server = start(dir.path(), config).await;
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let mut trickling = TcpStream::connect(server.addr).await.unwrap();
    trickling.write_all(&[0x16, 0x03]).await.unwrap();
    // Meanwhile others are served.
    assert_eq!(get(&server, "/", &ALPN).await.status, 200);
    for stream in [&mut silent, &mut trickling] {
        let mut buffer = [0; 16];
        let read = tokio::time::timeout(STEP, stream.read(&mut buffer))
            .await
            .expect("closed by the server, not left open");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    }
}

#[tokio::test]
async fn the_redirect_keeps_path_and_query_refuses_a_bad_host_and_can_be_permanent() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let _temporary = Background::spawn(|shutdown| {
        https_server::redirect::serve(listener, 8443, false, Lang::En, shutdown)
    });
    let ask = |host: &str| {
        format!("GET /a/b?c=d HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes()
    };
    let reply = testkit::http::Reply::parse(&raw(addr, &ask("localhost:8080")).await);
    assert_eq!(reply.status, 307);
    assert_eq!(
        reply.header("location"),
        Some("https://localhost:8443/a/b?c=d")
    );
    assert!(
        reply.header("strict-transport-security").is_none(),
        "never over HTTP"
    );
    let reply = testkit::http::Reply::parse(&raw(addr, &ask("[::1]:80")).await);
    assert_eq!(reply.header("location"), Some("https://[::1]:8443/a/b?c=d"));
    for bad in ["a b", "evil.com/x", "user@evil.com"] {
        let reply = testkit::http::Reply::parse(&raw(addr, &ask(bad)).await);
        assert_eq!(reply.status, 400, "{bad}");
    }
    let reply = testkit::http::Reply::parse(&raw(addr, b"GET / HTTP/1.0\r\n\r\n").await);
    assert_eq!(reply.status, 400, "no Host at all");
    let reply = testkit::http::Reply::parse(&half_closed(addr, &ask("localhost")).await);
    assert_eq!(reply.status, 307, "answered after the client shut its side");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let _permanent = Background::spawn(|shutdown| {
        https_server::redirect::serve(listener, 443, true, Lang::En, shutdown)
    });
    let reply = testkit::http::Reply::parse(&raw(addr, &ask("example.test")).await);
    assert_eq!(reply.status, 308);
    assert_eq!(
        reply.header("location"),
        Some("https://example.test/a/b?c=d")
    );
}
