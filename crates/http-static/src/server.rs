//! The server: `http.createServer(handler).listen(port, host)`, on hyper.
//!
//! hyper reads and writes HTTP/1.1 for us (keep-alive, chunking, a 400 for
//! a malformed request); we give it a function from request to response
//! ([`Site::respond`]) for each request. The accept loop, the access log
//! and the graceful Ctrl-C are shared with `http-template`, in
//! `common::http`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::Request;
use hyper::body::Incoming;
use tokio::net::TcpListener;

use crate::site::Site;

/// What the command-line flags can change.
#[derive(Debug, Clone)]
pub struct Config {
    /// `--root`: the directory to serve.
    pub root: PathBuf,
    /// `--list`: list directories that have no `index.html`.
    pub list: bool,
    /// After Ctrl-C, how long downloads in flight may go on before we close them.
    pub grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            root: PathBuf::from("assets"),
            list: false,
            grace: Duration::from_secs(5),
        }
    }
}

/// A bound static file server, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    /// The files and how to answer for them, shared by every connection task.
    site: Arc<Site>,
    grace: Duration,
}

impl Server {
    /// Takes a listener that is already bound (binding is where the errors a
    /// user must fix happen, so `main` does it and explains). Fails if the
    /// root is not a directory.
    pub fn new(listener: TcpListener, config: Config) -> io::Result<Self> {
        let site = Site::new(&config.root, config.list).map_err(|error| {
            io::Error::new(
                error.kind(),
                format!(
                    "cannot serve {}: {error} (run from the repository root, or pass --root DIR)",
                    config.root.display()
                ),
            )
        })?;
        Ok(Self {
            listener,
            site: Arc::new(site),
            grace: config.grace,
        })
    }

    /// `server.address()`: where we really listen (the port, if it was 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The directory served, canonical.
    pub fn root(&self) -> &std::path::Path {
        self.site.root()
    }

    // ANCHOR: run
    /// Serves until `shutdown` resolves, then closes like `server.close()`:
    /// no new connections, requests in flight get [`Config::grace`] to
    /// finish (a download goes on), idle keep-alive connections are closed.
    /// The loop itself is the course's shared one, `common::http::serve`.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            site,
            grace,
        } = self;
        // What hyper calls for each request: the site's answer. (`serve`
        // logs it, one access-log line per request.)
        let handler = move |request: Request<Incoming>| {
            let site = Arc::clone(&site);
            async move { site.respond(&request).await }
        };
        common::http::serve(listener, handler, grace, shutdown).await;
    }
    // ANCHOR_END: run
}
