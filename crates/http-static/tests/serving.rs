//! The static server's everyday answers: index pages, types, HEAD, 405, 404,
//! directories, listings, keep-alive, bad requests, an edited file.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::{TestServer, read_response, site};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[tokio::test]
async fn the_root_is_served_by_its_index_html() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let reply = server.get("/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "<h1>home</h1>\n");
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.header("content-length"), Some("14"));
    assert_eq!(reply.header("accept-ranges"), Some("bytes"));
    assert!(reply.header("etag").unwrap().starts_with('"'));
    let date = reply.header("last-modified").unwrap();
    assert!(httpdate::parse_http_date(date).is_ok(), "{date}");

    let sub = server.get("/sub/").await;
    assert_eq!((sub.status, sub.text().as_str()), (200, "<h1>sub</h1>\n"));
}

#[tokio::test]
async fn content_type_comes_from_the_extension_with_charset_on_text() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    for (path, expected) in [
        ("/hello.txt", "text/plain; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/data.json", "application/json; charset=utf-8"),
        ("/pixel.png", "image/png"),
        ("/blob.unknownext", "application/octet-stream"),
    ] {
        let reply = server.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(expected), "{path}");
    }
}

#[tokio::test]
async fn head_sends_the_headers_of_get_and_no_body() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let get = server.get("/hello.txt").await;
    let head = server
        .request("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD sent a body: {:?}", head.text());
    for name in [
        "content-type",
        "content-length",
        "etag",
        "last-modified",
        "accept-ranges",
    ] {
        assert_eq!(head.header(name), get.header(name), "{name}");
    }
    assert_eq!(head.header("content-length"), Some("13"));
}

#[tokio::test]
async fn other_methods_get_405_with_allow() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let reply = server
            .request(&format!(
                "{method} /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ))
            .await;
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("allow"), Some("GET, HEAD"), "{method}");
    }
    // And the file is still there.
    assert_eq!(server.get("/hello.txt").await.status, 200);
}

#[tokio::test]
async fn a_missing_file_is_the_seeds_404() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    for path in [
        "/nope.html",
        "/sub/nope",
        "/hello.txt/more",
        "/hello.txt/",
        "/empty-dir/",
    ] {
        let reply = server.get(path).await;
        assert_eq!(reply.status, 404, "{path}");
        // Ends with a newline: after `curl`, the shell prompt starts on its own line.
        assert_eq!(reply.text(), "404 Not Found.\n", "{path}");
        assert_eq!(
            reply.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
}

#[tokio::test]
async fn a_directory_without_the_slash_is_redirected_to_it() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let reply = server.get("/sub?x=1").await;
    assert_eq!(reply.status, 301);
    assert_eq!(reply.header("location"), Some("/sub/"));
    // The Location is rebuilt from the checked names, never echoed: `//x`
    // would be a link to another host.
    std::fs::create_dir(dir.path().join("evil.example")).unwrap();
    let reply = server.get("//evil.example").await;
    assert_eq!(reply.header("location"), Some("/evil.example/"));
    std::fs::create_dir(dir.path().join("a b")).unwrap();
    let reply = server.get("/a%20b").await;
    assert_eq!(reply.header("location"), Some("/a%20b/"));
}

#[tokio::test]
async fn list_renders_a_directory_with_every_name_escaped() {
    let dir = site();
    let names = ["<b>bold.txt", "quote\"s & 'apos'.txt", "plain.txt"];
    for name in names {
        std::fs::write(dir.path().join("empty-dir").join(name), "x").unwrap();
    }
    std::fs::create_dir(dir.path().join("empty-dir/inner")).unwrap();
    std::fs::write(dir.path().join("empty-dir/.hidden"), "x").unwrap();

    let unlisted = TestServer::serve(dir.path()).await;
    assert_eq!(unlisted.get("/empty-dir/").await.status, 404);

    let server = TestServer::start(dir.path(), true, Duration::from_secs(5)).await;
    let reply = server.get("/empty-dir/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = reply.text();
    assert!(html.contains("&lt;b&gt;bold.txt"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(
        html.contains("quote&quot;s &amp; &#39;apos&#39;.txt"),
        "{html}"
    );
    assert!(
        html.contains("href=\"quote%22s%20%26%20%27apos%27.txt\""),
        "{html}"
    );
    assert!(html.contains("href=\"inner/\""), "{html}");
    assert!(!html.contains("hidden"), "dotfiles are not listed: {html}");
    // A directory with an index.html still gets the index.
    assert_eq!(server.get("/sub/").await.text(), "<h1>sub</h1>\n");
    // Each listed link works.
    assert_eq!(server.get("/empty-dir/%3Cb%3Ebold.txt").await.text(), "x");
    assert_eq!(server.get("/empty-dir/plain.txt").await.text(), "x");
}

#[tokio::test]
async fn a_listing_links_up_except_at_the_root() {
    let dir = site();
    std::fs::remove_file(dir.path().join("index.html")).unwrap();
    let server = TestServer::start(dir.path(), true, Duration::from_secs(5)).await;

    let root = server.get("/").await;
    assert_eq!(root.status, 200);
    assert!(root.text().contains("Index of /<"), "{}", root.text());
    assert!(!root.text().contains("../"), "{}", root.text());

    let below = server.get("/empty-dir/").await.text();
    assert!(below.contains("<a href=\"../\">../</a>"), "{below}");
}

#[tokio::test]
async fn keep_alive_answers_several_requests_on_one_connection() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let mut reader = BufReader::new(stream);
    // Two requests written at once (pipelined), then a third after reading.
    reader
        .get_mut()
        .write_all(b"GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\nHEAD /style.css HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let first = read_response(&mut reader, true).await;
    assert_eq!(
        (first.status, first.text().as_str()),
        (200, "Hello, file!\n")
    );
    let second = read_response(&mut reader, false).await;
    assert_eq!(
        second.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    reader
        .get_mut()
        .write_all(b"GET /nope HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let third = read_response(&mut reader, true).await;
    assert_eq!(
        (third.status, third.text().as_str()),
        (404, "404 Not Found.\n")
    );
}

#[tokio::test]
async fn a_malformed_request_gets_400_and_the_server_goes_on() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    for garbage in [
        "NONSENSE\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nBad Header Line\r\n\r\n",
        "GET /\x01 HTTP/1.1\r\n\r\n",
        "\0\0\0\0\r\n\r\n",
    ] {
        let reply = server.request(garbage).await;
        assert_eq!(reply.status, 400, "{garbage:?}");
    }
    // A client that connects and leaves mid-request does no harm either.
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /hello.txt HT").await.unwrap();
    drop(half);
    assert_eq!(server.get("/hello.txt").await.status, 200);
}

#[tokio::test]
async fn a_path_that_is_not_utf8_after_decoding_is_a_bad_request() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let reply = server.get("/%ff%fe.txt").await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn an_edited_file_is_served_new_at_once() {
    let dir = site();
    let server = TestServer::serve(dir.path()).await;
    let first = server.get("/hello.txt").await;
    assert_eq!(first.text(), "Hello, file!\n");
    // Served twice, so it is in the cache now.
    assert_eq!(server.get("/hello.txt").await.text(), "Hello, file!\n");
    std::fs::write(dir.path().join("hello.txt"), "Edited: a longer text\n").unwrap();
    let edited = server.get("/hello.txt").await;
    assert_eq!(edited.text(), "Edited: a longer text\n");
    assert_ne!(edited.header("etag"), first.header("etag"));
    std::fs::remove_file(dir.path().join("hello.txt")).unwrap();
    assert_eq!(server.get("/hello.txt").await.status, 404);
}
