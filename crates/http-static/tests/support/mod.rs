//! What http-static's tests share: a server on 127.0.0.1:0 serving a
//! temporary directory, and HTTP spoken by hand over a raw TCP socket (a
//! client library would tidy up the paths we want to send as they are),
//! both from `testkit`.

// Each test file uses some of these, not all.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_static::{Config, Server};
use testkit::Background;
// Not every test file reads keep-alive responses.
#[allow(unused_imports)]
pub use testkit::http::{Reply, read_response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Every network wait in the tests is bounded by this.
pub const LIMIT: Duration = Duration::from_secs(30);

/// A running server; it stops when [`TestServer::stop`] is called or the
/// test's runtime ends.
pub struct TestServer {
    pub addr: SocketAddr,
    running: Background<()>,
}

impl TestServer {
    /// Serves `root` with the given options on an ephemeral loopback port.
    pub async fn start(root: &Path, list: bool, grace: Duration) -> Self {
        Self::with_config(Config {
            root: root.to_path_buf(),
            list,
            grace,
            ..Config::default()
        })
        .await
    }

    /// Serves with `config` on an ephemeral loopback port.
    pub async fn with_config(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server::new(listener, config).unwrap();
        let addr = server.local_addr().unwrap();
        let running = Background::spawn(|shutdown| server.run(shutdown));
        Self { addr, running }
    }

    /// Serves `root` without listing, with a 5 s grace period.
    pub async fn serve(root: &Path) -> Self {
        Self::start(root, false, Duration::from_secs(5)).await
    }

    /// Sends the Ctrl-C signal; returns the task to await for the end.
    pub fn stop(&mut self) -> &mut JoinHandle<()> {
        self.running.signal();
        self.running.task()
    }

    /// `GET path` on a fresh connection that closes after the answer.
    pub async fn get(&self, path: &str) -> Reply {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
        ))
        .await
    }

    /// `GET path` with extra header lines (`"Range: bytes=0-1"`).
    pub async fn get_with(&self, path: &str, headers: &[&str]) -> Reply {
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
        for header in headers {
            request.push_str(header);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        self.request(&request).await
    }

    /// Sends `raw` as it is on a fresh connection and reads until the
    /// server closes it: the raw bytes of the answer, parsed.
    pub async fn request(&self, raw: &str) -> Reply {
        testkit::http::exchange(self.addr, raw.as_bytes()).await
    }
}

/// A site in a fresh temporary directory:
///
/// ```text
/// index.html          "<h1>home</h1>\n"
/// hello.txt           "Hello, file!\n"
/// style.css, app.js, pixel.png, data.json, blob.unknownext
/// sub/index.html      "<h1>sub</h1>\n"
/// empty-dir/          (no index.html)
/// .env                a dotfile with a secret
/// ```
pub fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |name: &str, contents: &[u8]| {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    };
    write("index.html", b"<h1>home</h1>\n");
    write("hello.txt", b"Hello, file!\n");
    write("style.css", b"body { color: red }\n");
    write("app.js", b"console.log('hi')\n");
    write("pixel.png", b"\x89PNG\r\n\x1a\n not really");
    write("data.json", b"{\"a\":1}\n");
    write("blob.unknownext", b"??");
    write("sub/index.html", b"<h1>sub</h1>\n");
    write(".env", b"SECRET=hunter2\n");
    std::fs::create_dir(root.join("empty-dir")).unwrap();
    dir
}

/// `len` bytes that differ at every offset a bug could shift to.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| pattern_byte(i as u64)).collect()
}

/// The byte at `offset` of [`pattern`].
pub fn pattern_byte(offset: u64) -> u8 {
    (offset % 251) as u8 ^ (offset / 251 % 256) as u8
}

/// Log lines collected in memory: a `tracing` subscriber writes to a clone.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
