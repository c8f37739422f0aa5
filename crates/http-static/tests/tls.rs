//! `http-static --tls` (chapter 5): the same site over HTTPS, with Range and
//! 304 as over plain HTTP, and a certificate from a local CA made in a
//! temporary directory.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use common::lang::Lang;
use common::tls::Identity;
use http_static::{Config, Server};
use support::site;
use testkit::Background;
use tokio::net::TcpListener;

#[tokio::test]
async fn the_site_over_https_answers_ranges_and_304_as_over_http() {
    let (root, certs) = (site(), tempfile::tempdir().unwrap());
    let identity = Identity::local(certs.path(), &[], Lang::En).unwrap();
    let tls = identity.server_config(&[b"http/1.1"], Lang::En).unwrap();
    let config = Config {
        root: root.path().to_path_buf(),
        tls: Some(Arc::new(tls)),
        ..Config::default()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server::new(listener, config).unwrap();
    let addr = server.local_addr().unwrap();
    let _running = Background::spawn(|shutdown| server.run(shutdown));
    let ca = identity.ca.unwrap();
    let ask = |headers: &str| {
        format!("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{headers}\r\n")
    };

    let whole = testkit::tls::exchange(addr, &ca, ask("").as_bytes()).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.text(), "Hello, file!\n");
    let etag = whole.header("etag").unwrap().to_owned();

    let part = testkit::tls::exchange(addr, &ca, ask("Range: bytes=0-4\r\n").as_bytes()).await;
    assert_eq!(part.status, 206);
    assert_eq!(part.text(), "Hello");
    assert_eq!(part.header("content-range"), Some("bytes 0-4/13"));

    let again = format!("If-None-Match: {etag}\r\n");
    let unchanged = testkit::tls::exchange(addr, &ca, ask(&again).as_bytes()).await;
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
}
