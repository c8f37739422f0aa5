//! The seed's steps, `cargo run -p http-static --example hello|routes|html`:
//! each example is built, started with `--port 0` as its own process, and
//! asked what its header says to ask.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use support::Reply;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Builds the crate's examples (a no-op when `cargo test` already did)
/// and returns the path of the one called `name`.
fn example(name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "-p",
            "http-static",
            "--examples",
            "--quiet",
            "--message-format=json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo build --examples failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["target"]["name"] == name
            && let Some(path) = message["executable"].as_str()
        {
            return PathBuf::from(path);
        }
    }
    panic!("no example named {name}");
}

/// A running example, killed (by its own handle) when dropped.
struct Running {
    child: Child,
    addr: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts example `name` on port 0 and waits for its `listening on` line.
fn run(name: &str, args: &[&str]) -> Running {
    let mut child = Command::new(example(name))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{name} printed {line:?}"))
        .to_owned();
    Running { child, addr }
}

async fn get(addr: &str, path: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(support::LIMIT, stream.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .unwrap();
    Reply::parse(&answer)
}

#[tokio::test]
async fn hello_says_hello_world_in_plain_text_to_every_path() {
    let hello = run("hello", &[]);
    for path in ["/", "/anything", "/a/b?c=d"] {
        let reply = get(&hello.addr, path).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some("text/plain"));
        assert_eq!(reply.text(), "Hello World\n");
    }
}

#[tokio::test]
async fn routes_answers_slash_a_b_and_404_for_the_rest() {
    let routes = run("routes", &[]);
    for (path, status, body) in [
        ("/", 200, "Hello World!"),
        ("/a", 200, "Hello a!"),
        ("/b", 200, "Hello b!"),
        ("/c", 404, "404 Not Found."),
        ("/a/", 404, "404 Not Found."),
    ] {
        let reply = get(&routes.addr, path).await;
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
    let html = run("html", &[]);
    let reply = get(&html.addr, "/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.body, std::fs::read(page).unwrap());

    let missing = run("html", &["--page", "/nonexistent/index.html"]);
    let reply = get(&missing.addr, "/").await;
    assert_eq!(reply.status, 500);
    assert!(
        !reply.text().contains("nonexistent"),
        "no detail to the client"
    );
    // The server is still there after the error.
    assert_eq!(get(&missing.addr, "/").await.status, 500);
}
