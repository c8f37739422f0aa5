//! What http-template's tests share: a server on 127.0.0.1:0 with a
//! database in a temporary directory, and HTTP written by hand on a raw TCP
//! socket (so a test can send exactly the bytes it means), both from
//! `testkit`.

// Each test file uses some of these, not all.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use http_template::Config;
use http_template::Server;
use testkit::Background;
pub use testkit::http::Reply;
use tokio::net::TcpListener;

/// Every network wait in the tests is bounded by this.
pub const LIMIT: Duration = Duration::from_secs(30);

pub const FORM: &str = "application/x-www-form-urlencoded";

/// The course's templates (the ones `just ch4-template` serves).
pub fn templates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates")
}

/// A copy of the course's templates in a fresh directory, to edit.
pub fn templates_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = templates();
    for name in [
        "base.html",
        "todos.html",
        "guestbook/index.html",
        "guestbook/new.html",
    ] {
        let to = dir.path().join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from.join(name), to).unwrap();
    }
    dir
}

/// The config a test starts from: the course's templates, the database in
/// `dir`, a short grace period.
pub fn config(dir: &Path) -> Config {
    Config {
        templates: templates(),
        db: dir.join("guestbook.sqlite3"),
        grace: Duration::from_secs(2),
        ..Config::default()
    }
}

/// A running server; it stops when [`TestServer::stop`] is called or the
/// test's runtime ends.
pub struct TestServer {
    pub addr: SocketAddr,
    running: Background<()>,
}

impl TestServer {
    pub async fn start(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server::new(listener, config).await.unwrap();
        let addr = server.local_addr().unwrap();
        let running = Background::spawn(|shutdown| server.run(shutdown));
        Self { addr, running }
    }

    /// The course's templates and a database in `dir`.
    pub async fn with_db_in(dir: &Path) -> Self {
        Self::start(config(dir)).await
    }

    /// Sends the Ctrl-C signal and waits until the server has returned
    /// (connections finished, database closed).
    pub async fn stop(self) {
        self.running.stop().await;
    }

    /// `GET path` on a fresh connection that closes after the answer.
    pub async fn get(&self, path: &str) -> Reply {
        self.request(
            format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
    }

    /// `POST /guestbook` with a urlencoded `body`.
    pub async fn post_form(&self, body: &str) -> Reply {
        self.post(Some(FORM), body.as_bytes()).await
    }

    /// `POST /guestbook` of `name` and `message`, encoded as a browser would.
    pub async fn sign(&self, name: &str, message: &str) -> Reply {
        let body = serde_urlencoded::to_string([("name", name), ("message", message)]).unwrap();
        self.post_form(&body).await
    }

    /// `POST /guestbook` with this `Content-Type` (none if `None`) and body.
    pub async fn post(&self, content_type: Option<&str>, body: &[u8]) -> Reply {
        let mut request = format!(
            "POST /guestbook HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(kind) = content_type {
            request.push_str(&format!("Content-Type: {kind}\r\n"));
        }
        request.push_str("\r\n");
        let mut raw = request.into_bytes();
        raw.extend_from_slice(body);
        self.request(&raw).await
    }

    /// Sends `raw` as it is on a fresh connection and reads until the
    /// server closes it.
    pub async fn request(&self, raw: &[u8]) -> Reply {
        testkit::http::exchange(self.addr, raw).await
    }

    /// `GET /api/guestbook?page=N` (or the query given), decoded.
    pub async fn api(&self, query: &str) -> serde_json::Value {
        let reply = self.get(&format!("/api/guestbook{query}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        serde_json::from_slice(&reply.body).unwrap()
    }
}
