//! The seed's steps, `cargo run -p http-static --example hello|routes|html`:
//! each example is built, started with `--port 0` as its own process, and
//! asked what its header says to ask.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use testkit::http::Reply;
use testkit::process::{Process, example};

/// Starts example `name` on port 0; returns it (killed when dropped) and
/// its address.
async fn run(name: &str, args: &[&str]) -> (Process, SocketAddr) {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    Process::server(example("http-static", name), &all).await
}

async fn get(addr: SocketAddr, path: &str) -> Reply {
    testkit::http::get(addr, path).await
}

#[tokio::test]
async fn hello_says_hello_world_in_plain_text_to_every_path() {
    let (_hello, addr) = run("hello", &[]).await;
    for path in ["/", "/anything", "/a/b?c=d"] {
        let reply = get(addr, path).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some("text/plain"));
        assert_eq!(reply.text(), "Hello World\n");
    }
}

#[tokio::test]
async fn routes_answers_slash_a_b_and_404_for_the_rest() {
    let (_routes, addr) = run("routes", &[]).await;
    for (path, status, body) in [
        ("/", 200, "Hello World!"),
        ("/a", 200, "Hello a!"),
        ("/b", 200, "Hello b!"),
        ("/c", 404, "404 Not Found."),
        ("/a/", 404, "404 Not Found."),
    ] {
        let reply = get(addr, path).await;
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (status, body),
            "{path}"
        );
    }
}

#[tokio::test]
async fn html_sends_the_page_from_disk_and_500_when_it_is_gone() {
    let page = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/index.html");
    let (_html, addr) = run("html", &[]).await;
    let reply = get(addr, "/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.body, std::fs::read(page).unwrap());

    let (_missing, missing) = run("html", &["--page", "/nonexistent/index.html"]).await;
    let reply = get(missing, "/").await;
    assert_eq!(reply.status, 500);
    assert!(
        !reply.text().contains("nonexistent"),
        "no detail to the client"
    );
    // The server is still there after the error.
    assert_eq!(get(missing, "/").await.status, 500);
}

#[tokio::test]
async fn the_routes_step_in_axum_answers_as_the_hyper_one_and_405_for_another_method() {
    let (_axum, addr) = run("axum-routes", &[]).await;
    for (path, status, body) in [
        ("/", 200, "Hello World!"),
        ("/a", 200, "Hello a!"),
        ("/b", 200, "Hello b!"),
        ("/c", 404, "404 Not Found."),
    ] {
        let reply = get(addr, path).await;
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (status, body),
            "{path}"
        );
    }
    let post = "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    let reply = testkit::http::exchange(addr, post.as_bytes()).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET,HEAD"));
}
