//! The page (`GET /`) in the visitor's language: by `Accept-Language`, by
//! the switch (`?lang=`), else `--lang`; with `Vary` and an `ETag` per
//! language. The plain-HTTP 400 in the visitor's language too.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use common::lang::Lang;
use common::tls::Identity;
use https_server::{Config, Server};
use testkit::Background;
use testkit::http::Reply;
use tokio::net::TcpListener;

async fn start(dir: &std::path::Path, config: Config) -> (std::net::SocketAddr, Background<()>) {
    let identity = Identity::local(dir, &[], Lang::En).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server::new(listener, &identity, config).unwrap();
    let addr = server.local_addr().unwrap();
    (addr, Background::spawn(|shutdown| server.run(shutdown)))
}

async fn get(addr: std::net::SocketAddr, ca: &std::path::Path, path: &str, headers: &str) -> Reply {
    let raw =
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{headers}\r\n");
    testkit::tls::exchange(addr, ca, raw.as_bytes()).await
}

#[tokio::test]
async fn the_page_follows_accept_language_with_vary_and_an_etag_per_language() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _running) = start(dir.path(), Config::default()).await;
    let ca = dir.path().join("ca.pem");
    let english = get(addr, &ca, "/", "Accept-Language: en-US,en;q=0.9\r\n").await;
    let chinese = get(addr, &ca, "/", "Accept-Language: zh-CN,zh;q=0.9\r\n").await;
    assert!(
        english.text().contains("<h1>Your HTTPS connection</h1>"),
        "{}",
        english.text()
    );
    assert!(
        chinese.text().contains("<h1>你的 HTTPS 连接</h1>"),
        "{}",
        chinese.text()
    );
    assert!(chinese.text().contains("<th>TLS 版本</th><td>TLSv1_3</td>"));
    for reply in [&english, &chinese] {
        assert!(reply.header("vary").unwrap().contains("Accept-Language"));
    }
    let (en_tag, zh_tag) = (
        english.header("etag").unwrap(),
        chinese.header("etag").unwrap(),
    );
    assert_ne!(en_tag, zh_tag);
    let same = get(
        addr,
        &ca,
        "/",
        &format!("Accept-Language: zh-CN\r\nIf-None-Match: {zh_tag}\r\n"),
    )
    .await;
    assert_eq!(same.status, 304);
    let crossed = get(
        addr,
        &ca,
        "/",
        &format!("Accept-Language: zh-CN\r\nIf-None-Match: {en_tag}\r\n"),
    )
    .await;
    assert_eq!(crossed.status, 200);
    let switched = get(addr, &ca, "/?lang=zh-CN", "Accept-Language: en\r\n").await;
    assert!(switched.text().contains("你的 HTTPS 连接"));
    assert!(
        switched
            .header("set-cookie")
            .unwrap()
            .starts_with("lang=zh-CN;")
    );
}

#[tokio::test]
async fn without_accept_language_the_page_follows_the_servers_lang() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        lang: Lang::ZhCn,
        ..Config::default()
    };
    let (addr, _running) = start(dir.path(), config).await;
    let ca = dir.path().join("ca.pem");
    let page = get(addr, &ca, "/", "").await;
    assert!(
        page.text().contains("<html lang=\"zh-CN\">"),
        "{}",
        page.text()
    );
    let missing = get(addr, &ca, "/nope", "").await;
    assert_eq!(missing.text(), "404 Not Found：没有这个页面。\n");
    let english = get(addr, &ca, "/nope", "Accept-Language: en\r\n").await;
    assert_eq!(english.text(), "404 Not Found.\n");
}

#[tokio::test]
async fn plain_http_on_the_https_port_is_told_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _running) = start(dir.path(), Config::default()).await;
    let raw =
        b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept-Language: zh-CN\r\nConnection: close\r\n\r\n";
    let reply = testkit::http::exchange(addr, raw).await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().contains("这个端口说的是 HTTPS"),
        "{}",
        reply.text()
    );
    assert!(
        reply.text().ends_with("https://localhost/\n"),
        "{}",
        reply.text()
    );
}
