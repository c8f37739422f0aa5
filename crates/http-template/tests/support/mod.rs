//! What the tests share: a server on 127.0.0.1:0 with a database in a
//! temporary directory, and HTTP written by hand on a raw TCP socket (so a
//! test can send exactly the bytes it means), with answers parsed by
//! `httparse`.

// Each test file uses some of these, not all.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http_template::{Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl TestServer {
    pub async fn start(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server::new(listener, config).await.unwrap();
        let addr = server.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task,
        }
    }

    /// The course's templates and a database in `dir`.
    pub async fn with_db_in(dir: &Path) -> Self {
        Self::start(config(dir)).await
    }

    /// Sends the Ctrl-C signal and waits until the server has returned
    /// (connections finished, database closed).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(LIMIT, &mut self.task)
            .await
            .expect("the server stopped in time")
            .unwrap();
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
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(raw).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(LIMIT, stream.read_to_end(&mut answer))
            .await
            .expect("the server answered and closed in time")
            .unwrap();
        Reply::parse(&answer)
    }

    /// `GET /api/guestbook?page=N` (or the query given), decoded.
    pub async fn api(&self, query: &str) -> serde_json::Value {
        let reply = self.get(&format!("/api/guestbook{query}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        serde_json::from_slice(&reply.body).unwrap()
    }
}

/// An HTTP response as it came off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Header names lower-cased, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn parse(raw: &[u8]) -> Self {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        let httparse::Status::Complete(end) = response.parse(raw).unwrap() else {
            panic!("incomplete response: {:?}", String::from_utf8_lossy(raw));
        };
        Self {
            status: response.code.unwrap(),
            headers: response
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_ascii_lowercase(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect(),
            body: raw[end..].to_vec(),
        }
    }

    /// The value of header `name` (lower case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}
