//! The serve loop on its own, with a handler made for the test: it answers
//! over keep-alive, logs one line per request, and closes gracefully
//! (requests in flight finish, stragglers are cut off after the grace
//! period); the response builders set what they promise.
// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response, StatusCode};
use http_static::respond::{self, Body};
use hyper::body::Incoming;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

use support::Captured;

const LIMIT: Duration = Duration::from_secs(30);

/// A handler for the tests: `/slow` waits until `release` is notified
/// (telling `started` it began), `/never` never answers, anything else
/// gets `hello`.
#[derive(Clone, Default)]
struct Handler {
    started: Arc<Notify>,
    release: Arc<Notify>,
}

impl Handler {
    async fn respond(self, request: Request<Incoming>) -> Response<Body> {
        match request.uri().path() {
            "/slow" => {
                self.started.notify_one();
                self.release.notified().await;
                respond::text(StatusCode::OK, "slow done")
            }
            "/never" => {
                self.started.notify_one();
                std::future::pending().await
            }
            "/gone" => respond::redirect(StatusCode::SEE_OTHER, "/there", "303 See Other."),
            "/post-only" => respond::method_not_allowed(common::lang::Lang::En, "POST"),
            _ => respond::text(StatusCode::OK, "hello"),
        }
    }
}

/// Starts `serve` on 127.0.0.1:0; returns its address, the stop signal and
/// the task.
async fn start(
    handler: Handler,
    grace: Duration,
) -> (SocketAddr, oneshot::Sender<()>, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(http_static::server::serve(
        listener,
        move |request| handler.clone().respond(request),
        grace,
        None,
        common::lang::Lang::En,
        async {
            let _ = stopped.await;
        },
    ));
    (addr, stop, task)
}

/// Sends `raw`, reads until the server closes, returns it as text.
async fn exchange(addr: SocketAddr, raw: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(LIMIT, stream.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .unwrap();
    String::from_utf8(answer).unwrap()
}

// The default test runtime runs every task on this thread, so the
// thread-local subscriber sees the server's log lines.
#[tokio::test]
async fn answers_over_keep_alive_and_logs_one_line_per_request() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (addr, stop, task) = start(Handler::default(), Duration::from_secs(5)).await;
    // Two requests on one connection (the second asks to close).
    let answer = exchange(
        addr,
        "GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /gone?x=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(answer.matches("HTTP/1.1 ").count(), 2, "{answer}");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        answer.contains("content-type: text/plain; charset=utf-8\r\n"),
        "{answer}"
    );
    assert!(answer.contains("\r\n\r\nhello"), "{answer}");
    assert!(answer.contains("HTTP/1.1 303 See Other\r\n"), "{answer}");
    assert!(answer.contains("location: /there\r\n"), "{answer}");

    let answer = exchange(
        addr,
        "PUT /post-only HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{answer}"
    );
    assert!(answer.contains("allow: POST\r\n"), "{answer}");
    assert!(answer.ends_with("405 Method Not Allowed.\n"), "{answer}");

    let _ = stop.send(());
    tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(" bytes in ")).collect();
    assert_eq!(lines.len(), 3, "{log}");
    assert!(lines[0].contains("GET /a 200 6 bytes in "), "{log}");
    // The path only: a query string may hold what does not belong in a log.
    assert!(lines[1].contains("GET /gone 303 15 bytes in "), "{log}");
    assert!(
        lines[2].contains("PUT /post-only 405 24 bytes in "),
        "{log}"
    );
    assert!(log.contains("server closed"), "{log}");
}

#[tokio::test]
async fn at_shutdown_a_request_in_flight_finishes_and_new_connections_are_refused() {
    let handler = Handler::default();
    let (addr, stop, task) = start(handler.clone(), Duration::from_secs(20)).await;
    let in_flight = tokio::spawn(exchange(addr, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
    // A keep-alive connection that got its answer and sits idle.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    while !answer.ends_with(b"hello\n") {
        let mut chunk = [0; 1024];
        let n = tokio::time::timeout(LIMIT, idle.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        assert!(
            n > 0,
            "closed early: {:?}",
            String::from_utf8_lossy(&answer)
        );
        answer.extend_from_slice(&chunk[..n]);
    }
    tokio::time::timeout(LIMIT, handler.started.notified())
        .await
        .unwrap();

    let _ = stop.send(());
    // The idle connection is closed at once: it does not hold the server up.
    let mut rest = Vec::new();
    tokio::time::timeout(LIMIT, idle.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    assert!(rest.is_empty());
    // The slow request is still going; once it can finish, it does.
    handler.release.notify_one();
    let answer = tokio::time::timeout(LIMIT, in_flight)
        .await
        .unwrap()
        .unwrap();
    assert!(answer.ends_with("slow done\n"), "{answer}");
    tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn after_the_grace_period_a_request_that_never_ends_is_cut_off() {
    let handler = Handler::default();
    let (addr, stop, task) = start(handler.clone(), Duration::from_millis(200)).await;
    let stuck = tokio::spawn(exchange(addr, "GET /never HTTP/1.1\r\nHost: t\r\n\r\n"));
    tokio::time::timeout(LIMIT, handler.started.notified())
        .await
        .unwrap();
    let _ = stop.send(());
    tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
    // Closed without an answer.
    assert_eq!(
        tokio::time::timeout(LIMIT, stuck).await.unwrap().unwrap(),
        ""
    );
}
