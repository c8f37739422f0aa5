//! The HTTP side of the one port: the page, the echo test page, 426 for a
//! plain GET of a WebSocket path, and /echo itself.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;

use support::{Peer, STEP, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Sends `request` (HTTP/1.1, `Connection: close` added) and returns the
/// status line, the headers (lowercased) and the body.
async fn http(addr: SocketAddr, request: &str) -> (String, String, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = request.replace("\n", "\r\n");
    let request = format!("{request}Host: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    // To the end of the body, or of the head for a 101 (the connection then
    // stays open as a WebSocket).
    tokio::time::timeout(STEP, async {
        let mut chunk = [0; 4096];
        loop {
            let n = stream.read(&mut chunk).await.unwrap();
            response.extend_from_slice(&chunk[..n]);
            if n == 0 || response.starts_with(b"HTTP/1.1 101") && response.ends_with(b"\r\n\r\n") {
                break;
            }
        }
    })
    .await
    .expect("answered in time");
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_owned(), headers.to_lowercase(), body.to_owned())
}

#[tokio::test]
async fn the_page_is_served_from_the_assets() {
    let server = TestServer::start().await;
    let (status, headers, body) = http(server.addr, "GET / HTTP/1.1\n").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("content-type: text/html"), "{headers}");
    assert!(body.contains("<script src=\"chat.js\">"), "{body}");
    let (status, headers, body) = http(server.addr, "GET /chat.js HTTP/1.1\n").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("javascript"), "{headers}");
    assert!(body.contains("new WebSocket(url)"));
    let (status, _, body) = http(server.addr, "GET /echo-test HTTP/1.1\n").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("echo-test.js"), "{body}");
    let (status, _, _) = http(server.addr, "GET /../Cargo.toml HTTP/1.1\n").await;
    assert_eq!(status, "HTTP/1.1 403 Forbidden");
    let (status, _, _) = http(server.addr, "GET /nope.html HTTP/1.1\n").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
}

#[tokio::test]
async fn the_page_loads_nothing_from_the_internet() {
    // No CDN: every src/href in the page's files is relative or on this host.
    for file in [
        "index.html",
        "echo-test.html",
        "chat.js",
        "texts.js",
        "echo-test.js",
        "chat.css",
    ] {
        let text = std::fs::read_to_string(support::assets().join(file)).unwrap();
        for needle in ["http://", "https://", "//cdn", "@import"] {
            assert!(!text.contains(needle), "{file} mentions {needle}");
        }
        assert!(!text.contains("innerHTML"), "{file} uses innerHTML");
    }
}

#[tokio::test]
async fn a_plain_get_of_a_websocket_path_is_426_with_a_sentence() {
    let server = TestServer::start().await;
    for path in ["/ws", "/echo"] {
        let (status, headers, body) = http(server.addr, &format!("GET {path} HTTP/1.1\n")).await;
        assert_eq!(status, "HTTP/1.1 426 Upgrade Required", "{path}");
        assert!(headers.contains("upgrade: websocket"), "{headers}");
        assert!(body.contains(&format!("{path} speaks WebSocket")), "{body}");
    }
    let (status, _, _) = http(server.addr, "POST /ws HTTP/1.1\nContent-Length: 0\n").await;
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
    // An upgrade for an old WebSocket version, or without its key.
    let upgrade = "GET /ws HTTP/1.1\nConnection: Upgrade\nUpgrade: websocket\n";
    let (status, headers, _) = http(
        server.addr,
        &format!(
            "{upgrade}Sec-WebSocket-Version: 8\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n"
        ),
    )
    .await;
    assert_eq!(status, "HTTP/1.1 426 Upgrade Required");
    assert!(headers.contains("sec-websocket-version: 13"), "{headers}");
    let (status, _, _) = http(
        server.addr,
        &format!("{upgrade}Sec-WebSocket-Version: 13\n"),
    )
    .await;
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
}

#[tokio::test]
async fn the_handshake_answers_the_rfc_example() {
    // RFC 6455 §1.3: this key must be answered with this accept value.
    let server = TestServer::start().await;
    let (status, headers, _) = http(
        server.addr,
        "GET /echo HTTP/1.1\nConnection: keep-alive, Upgrade\nUpgrade: websocket\n\
         Sec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n",
    )
    .await;
    assert_eq!(status, "HTTP/1.1 101 Switching Protocols");
    assert!(
        headers.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "{headers}"
    );
}

#[tokio::test]
async fn echo_sends_back_text_and_binary() {
    let server = TestServer::start().await;
    let mut echo = Peer::connect(&server.url("/echo")).await;
    echo.send_frame(Message::text("Hello WebSockets!")).await;
    assert_eq!(echo.frame().await, Some(Message::text("Hello WebSockets!")));
    let bytes: Vec<u8> = (0..=255).collect();
    echo.send_frame(Message::binary(bytes.clone())).await;
    assert_eq!(echo.frame().await, Some(Message::binary(bytes)));
    // Over the limit: 1009, as on /ws.
    echo.send_frame(Message::binary(vec![0; 64 * 1024 + 1]))
        .await;
    assert_eq!(echo.closed().await.unwrap().code, CloseCode::Size);
}

#[tokio::test]
async fn the_page_handler_knows_its_files_heads_and_methods() {
    let server = TestServer::start().await;
    // HEAD: the same headers, no body.
    let (status, headers, body) = http(server.addr, "HEAD /chat.css HTTP/1.1\n").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("content-type: text/css"), "{headers}");
    assert!(headers.contains("cache-control: no-cache"), "{headers}");
    assert_eq!(body, "");
    // A file of the page, asked for with another method.
    let (status, headers, _) = http(server.addr, "POST / HTTP/1.1\nContent-Length: 0\n").await;
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
    assert!(headers.contains("allow: get, head"), "{headers}");
    // A file in the directory that is not one of the page's is not served.
    let (status, _, _) = http(server.addr, "GET /Cargo.toml HTTP/1.1\n").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
}

/// Asks `path` for an upgrade with these extra header lines; the status line.
async fn upgrade_status(addr: SocketAddr, path: &str, extra: &str) -> String {
    let request = format!(
        "GET {path} HTTP/1.1\nConnection: Upgrade\nUpgrade: websocket\n\
         Sec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n{extra}"
    );
    http(addr, &request).await.0
}

#[tokio::test]
async fn a_websocket_from_another_site_s_page_is_refused_with_403() {
    let server = TestServer::start().await;
    let addr = server.addr;
    // A page of another site, in the visitor's browser: refused, with the way out.
    let (status, _, body) = http(
        addr,
        "GET /ws HTTP/1.1\nConnection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Version: 13\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nOrigin: http://evil.example\n",
    )
    .await;
    assert_eq!(status, "HTTP/1.1 403 Forbidden");
    assert!(
        body.contains("--allow-origin http://evil.example"),
        "{body}"
    );
    assert_eq!(
        upgrade_status(addr, "/echo", "Origin: null\n").await,
        "HTTP/1.1 403 Forbidden"
    );
    // Our own page (its origin names the host it asks), and a client that
    // sends no Origin at all: admitted.
    let own = format!("Origin: http://{addr}\n");
    assert_eq!(
        upgrade_status(addr, "/ws", &own).await,
        "HTTP/1.1 101 Switching Protocols"
    );
    assert_eq!(
        upgrade_status(addr, "/ws", "").await,
        "HTTP/1.1 101 Switching Protocols"
    );
}

#[tokio::test]
async fn allow_origin_admits_the_origins_it_names() {
    let server = TestServer::with_config(ws_chat::Config {
        allowed_origins: vec!["http://localhost:8080".into()],
        ..ws_chat::Config::default()
    })
    .await;
    let status = upgrade_status(server.addr, "/ws", "Origin: http://LOCALHOST:8080\n").await;
    assert_eq!(status, "HTTP/1.1 101 Switching Protocols");
    let status = upgrade_status(server.addr, "/ws", "Origin: http://localhost:8081\n").await;
    assert_eq!(status, "HTTP/1.1 403 Forbidden");
}

#[tokio::test]
async fn the_page_speaks_both_languages_and_a_refusal_the_browser_s() {
    let server = TestServer::start().await;
    // The page is one set of files: it puts itself in the browser's language
    // (texts.js), so nothing varies and nothing says Vary.
    let (status, headers, body) = http(server.addr, "GET /texts.js HTTP/1.1\n").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(!headers.contains("vary"), "{headers}");
    for words in [
        "Choose a nickname",
        "取一个昵称",
        "Online",
        "在线",
        "navigator.languages",
    ] {
        assert!(body.contains(words), "texts.js lacks {words}");
    }
    let (_, _, page) = http(server.addr, "GET / HTTP/1.1\n").await;
    assert!(
        page.contains(r#"data-lang="zh-CN""#),
        "no language switch: {page}"
    );
    assert!(page.contains(r#"<script src="texts.js">"#), "{page}");

    // A refusal is said in the language the browser asks for, and says so.
    let (status, headers, body) = http(
        server.addr,
        "GET /ws HTTP/1.1\nAccept-Language: zh-CN,zh;q=0.9,en;q=0.8\n",
    )
    .await;
    assert_eq!(status, "HTTP/1.1 426 Upgrade Required");
    assert!(headers.contains("vary: accept-language"), "{headers}");
    assert!(
        body.starts_with("426 Upgrade Required：/ws 是 WebSocket 的地址，要先做协议升级。"),
        "{body}"
    );
    let (status, _, body) = http(server.addr, "GET /nope HTTP/1.1\nAccept-Language: zh\n").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    assert_eq!(body, "404 Not Found：没有这个文件。\n");
    let (_, _, body) = http(
        server.addr,
        "GET /ws HTTP/1.1\nOrigin: http://evil.example\nAccept-Language: zh-CN\n",
    )
    .await;
    assert!(
        body.contains("--allow-origin http://evil.example"),
        "{body}"
    );
    assert!(body.contains("被拒绝了"), "{body}");
    // English for an English browser, and for one that names neither.
    for language in ["en-US,en;q=0.9", "fr-FR"] {
        let request = format!("GET /ws HTTP/1.1\nAccept-Language: {language}\n");
        let (_, _, body) = http(server.addr, &request).await;
        assert!(
            body.starts_with("426 Upgrade Required: /ws speaks WebSocket."),
            "{body}"
        );
    }
}
