//! The server: `http.createServer(handler).listen(port, host)`, on hyper.
//!
//! hyper reads and writes HTTP/1.1 for us (keep-alive, chunking, a 400 for
//! a malformed request); we give it a function from request to response
//! ([`Site::respond`]) for each connection, and run each connection as its
//! own task.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};

use crate::access_log::{self, Logged};
use crate::site::{Body, Site};

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
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server {
            listener,
            site,
            grace,
        } = self;
        let mut http = http1::Builder::new();
        // A client gets 30 s to send its request headers, then it is closed:
        // one that trickles a byte at a time cannot hold a connection forever.
        http.timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(30));
        // `graceful` asks every connection to finish at shutdown; `tracker`
        // and `closing` wait for them and, after the grace period, end them.
        let graceful = GracefulShutdown::new();
        let tracker = TaskTracker::new();
        let closing = CancellationToken::new();
        tokio::pin!(shutdown);

        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(connection) => connection,
                    Err(error) => {
                        // Usually "too many open files": log, breathe, go on.
                        warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            // Small responses go out at once instead of waiting for more.
            let _ = stream.set_nodelay(true);
            let site = Arc::clone(&site);
            // `service_fn` turns our async function into what hyper calls
            // for each request on this connection (keep-alive: many).
            let service = service_fn(move |request| {
                let site = Arc::clone(&site);
                async move { Ok::<_, Infallible>(handle(&site, request).await) }
            });
            let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
            let closing = closing.clone();
            tracker.spawn(async move {
                tokio::select! {
                    // A malformed request ends here: hyper has already sent
                    // a 400 and closed; only this connection is affected.
                    result = connection => if let Err(error) = result {
                        debug!(%peer, %error, "connection ended with an error");
                    },
                    () = closing.cancelled() => debug!(%peer, "closed: grace period over"),
                }
            });
        }

        // `server.close()`: dropping the listener stops accepting.
        drop(listener);
        tracker.close();
        info!(
            open = graceful.count(),
            ?grace,
            "shutting down: finishing requests in flight"
        );
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(grace) => {
                warn!("grace period over: closing the connections still open");
                closing.cancel();
            }
        }
        tracker.wait().await;
        info!("server closed");
    }
    // ANCHOR_END: run
}

/// One request: the site's answer, wrapped so that it is logged when sent.
async fn handle(site: &Site, request: Request<Incoming>) -> Response<Logged<Body>> {
    let started = Instant::now();
    let response = site.respond(&request).await;
    let (parts, _body) = request.into_parts();
    access_log::wrap(parts.method, parts.uri, started, response)
}
